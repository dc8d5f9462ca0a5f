"""What a register run leaves for people besides its results: the totals the dashboard shows
(checked against the results file itself), the run manifest and the dashboard page.

An auditor relies on: the manifest naming exactly the files that were read and written (their
sha256), conforming to its schema, the same for the same command apart from its times; the
missing-fact and money tables agreeing with the result rows, however the register was chunked.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from clause.engine import api
from clause.engine.api import BatchOptions, RunRecord
from clause.engine.batch import charts
from clause.engine.batch.checks import check_options, manifest_beside
from clause.engine.batch.chunk import BACKENDS
from clause.engine.batch.filed import run_and_file
from clause.engine.batch.run import evaluate_batch
from clause.engine.diagnostics import DiagnosticError
from clause.engine.messages import render

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "policies" / "hubei" / "ehrs-2021-25"
REGISTER = ROOT / "examples" / "register" / "register.csv"
BUDGET = ROOT / "examples" / "register" / "budget.yaml"
DAY = date(2022, 12, 31)
SCHEMA = json.loads((ROOT / "schemas" / "run-manifest.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hubei() -> Any:
    return api.open_library(HUBEI)


def options(tmp_path: Path, **changes: Any) -> BatchOptions:
    base = BatchOptions(on=DAY, out=tmp_path / "results.jsonl", budget=api.read_budget(BUDGET))
    return replace(base, **changes)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


# -- totals against the result rows ------------------------------------------------------------


def test_missing_facts_and_money_per_fund_agree_with_the_results(
    hubei: Any, tmp_path: Path
) -> None:
    summary = evaluate_batch(hubei, REGISTER, options(tmp_path))
    rows = read_jsonl(tmp_path / "results.jsonl")
    undetermined = [r for r in rows if r["outcome"] == "undetermined"]
    cases: dict[str, set[str]] = {}
    for r in undetermined:
        cases.setdefault(r["case_id"], set()).update(r["missing"])
    by_case = Counter(fact for facts in cases.values() for fact in facts)
    assert dict(summary.tally.missing_cases) == dict(by_case)
    ranked = summary.to_json()["missing"]
    assert [m["cases"] for m in ranked] == sorted(by_case.values(), reverse=True)
    alone = Counter(r["missing"][0] for r in undetermined if len(r["missing"]) == 1)
    assert {m["fact"]: m["alone"] for m in ranked if m["alone"]} == dict(alone)
    per_rule_fund: Counter[tuple[str, str]] = Counter()
    for r in rows:
        for share in r["funding"] or []:
            per_rule_fund[(r["rule"], share["fund"])] += Decimal(share["amount"])
    shown = {
        (rule["rule"], fund): Decimal(amount)
        for rule in summary.to_json()["rules"]
        for fund, amount in rule["funds"].items()
    }
    assert shown == {k: v for k, v in per_rule_fund.items() if v}


def test_totals_do_not_depend_on_chunks_or_workers(hubei: Any, tmp_path: Path) -> None:
    runs = []
    for n, (workers, chunk) in enumerate([(1, 2000), (1, 7), (2, 50)]):
        out = tmp_path / f"r{n}.csv"
        summary = evaluate_batch(
            hubei, REGISTER, options(tmp_path, out=out, workers=workers, chunk_size=chunk)
        )
        data = summary.to_json()
        runs.append({k: v for k, v in data.items() if k not in ("output", "rejects")})
        runs[-1]["first_rejects"] = summary.tally.rejected_first
    assert runs[0] == runs[1] == runs[2]


def test_the_first_rejected_row_of_each_reason_is_kept(hubei: Any, tmp_path: Path) -> None:
    summary = evaluate_batch(hubei, REGISTER, options(tmp_path, chunk_size=3))
    rejects = read_jsonl(Path(summary.rejects))
    paths = [key for key in summary.tally.rejected_first if key != "row"]

    def key_of(reason: str) -> str:
        return next((p for p in paths if reason.startswith(f"{p}:")), "row")

    assert len(summary.tally.rejected_first) >= 3
    for key, first in summary.tally.rejected_first.items():
        expected = next(r for r in rejects if key_of(r["reason"]) == key)
        row, line, reason = first
        assert (row, line, render(reason, "en")) == (
            expected["row"],
            expected["line"],
            expected["reason"],
        )
        # the same reason in Chinese, for the dashboard: the catalog has every row reason
        assert render(reason, "zh") != render(reason, "en")
        assert re.search(r"[\u4e00-\u9fff]", render(reason, "zh")), render(reason, "zh")
    assert sum(summary.tally.rejected_by.values()) == len(rejects)


# -- the manifest --------------------------------------------------------------------------------


def test_the_manifest_names_what_was_read_and_written(hubei: Any, tmp_path: Path) -> None:
    files = RunRecord(command="clause eval register.csv --date 2022-12-31")
    summary = run_and_file(hubei, REGISTER, options(tmp_path), files)
    path = tmp_path / "results.manifest.json"
    assert summary.manifest == str(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(SCHEMA, format_checker=FormatChecker()).iter_errors(data))
    assert not errors, errors[0].message
    assert data["input"] == {
        "path": str(REGISTER),
        "size": REGISTER.stat().st_size,
        "sha256": sha256(REGISTER),
        "format": "csv",
    }
    assert data["outputs"]["results"]["sha256"] == sha256(tmp_path / "results.jsonl")
    assert data["outputs"]["rejects"]["sha256"] == sha256(Path(summary.rejects))
    assert data["ruleset"]["digest"] == hubei.digest
    assert data["decision_date"] == "2022-12-31"
    assert data["command"] == files.command
    t = summary.tally
    assert data["counts"] == {
        "read": t.rows_read,
        "decided": t.rows_decided,
        "rejected": t.rows_rejected,
        "reconciled": True,
    }
    assert data["funds"] == summary.to_json()["funds"]
    # the columnar backend (the default) says what it left to the record path: nothing here
    assert data["options"]["backend"] == "columnar"
    assert data["record_path"] == {"rows": t.record_path, "rules": {}}
    assert data["options"]["budget"] == {
        "bridging_fund_cross_province": "20000.00",
        "employment_subsidy_fund": "50000.00",
    }


def test_the_same_run_gives_the_same_manifest_apart_from_its_times(
    hubei: Any, tmp_path: Path
) -> None:
    moments = [
        (2030, 1, 1, 8, 0, 0),
        (2030, 1, 1, 8, 0, 5),
        (2031, 6, 1, 9, 30),
        (2031, 6, 1, 9, 31),
    ]
    clocks = iter(datetime(*m, tzinfo=UTC) for m in moments)
    manifests = []
    for _ in range(2):
        summary = run_and_file(
            hubei, REGISTER, options(tmp_path), RunRecord(), clock=lambda: next(clocks)
        )
        manifests.append(json.loads(Path(summary.manifest or "").read_text(encoding="utf-8")))
    assert manifests[0]["times"] == {
        "started": "2030-01-01T08:00:00Z",
        "finished": "2030-01-01T08:00:05Z",
        "seconds": 5.0,
    }
    assert manifests[0]["times"] != manifests[1]["times"]
    assert {k: v for k, v in manifests[0].items() if k != "times"} == {
        k: v for k, v in manifests[1].items() if k != "times"
    }


def test_manifest_and_report_paths(hubei: Any, tmp_path: Path) -> None:
    summary = run_and_file(
        hubei,
        REGISTER,
        options(tmp_path, out=None, rejects=tmp_path / "r.jsonl", manifest=tmp_path / "run.json"),
        RunRecord(),
    )
    assert summary.manifest == str(tmp_path / "run.json")
    data = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert data["outputs"]["results"] is None
    # without --out or --manifest: beside the register, as the rejects file is
    assert manifest_beside(REGISTER) == REGISTER.with_name("register.manifest.json")


@pytest.mark.parametrize(
    ("files", "wrong"),
    [
        (lambda tmp: {"report": REGISTER.with_suffix(".html")}, None),  # fine: beside it
        (lambda tmp: {"report": REGISTER}, "is the register being read"),
        (lambda tmp: {"report": tmp / "r.txt"}, "the dashboard is written as HTML"),
        (lambda tmp: {"manifest": tmp / "m.yaml"}, "the run manifest is written as JSON"),
        (lambda tmp: {"manifest": tmp / "results.jsonl"}, "also the file of --out"),
        (lambda tmp: {"report": tmp / "m.json", "manifest": tmp / "m.json"}, "file of --manifest"),
        (lambda tmp: {"report": tmp / "nowhere" / "r.html"}, "does not exist"),
        (lambda tmp: {"report": tmp}, "is a directory"),
        (lambda tmp: {"report": HUBEI / "r.html"}, "is a file of the policy package"),
    ],
)
def test_bad_report_or_manifest_paths_stop_before_anything_is_decided(
    hubei: Any, tmp_path: Path, files: Any, wrong: str | None
) -> None:
    paths = files(tmp_path)
    if wrong is None:  # a path next to the register is allowed: only the check runs
        check_options(hubei, REGISTER, options(tmp_path, **paths), BACKENDS)
        return
    with pytest.raises(DiagnosticError) as caught:
        run_and_file(hubei, REGISTER, options(tmp_path, **paths), RunRecord())
    assert {d.code for d in caught.value.diagnostics} == {"B003"}
    assert any(wrong in d.message for d in caught.value.diagnostics)
    assert not (tmp_path / "results.jsonl").exists()


def test_a_report_without_the_chart_library_is_a_usage_error(
    hubei: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "available", lambda: False)
    with pytest.raises(DiagnosticError) as caught:
        run_and_file(hubei, REGISTER, options(tmp_path, report=tmp_path / "r.html"), RunRecord())
    (problem,) = caught.value.diagnostics
    assert problem.code == "B008" and "clause[report]" in problem.message
    assert not (tmp_path / "results.jsonl").exists()


def test_without_cases_the_facts_rank_by_the_decisions_they_block() -> None:
    from clause.engine.batch.totals import Tally
    from clause.engine.batch.write import ResultRow

    def row(case: str, rule: str, *missing: str) -> ResultRow:
        return ResultRow(case, rule, 1, "undetermined", None, None, (), missing)

    by_case, by_row = Tally(), Tally()
    rows = [[row("1", "a", "x", "y"), row("1", "b", "x")], [row("2", "a", "y")]]
    for case in rows:
        by_case.add_case(case)
        for r in case:
            by_row.add(r)  # a backend that does not see cases whole
    assert by_case.missing_ranked() == [("y", 2, 2, 1), ("x", 1, 2, 1)]
    assert by_row.missing_ranked() == [("x", None, 2, 1), ("y", None, 2, 1)]
