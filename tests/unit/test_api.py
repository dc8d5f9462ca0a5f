"""The facade (engine.api): one call per user task, errors as located diagnostics."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from clause.engine import api
from clause.engine.decide import Outcome
from clause.engine.diagnostics import DiagnosticError
from clause.engine.library import Library

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


def codes(err: pytest.ExceptionInfo[DiagnosticError]) -> list[str]:
    return [d.code for d in err.value.diagnostics]


def test_open_library_gives_the_package_digest_and_rules() -> None:
    library = api.open_library(MINI)
    assert isinstance(library, Library)
    assert library.digest == api.open_package(MINI).digest
    assert [r.id for r in library.rules_by_id] == sorted(r.id for r in library.rules_by_id)


def test_open_library_names_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(DiagnosticError) as err:
        api.open_library(tmp_path / "nowhere")
    assert codes(err) == ["L001"]
    with pytest.raises(DiagnosticError) as err:
        api.open_library(tmp_path)
    assert codes(err) == ["U002"]


def test_a_package_with_errors_is_never_decided(tmp_path: Path) -> None:
    broken = tmp_path / "mini"
    shutil.copytree(MINI, broken)
    rule = broken / "rules" / "transport.yaml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace("person.organised", "person.organized")
    )
    with pytest.raises(DiagnosticError) as err:
        api.open_library(broken)
    assert "T201" in codes(err)


def test_load_facts_checks_against_the_schema_with_a_place(tmp_path: Path) -> None:
    library = api.open_library(MINI)
    path = tmp_path / "facts.yaml"
    path.write_text("person:\n  poverty_alleviated: maybe\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as err:
        api.load_facts(path, library)
    (diagnostic,) = err.value.diagnostics
    assert diagnostic.code == "F001" and diagnostic.span.line == 2
    assert "/person/poverty_alleviated" in diagnostic.message
    facts = api.load_facts('{"人员": {"脱贫人口": true}}', library)  # stdin text, aliases
    assert facts == {"person": {"poverty_alleviated": True}}


def test_selection_errors_are_usage_errors() -> None:
    library = api.open_library(MINI)
    with pytest.raises(DiagnosticError) as err:
        api.check_selection(library, rule="no-such-rule")
    assert codes(err) == ["U003"]
    with pytest.raises(DiagnosticError) as err:
        api.check_selection(library, only={"paid"})
    assert codes(err) == ["U004"]


def test_explain_case_decides_everything_then_shows_what_was_asked() -> None:
    library = api.open_library(MINI)
    facts = api.load_facts('{"person": {"poverty_alleviated": false}}', library)
    expl = api.explain_case(library, facts, date(2030, 12, 1), only={"ineligible"})
    assert expl.decisions and {d.outcome for d in expl.decisions} == {Outcome.INELIGIBLE}
    everything = api.decide_case(library, facts, date(2030, 12, 1))
    assert len(everything) > len(expl.decisions)


def test_read_budget_rejects_negative_amounts(tmp_path: Path) -> None:
    path = tmp_path / "budget.yaml"
    path.write_text("bridging_fund: -5\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as err:
        api.read_budget(path)
    assert codes(err) == ["F003"]
