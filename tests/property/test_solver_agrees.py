"""The solver's encoding of expressions agrees with the reference interpreter.

Reuses the generators of test_backends_agree.py (well-typed trees of every form over a schema
with enums, dates, lists and a list of records; facts where anything may be missing):
- on given facts, the encoded term has the interpreter's value, unknown-ness and error;
- a witness the solver finds for a boolean expression makes the interpreter say true;
- when the solver says a boolean expression can never be true, it is not true on random facts.
Claims are made for exactly encoded terms (no division, no result beyond 34 digits) and facts
inside the analysis domain (engine/analysis/space.py Domain); the rest is counted as events.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import z3
from hypothesis import event, given, note
from test_backends_agree import (
    ENV,
    FACTS_SCHEMA,
    B,
    World,
    canonical,
    checked,
    missing_paths,
    run_interpreter,
    trees,
    worlds,
)

from clause.engine.analysis import dates
from clause.engine.analysis.query import satisfy, witness_of
from clause.engine.analysis.readback import read_value
from clause.engine.analysis.smt import Scope, encode
from clause.engine.analysis.space import Domain, FactSpace, field_infos, kind_of
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import DATE, Term, Unsupported, false, true
from clause.engine.expr import ast
from clause.engine.expr.interpret import interpret
from clause.engine.facts import normalize_facts

DOMAIN = Domain()
INFOS = field_infos(ENV, FACTS_SCHEMA)


def in_domain(facts: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    """Whether every number is within the domain and every list short enough."""

    def number_ok(value: Decimal, integer: bool) -> bool:
        places = -value.as_tuple().exponent if isinstance(value.as_tuple().exponent, int) else 99
        whole = value == value.to_integral_value()
        return abs(value) <= 10**DOMAIN.magnitude and (whole if integer else places <= 6 or whole)

    def ok(value: Any, path: str) -> bool:
        info = INFOS.get(path)
        if isinstance(value, Mapping):
            return all(ok(v, f"{path}.{k}" if path else k) for k, v in value.items())
        if isinstance(value, list | tuple):
            return len(value) <= DOMAIN.max_items and all(ok(v, path) for v in value)
        if isinstance(value, Decimal) and not isinstance(value, bool):
            return number_ok(value, info is not None and info.integer)
        return True

    return ok(facts, "") and all(ok(v, "") for v in params.values())


def bound_scope(facts: Mapping[str, Any], params: Mapping[str, Any], today: date | None) -> Scope:
    """Every name a constant: the case's facts, parameters and date."""
    space = FactSpace(ENV, FACTS_SCHEMA, Strings(), DOMAIN, current=facts)

    def today_term() -> Term:
        slot = space.constant(DATE, None, today)
        return Term(DATE, slot.value, slot.present, false())

    def param_term(pid: str, t: Any) -> Term:
        kind = kind_of(t)
        slot = space.constant(kind, t, params.get(pid))
        return Term(kind, slot.value, slot.present, false(), True, space.digits(None))

    return Scope(space, today_term, param_term)


def solver_value(term: Term, space: FactSpace) -> Any:
    """("error",) | ("unknown",) | canonical value, as the encoding computes it."""
    solver = z3.Solver()
    solver.add(*space.axioms)
    assert solver.check() == z3.sat
    model = solver.model()
    if z3.is_true(model.eval(term.error, model_completion=True)):
        return ("error",)
    if not z3.is_true(model.eval(term.known, model_completion=True)):
        return ("unknown",)
    value = (
        read_value(model, term.kind if term.kind != "record" else "list", term.value, space.strings)
        if term.kind != "record"
        else None
    )
    return _canonical(value)


def _canonical(value: Any) -> Any:
    """canonical(), with numbers compared by value (the solver has no trailing zeros)."""
    if isinstance(value, list | tuple):
        return ("list", tuple(_canonical(v) for v in value))
    if isinstance(value, Decimal):
        return ("number", str(Fraction(value)))
    return canonical(value)


def interpreter_value(typed: ast.Node, facts: Any, params: Any, today: Any) -> Any:
    outcome = run_interpreter(typed, facts, params, today)
    if not hasattr(outcome, "value"):
        return ("error",)
    if outcome.value[0] == "unknown":
        return ("unknown",)
    return _canonical(interpret(typed, facts, params, today).value)


@given(tree=trees(), world=worlds(), missing=missing_paths())
def test_encoding_computes_what_the_interpreter_computes(
    tree: ast.Node, world: World, missing: frozenset[str]
) -> None:
    typed = checked(tree)
    facts, params, today = world.build(missing)
    scope = bound_scope(facts, params, today)
    try:
        term = encode(typed, scope)
    except Unsupported as err:
        event(f"not analysed: {err.what}")
        return
    if not term.exact or (typed.type is not None and str(typed.type) == "list[record]"):
        event("inexact")
        return
    expected = interpreter_value(typed, facts, params, today)
    note(f"interpreter: {expected}")
    got = solver_value(term, scope.space)
    event(f"agree on {expected[0]}")
    if expected[0] == "error":
        assert got == ("error",)
    elif expected[0] == "unknown":
        assert got == ("unknown",)
    elif expected[0] == "record":
        assert got[0] == "list"
    else:
        assert got == expected


@given(tree=trees(B))
def test_a_witness_makes_the_expression_true(tree: ast.Node) -> None:
    typed = checked(tree)
    verdict, term, space = satisfy(typed, ENV, FACTS_SCHEMA, DOMAIN)
    event(f"solver: {verdict.status}")
    if not verdict.sat or term is None or not term.exact:
        return
    found = witness_of(verdict.model, space)
    facts = normalize_facts(found.facts, ENV.facts)
    note(f"witness: {facts} {found.params} {found.today}")
    assert in_domain(facts, found.params)
    assert run_interpreter(typed, facts, found.params, found.today) == run_interpreter(
        typed, facts, found.params, found.today
    )
    outcome = run_interpreter(typed, facts, found.params, found.today)
    assert getattr(outcome, "value", None) == ("bool", True), outcome


@given(tree=trees(B), world=worlds(), missing=missing_paths())
def test_never_true_is_never_true(tree: ast.Node, world: World, missing: frozenset[str]) -> None:
    typed = checked(tree)
    verdict, term, _ = satisfy(typed, ENV, FACTS_SCHEMA, DOMAIN)
    event(f"solver: {verdict.status}")
    if not verdict.unsat or term is None or not term.exact:
        return
    facts, params, today = world.build(missing)
    if not in_domain(facts, params):
        event("facts outside the domain")
        return
    outcome = run_interpreter(typed, facts, params, today)
    assert getattr(outcome, "value", None) != ("bool", True)


def test_statutory_months_match_periods() -> None:
    """Spot check of the date encoding on the month-end cases periods.py documents."""
    from clause.engine import periods

    cases = [
        (date(2021, 3, 15), date(2022, 3, 15)),
        (date(2020, 2, 29), date(2021, 2, 28)),
        (date(2021, 1, 31), date(2021, 2, 28)),
        (date(2022, 3, 15), date(2021, 3, 16)),
        (date(2021, 3, 15), date(2022, 3, 14)),
    ]
    for a, b in cases:
        got = z3.simplify(dates.months_between(dates.const_date(a), dates.const_date(b)))
        assert got.as_long() == periods.months_between(a, b), (a, b)
    shifted, bad = dates.add_months(dates.const_date(date(2021, 1, 31)), 1)
    assert dates.as_date(shifted) == date(2021, 2, 28) and z3.is_false(z3.simplify(bad))
    assert true() is not None
