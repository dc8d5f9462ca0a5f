"""`clause test`, `coverage`, `rules`, `show`, `explain` and `check` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "mini"


def test_test_passes_with_full_coverage(clause, mini) -> None:
    r = clause("test", "mini", "--min-coverage", "100")
    assert r.code == 0, r.out
    assert r.out.rstrip().endswith("16 passed, 0 failed")
    assert "coverage 100.0%" in r.out


def test_test_failure_shows_expected_actual_and_trace(clause, mini) -> None:
    cases = mini / "tests" / "cases.yaml"
    cases.write_text(
        cases.read_text(encoding="utf-8").replace("amount: 3600", "amount: 3000"), encoding="utf-8"
    )
    r = clause("test", "mini")
    assert r.code == 1
    assert "FAIL mini/tests/cases.yaml:" in r.out
    assert "training.amount: expected 3000, got 3600" in r.out
    assert "min(person.training_months = 8, 6)" in r.out  # the trace of the failing rule
    data = json.loads(clause("test", "mini", "--format", "json").out)
    assert data[0]["failed"] == 1
    junit = clause("test", "mini", "--format", "junit").out
    assert '<failure message="training.amount: expected 3000, got 3600">' in junit


def test_min_coverage_fails_the_run(clause, mini) -> None:
    cases = mini / "tests" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    cases.write_text(text.split("- name: not a first business")[0], encoding="utf-8")
    r = clause("test", "mini", "--min-coverage", "100")
    assert r.code == 1
    assert "never false" in r.out


def test_coverage_lists_every_provision(clause, mini) -> None:
    r = clause("coverage", "mini", "--format", "json")
    assert r.code == 0, r.err
    (document,) = json.loads(r.out)  # one table per document of the library
    assert document["document"] == "示例人社发〔2030〕1号"
    items = {i["clause"]: i for i in document["clauses"]}
    assert items["二.（二）"]["rules"] == ["startup", "startup-return"]
    assert items["一"]["status"] == "qualitative"
    (mini / "rules" / "goal.yaml").unlink()
    r = clause("coverage", "mini", "--format", "json")
    assert r.code == 1
    (document,) = json.loads(r.out)
    assert {i["clause"]: i["status"] for i in document["clauses"]}["一"] == "missing"


def test_rules_and_show(clause, mini) -> None:
    data = json.loads(clause("rules", "--package", "mini", "--format", "json").out)
    assert [r["id"] for r in data] == [
        "site-station",
        "startup",
        "startup-return",
        "training",
        "transport",
    ]
    assert data[3]["versions"][0]["to"] == "2030-12-31"
    shown = clause("show", "transport", "--package", "mini")
    assert shown.code == 0
    assert "按每人不超过500元标准给予一次性交通补助" in shown.out
    assert clause("show", "nope", "--package", "mini").code == 2


def test_explain_refuses_bad_facts_with_the_path(clause, mini) -> None:
    facts = mini.parent / "facts.yaml"
    facts.write_text("person:\n  transport_cost: 很多\n", encoding="utf-8")
    r = clause("explain", "facts.yaml", "--date", "2030-06-01", "--package", "mini")
    assert r.code == 2
    assert "facts.yaml:2:19: F001 /person/transport_cost" in r.err


def test_explain_reads_stdin_json(clause, mini) -> None:
    r = clause(
        "explain",
        "-",
        "--date",
        "2030-06-01",
        "--package",
        "mini",
        "--format",
        "json",
        stdin='{"site": {"residents": 799}}',
    )
    assert r.code == 0, r.err
    assert json.loads(r.out)["decisions"][0]["outcome"] == "not_applicable"


def test_explain_refuses_a_broken_package(clause, mini) -> None:
    rule = mini / "rules" / "transport.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("500元", "600元"), encoding="utf-8")
    r = clause("explain", "-", "--date", "2030-06-01", "--package", "mini", stdin="{}")
    assert r.code == 2
    assert "R003" in r.err


def test_check_formats(clause, mini) -> None:
    rule = mini / "rules" / "transport.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("500元", "600元"), encoding="utf-8")
    github = clause("check", "mini", "--format", "github")
    assert github.code == 1
    assert github.out.startswith(
        "::error file=mini/rules/transport.yaml,line=24,col=16,title=R003::"
    )
    assert clause("check", "mini", "--max-errors", "0").code == 2  # bad usage


def test_misspelt_fact_in_a_test_case_is_an_error_not_a_missing_fact(clause, mini) -> None:
    cases = mini / "tests" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    cases.write_text(text.replace("training_months: 8,", "training_month: 8,"), encoding="utf-8")
    r = clause("test", "mini")
    assert r.code == 1
    assert "facts: /person/training_month: `training_month` is not a field" in r.out
    assert "(did you mean `training_months`?)" in r.out


def test_explain_only_keeps_the_outcomes_asked_for(clause, mini) -> None:
    facts = mini.parent / "facts.yaml"
    facts.write_text(
        "person: {poverty_alleviated: true, first_business: true, returned_home: true,"
        " licence_date: 2030-03-15, grants: []}\n",
        encoding="utf-8",
    )
    args = ["explain", "facts.yaml", "--date", "2031-03-15", "--package", "mini", "--format"]
    everything = json.loads(clause(*args, "json").out)["decisions"]
    assert {d["outcome"] for d in everything} > {"eligible"}
    eligible = json.loads(clause(*args, "json", "--only", "eligible").out)["decisions"]
    assert [d["rule"] for d in eligible] == ["startup-return"]
    assert clause(*args, "json", "--only", "elig").code == 2
