"""`clause eval`: exit codes, the summary on stdout (text and JSON), messages on stderr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

MINI = str(Path(__file__).resolve().parents[1] / "fixtures" / "mini")
HEADER = (
    "case_id,person.poverty_alleviated,person.organised,person.scope,person.departure_date,"
    "person.transport_cost,person.grants,site.residents,site.has_station,site.full_time_staff"
)
ROWS = (
    "p1,true,true,跨省,2030-05-01,620,[],,,",
    "p2,true,true,跨省,2030-05-01,300,[],,,",
    "bad,true,true,跨省,2030-05-01,12abc,[],,,",
    "s1,,,,,,,900,是,0",
)


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    path = tmp_path / "register.csv"
    path.write_text("\n".join((HEADER, *ROWS)) + "\n", encoding="utf-8")
    return path


def eval_args(register_file: Path, *more: str) -> list[str]:
    return ["eval", str(register_file), "--date", "2030-12-01", "--package", MINI, *more]


def test_text_summary_reconciles_and_names_the_files(clause: Any, register_file: Path) -> None:
    out = register_file.with_name("results.csv")
    result = clause(*eval_args(register_file, "--out", str(out)))
    assert result.code == 0
    assert "rows read 4 = decided 3 + rejected 1" in result.out
    transport = next(
        line for line in result.out.splitlines() if line.strip().startswith("transport")
    )
    # eligible|compliant, ineligible|violation, exception needed, not applicable, undetermined
    assert transport.split()[1:] == ["2", "0", "0", "0", "0", "800.00"]
    assert "bridging_fund" in result.out
    assert f"results: {out}; rejects: {register_file.with_name('results.rejects.jsonl')}" in (
        result.out
    )
    assert result.err.strip() == f"1 row rejected: see {out.with_name('results.rejects.jsonl')}"
    assert out.read_text(encoding="utf-8").startswith("case_id,rule,version,outcome,amount,")


def test_json_summary_for_machines(clause: Any, register_file: Path, tmp_path: Path) -> None:
    budget = tmp_path / "budget.yaml"
    budget.write_text("bridging_fund: 600\n", encoding="utf-8")
    result = clause(*eval_args(register_file, "--format", "json", "--budget", str(budget), "-q"))
    assert result.code == 0
    data = json.loads(result.out)
    assert (data["rows_read"], data["rows_decided"], data["rows_rejected"]) == (4, 3, 1)
    transport = next(r for r in data["rules"] if r["rule"] == "transport")
    assert transport["outcomes"] == {"eligible": 2}
    assert transport["amount"] == "800.00"
    funds = {f["fund"]: f for f in data["funds"]}
    assert funds["bridging_fund"]["allocated"] == "600.00"
    assert funds["bridging_fund"]["remaining"] == "0.00"
    assert funds["employment_fund"]["allocated"] == "200.00"
    assert data["output"] is None


def test_only_and_rule_filters(clause: Any, register_file: Path) -> None:
    out = register_file.with_name("results.jsonl")
    args = eval_args(register_file, "--out", str(out), "--rule", "transport", "--rule", "startup")
    result = clause(*args, "--only", "eligible, undetermined")
    assert result.code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(r["rule"], r["outcome"]) for r in rows} == {
        ("transport", "eligible"),
        ("startup", "undetermined"),
    }


@pytest.mark.parametrize(
    ("more", "words"),
    [
        (("--date", "2030-02-30"), "U001"),
        (("--rule", "nope"), "U003 --rule: no rule `nope`"),
        (("--only", "maybe"), "U004"),
        (("--out", "results.xlsx"), "B003"),
        (("--workers", "0"), "--workers"),
    ],
)
def test_bad_usage_exits_2_without_a_traceback(
    clause: Any, register_file: Path, more: tuple[str, ...], words: str
) -> None:
    result = clause(*eval_args(register_file, *more))
    assert result.code == 2
    assert words in result.err
    assert "Traceback" not in result.err + result.out


def test_an_unusable_register_exits_2_naming_the_file(clause: Any, tmp_path: Path) -> None:
    bad = tmp_path / "register.csv"
    bad.write_text("case_id,person.povety\n1,true\n", encoding="utf-8")
    result = clause(*eval_args(bad))
    assert result.code == 2
    assert f"{bad}:1:1: B002 column `person.povety` is not a fact path" in result.err
    missing = clause(*eval_args(tmp_path / "nope.csv"))
    assert missing.code == 2 and "B001 cannot read file: no such file or directory" in missing.err


def test_no_progress_bar_when_stderr_is_not_a_terminal(clause: Any, register_file: Path) -> None:
    result = clause(*eval_args(register_file))
    assert "rows/s" not in result.err


def test_wide_layout_and_backends_from_the_command_line(clause: Any, register_file: Path) -> None:
    wide = register_file.with_name("wide.csv")
    result = clause(*eval_args(register_file, "--out", str(wide), "--layout", "wide"))
    assert result.code == 0
    lines = wide.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("case_id,site-station.version,site-station.outcome,")
    assert len(lines) == 1 + 3  # a row per decided case; the bad row is rejected
    outs = []
    for backend in ("record", "columnar"):
        out = register_file.with_name(f"{backend}.jsonl")
        assert clause(*eval_args(register_file, "--out", str(out), "--backend", backend)).code == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    bad = clause(*eval_args(register_file, "--engine", "mainframe"))
    assert bad.code == 2


def test_spark_that_cannot_start_is_one_line_in_both_languages(
    clause: Any, register_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    english = clause(*eval_args(register_file, "--engine", "spark"))
    assert english.code == 2
    assert "<spark>:1:1: B007 --engine spark needs pyspark" in english.err
    chinese = clause(*eval_args(register_file, "--engine", "spark", "--lang", "zh"))
    assert chinese.code == 2
    assert "B007 --engine spark 需要 pyspark" in chinese.err
    assert "Traceback" not in english.err + chinese.err


@pytest.mark.parametrize(
    "more",
    [("--backend", "record"), ("--backend", "columnar"), ("--engine", "spark")],
    ids=["record", "columnar", "spark"],
)
def test_outputs_are_checked_before_any_backend_or_engine_starts(
    clause: Any, register_file: Path, more: tuple[str, ...]
) -> None:
    """An output that would overwrite the register, or a file of the package, is refused
    the same way whatever decides the rows (Spark is never started)."""
    over_input = clause(*eval_args(register_file, "--out", str(register_file), *more))
    assert over_input.code == 2 and "B003" in over_input.err
    into_package = clause(*eval_args(register_file, "--out", f"{MINI}/results.csv", *more))
    assert into_package.code == 2 and "B003" in into_package.err
    assert "Spark" not in into_package.err and "Traceback" not in into_package.err


def test_the_summary_names_what_the_columnar_backend_left_to_the_record_path(
    clause: Any, register_file: Path
) -> None:
    """A row holding a number finer than the columns carry is decided by the record path,
    and the summary says so, in the language asked for."""
    finer = register_file.with_name("finer.csv")
    finer.write_text(HEADER + "\np9,true,true,跨省,2030-05-01,0.00001,[],,,\n", encoding="utf-8")
    english = clause(*eval_args(finer))
    assert english.code == 0
    assert "columnar: 1 rows decided case by case on the record path" in english.out
    chinese = clause(*eval_args(finer, "--lang", "zh"))
    assert "列式后端：1 行改由逐案路径决定" in chinese.out
