"""Properties of decisions that auditors rely on, over generated cases of the mini package and
of the language-forms package (tests/fixtures/forms).

- Rule order and fact key order never change the explanation, byte for byte.
- The compiled fast path (no trace) and the traced interpreter decide the same.
- Removing a fact a decision read keeps its outcome or makes it undetermined listing that
  fact: a missing fact never flips eligible and ineligible (three-valued logic, never
  silently false).
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from strategies import cases, dates, forms_cases, forms_dates, forms_params

from clause.engine.decide import NULL_SINK, TraceSink, decide
from clause.engine.explain.build import explain
from clause.engine.explain.render import to_json
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.load.package import load_package
from clause.engine.testing import with_parameters

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
PACKAGE = load_package(MINI).package
assert PACKAGE is not None
LIBRARY = Library.of([PACKAGE])


def run(facts: dict[str, Any], on: date, trace: bool = True) -> list[Any]:
    sink = TraceSink() if trace else NULL_SINK
    return decide(LIBRARY, normalize_facts(facts, PACKAGE.env.facts), on, sink=sink)


def as_json(facts: dict[str, Any], on: date, library: Library = LIBRARY) -> str:
    normal = normalize_facts(facts, PACKAGE.env.facts)
    decisions = decide(library, normal, on, sink=TraceSink())
    data = to_json(explain(library, decisions, on, normal), "en")
    return json.dumps(data, ensure_ascii=False, sort_keys=False)


def shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


@given(facts=cases, on=dates, seed=st.integers(0, 2**16))
def test_rule_and_key_order_never_change_the_explanation(facts, on, seed) -> None:
    rng = random.Random(seed)
    rules = list(PACKAGE.rules)
    rng.shuffle(rules)
    reordered = Library.of([replace(PACKAGE, rules=tuple(rules))])
    assert as_json(shuffled(facts, rng), on, reordered) == as_json(facts, on)


def summary(decisions: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            d.rule.id,
            d.outcome,
            d.reason,
            d.amount.amount if d.amount else None,
            d.missing,
            tuple((s.fund, s.amount) for s in d.funding),
            d.superseded_by,
        )
        for d in decisions
    ]


@given(facts=cases, on=dates)
def test_compiled_fast_path_decides_like_the_traced_interpreter(facts, on) -> None:
    assert summary(run(facts, on, trace=False)) == summary(run(facts, on, trace=True))


def without(facts: dict[str, Any], path: str) -> dict[str, Any] | None:
    """`facts` with the fact at a dotted path removed; None when the path is not a fact."""
    parts = path.split(".")
    if parts[0] in ("decision_date", "param") or len(parts) < 2:
        return None
    copy = json.loads(json.dumps(facts, default=str))
    node = copy
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if not isinstance(node, dict) or parts[-1] not in node:
        return None
    del node[parts[-1]]
    return copy


@given(facts=cases, on=dates)
def test_a_missing_fact_never_flips_eligible_and_ineligible(facts, on) -> None:
    before = {d.rule.id: d for d in run(facts, on)}
    for rule_id, decision in before.items():
        if decision.outcome not in ("eligible", "ineligible", "compliant", "violation"):
            continue
        read = {r.path for c in decision.conditions for r in c.facts}
        for path in sorted(read):
            # a projection such as person.grants.program is removed at its list
            fact = path if path.count(".") == 1 else ".".join(path.split(".")[:2])
            smaller = without(facts, fact)
            if smaller is None:
                continue
            after = {d.rule.id: d for d in run(smaller, on)}.get(rule_id)
            if after is None:
                continue  # the subject entity itself went away
            if after.outcome == "undetermined":
                assert fact in after.missing or any(m.startswith(fact) for m in after.missing)
            elif after.superseded_by is None and decision.superseded_by is None:
                assert after.outcome == decision.outcome, (rule_id, fact)


# -- the same properties over the language forms of issue 11 (tests/fixtures/forms) --------
# cited clauses, another rule's outcome, periodic limits over several programmes, floors,
# computed amounts, events, in-principle checks, and parameters set per case.

FORMS = load_package(MINI.parent / "forms").package
assert FORMS is not None
FORMS_LIBRARY = Library.of([FORMS])


def run_forms(
    facts: dict[str, Any], on: date, params: dict[str, Any], trace: bool = True
) -> list[Any]:
    library = with_parameters(FORMS_LIBRARY, params, "generated") if params else FORMS_LIBRARY
    sink = TraceSink() if trace else NULL_SINK
    return decide(library, normalize_facts(facts, FORMS.env.facts), on, sink=sink)


@given(facts=forms_cases, on=forms_dates, params=forms_params)
def test_forms_fast_path_decides_like_the_traced_interpreter(facts, on, params) -> None:
    fast = run_forms(facts, on, params, trace=False)
    traced = run_forms(facts, on, params, trace=True)
    assert summary(fast) == summary(traced)
    assert [[(s.whole, s.up_to) for s in d.funding] for d in fast] == [
        [(s.whole, s.up_to) for s in d.funding] for d in traced
    ]


@given(facts=forms_cases, on=forms_dates, seed=st.integers(0, 2**16))
def test_forms_rule_and_key_order_never_change_the_explanation(facts, on, seed) -> None:
    """Rules that read another's outcome are decided after it whatever the file order."""
    rng = random.Random(seed)
    rules = list(FORMS.rules)
    rng.shuffle(rules)
    reordered = Library.of([replace(FORMS, rules=tuple(rules))])
    normal = normalize_facts(facts, FORMS.env.facts)

    def shown(library: Library, case: dict[str, Any]) -> str:
        decisions = decide(library, normalize_facts(case, FORMS.env.facts), on, sink=TraceSink())
        return json.dumps(to_json(explain(library, decisions, on, normal), "en"))

    assert shown(reordered, shuffled(facts, rng)) == shown(FORMS_LIBRARY, facts)


@given(facts=forms_cases, on=forms_dates, params=forms_params)
def test_forms_a_missing_fact_never_flips_a_decided_outcome(facts, on, params) -> None:
    decided = ("eligible", "ineligible", "compliant", "violation", "exception_needed")
    before = {d.rule.id: d for d in run_forms(facts, on, params)}
    for rule_id, decision in before.items():
        if decision.outcome not in decided:
            continue
        read = {r.path for c in decision.conditions for r in c.facts}
        for path in sorted(read):
            fact = path if path.count(".") == 1 else ".".join(path.split(".")[:2])
            smaller = without(facts, fact)
            if smaller is None:
                continue
            after = {d.rule.id: d for d in run_forms(smaller, on, params)}.get(rule_id)
            if after is None:
                continue
            if after.outcome == "undetermined":
                assert any(m == fact or m.startswith(fact + ".") for m in after.missing), (
                    rule_id,
                    fact,
                    after.missing,
                )
            else:
                assert after.outcome == decision.outcome, (rule_id, fact)
