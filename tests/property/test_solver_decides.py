"""The solver's model of the decision procedure decides as engine/decide/core.py does.

Generated cases of the mini package (versions by effective date, exceptions, grant history,
overrides, an obligation, a locality parameter), of the language-forms package (events,
periodic `once` limits over several programmes, another rule's outcome, in-principle checks,
floors and computed amounts, parameters set per case), generated persons under the library's
layers (the provincial transport rules, 竹溪县's implementation), and every policy test case and
example:
for each rule decided, the encoded final outcome (after overrides) equals `decide`'s, and the
encoding says no expression fails. This holds the static analysis and `whynot` to the one
decision procedure: a change there that is not mirrored in engine/analysis/outcome.py fails here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import z3
from hypothesis import event, example, given
from strategies import (
    cases,
    dates,
    forms_cases,
    forms_dates,
    forms_params,
    layer_cases,
    layer_dates,
)
from test_decisions import FORMS_LIBRARY, LIBRARY

from clause.engine.analysis import dates as solver_dates
from clause.engine.analysis.outcome import Situation
from clause.engine.analysis.space import FactSpace
from clause.engine.analysis.strings import Strings
from clause.engine.api import load_facts, open_library
from clause.engine.decide import decide
from clause.engine.expr.values import EvalError
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.load.loader import load_yaml
from clause.engine.testing import with_parameters

ROOT = Path(__file__).resolve().parents[2]
OUTCOMES = ("eligible", "ineligible", "undetermined", "not_applicable", "exception_needed")
OBLIGATION = {"eligible": "compliant", "ineligible": "violation"}


def encoded(library: Library, facts: Any, on: date) -> tuple[dict[str, str], bool]:
    """Each rule's outcome as the solver's model has it, and whether deciding fails."""
    space = FactSpace(library.env, library.facts_schema, Strings(), current=facts)
    situation = Situation(library, space, solver_dates.const_date(on))
    formulas = {
        rule.id: {o: situation.final(rule, o) for o in OUTCOMES} for rule in library.rules_by_id
    }
    error = situation.case_error()
    solver = z3.Solver()
    solver.add(*space.axioms)
    assert solver.check() == z3.sat
    model = solver.model()
    out = {}
    for rule in library.rules_by_id:
        held = [o for o, f in formulas[rule.id].items() if z3.is_true(model.eval(f, True))]
        assert len(held) <= 1, (rule.id, held)
        if held and rule.kind == "obligation":
            held = [OBLIGATION.get(held[0], held[0])]
        if held:
            out[rule.id] = held[0]
    return out, bool(z3.is_true(model.eval(error, True)))


def decided(library: Library, facts: Any, on: date) -> dict[str, str]:
    return {d.rule.id: d.outcome.value for d in decide(library, facts, on)}


def decided_alike(library: Library, facts: Any, on: date) -> dict[str, str] | None:
    """Assert the encoding decides the case as the core does: the same outcome per rule, or
    an evaluation error in both. The core's outcomes (None: it raised)."""
    try:
        expected: dict[str, str] | None = decided(library, facts, on)
    except EvalError:
        expected = None
    got, fails = encoded(library, facts, on)
    assert fails == (expected is None)
    if expected is not None:
        assert got == expected
    return expected


@given(facts=cases, on=dates)
def test_mini_cases_are_decided_alike(facts: dict[str, Any], on: date) -> None:
    expected = decided_alike(LIBRARY, normalize_facts(facts, LIBRARY.env.facts), on)
    assert expected is not None  # the mini library's expressions never fail
    for rule_id, outcome in expected.items():
        event(f"{rule_id} {outcome}")


@given(facts=forms_cases, on=forms_dates, params=forms_params)
@example(  # a benefit held 原则上: exception_needed
    facts={"job": {"locality": "甲镇", "in_post": True}},
    on=date(2031, 6, 1),
    params={"job.township_standard": 1900},
)
def test_forms_cases_are_decided_alike(
    facts: dict[str, Any], on: date, params: dict[str, Any]
) -> None:
    library = with_parameters(FORMS_LIBRARY, params, "generated") if params else FORMS_LIBRARY
    expected = decided_alike(library, normalize_facts(facts, library.env.facts), on)
    for rule_id, outcome in (expected or {"error": "raised"}).items():
        event(f"{rule_id} {outcome}")


def test_a_benefit_held_in_principle_needs_an_exception_in_both() -> None:
    """The example above decides exception_needed (so the property covers that outcome)."""
    library = with_parameters(FORMS_LIBRARY, {"job.township_standard": 1900}, "x")
    facts = normalize_facts({"job": {"locality": "甲镇", "in_post": True}}, library.env.facts)
    assert decided(library, facts, date(2031, 6, 1))["job-subsidy"] == "exception_needed"


HUBEI = open_library(ROOT / "policies")
POLICY_CASES = [
    (path.name, i, case)
    for path in sorted((ROOT / "policies").glob("*/*/tests/*.yaml"))
    for i, case in enumerate(load_yaml(path).data)
]


@pytest.mark.parametrize("case", POLICY_CASES, ids=[f"{n}#{i}" for n, i, _ in POLICY_CASES])
def test_policy_cases_are_decided_alike(case: tuple[str, int, dict[str, Any]]) -> None:
    name, _, data = case
    library = with_parameters(HUBEI, data["params"], name) if data.get("params") else HUBEI
    facts = normalize_facts(data["facts"], library.env.facts)
    assert decided_alike(library, facts, data["date"]) is not None


def test_examples_are_decided_alike() -> None:
    for path in sorted((ROOT / "examples" / "hubei").glob("*.yaml")):
        facts = load_facts(path, HUBEI)
        for on in (date(2021, 10, 15), date(2022, 3, 15), date(2026, 1, 1)):
            assert decided_alike(HUBEI, facts, on) is not None, path.name


@given(facts=layer_cases, on=layer_dates)
def test_layered_cases_are_decided_alike(facts: dict[str, Any], on: date) -> None:
    """The library's layers: where the person is registered decides which documents govern
    them (jurisdiction first), and 竹溪县's rule, when it has a version for the case, replaces
    the provincial one it implements; otherwise an undetermined county rule leaves a payable
    provincial one undetermined. The encoding decides each generated case as the core does."""
    expected = decided_alike(HUBEI, normalize_facts(facts, HUBEI.env.facts), on) or {}
    for rule_id in ("zhuxi-2021-transport-in-province", "c2-1-transport-in-province"):
        event(f"{rule_id} {expected.get(rule_id)}")
