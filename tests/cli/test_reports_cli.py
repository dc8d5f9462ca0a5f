"""`clause explain --format html` and `clause eval --report`: what the commands write and say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "examples" / "register" / "register.csv"
BUDGET = ROOT / "examples" / "register" / "budget.yaml"
HUBEI = ROOT / "policies" / "hubei" / "ehrs-2021-25"


def eval_args(tmp_path: Path, *more: str) -> list[str]:
    return [
        "eval", str(REGISTER), "--date", "2022-12-31", "--package", str(HUBEI),
        "--budget", str(BUDGET), "--out", str(tmp_path / "results.csv"), *more,
    ]  # fmt: skip


def test_eval_writes_a_manifest_and_the_report_it_is_asked_for(clause: Any, tmp_path: Path) -> None:
    args = eval_args(tmp_path, "--report", str(tmp_path / "report.html"), "--lang", "en")
    result = clause(*args)
    assert result.code == 0, result.err
    manifest = tmp_path / "results.manifest.json"
    assert f"manifest: {manifest}; report: {tmp_path / 'report.html'}" in result.out
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["command"].split() == ["clause", *args]
    assert data["outputs"]["report"] == str(tmp_path / "report.html")


def test_every_eval_writes_a_manifest(clause: Any, tmp_path: Path) -> None:
    result = clause(
        *eval_args(tmp_path, "--format", "json", "--manifest", str(tmp_path / "m.json"))
    )
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["manifest"] == str(tmp_path / "m.json")
    assert "report" not in summary
    assert json.loads((tmp_path / "m.json").read_text("utf-8"))["counts"]["read"] == 1000


def test_report_without_the_chart_library_is_exit_2_in_one_line(
    clause: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clause.engine.batch import charts

    monkeypatch.setattr(charts, "available", lambda: False)
    result = clause(*eval_args(tmp_path, "--report", str(tmp_path / "r.html")))
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "<command line>:1:1: B008 --report needs the chart library, which is not installed: "
        "pip install 'clause[report]'"
    ]
    assert "Traceback" not in result.err


def test_report_that_would_overwrite_the_register_is_refused(clause: Any, tmp_path: Path) -> None:
    result = clause(*eval_args(tmp_path, "--report", str(REGISTER), "--lang", "en"))
    assert result.code == 2
    assert f"B003 --report {REGISTER} is the register being read" in result.err
    assert not (tmp_path / "results.csv").exists()


def test_explain_html_is_one_page(clause: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    example = "examples/hubei/cross-province-migrant-worker.yaml"
    result = clause("explain", example, "--date", "2021-10-15", "--format", "html", "--lang", "zh")
    assert result.code == 0, result.err
    assert result.out.startswith("<!DOCTYPE html>") and result.out.endswith("</html>\n")
    assert '<html lang="zh-CN">' in result.out and "<script" not in result.out
