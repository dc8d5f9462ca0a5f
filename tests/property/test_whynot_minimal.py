"""`clause whynot` on generated cases of the mini package: every proposal flips the outcome,
and no smaller set of changes — random values for random smaller subsets of the facts the
search considered — makes the benefit eligible (the search claims every minimal set)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from strategies import entity, person_fields

from clause.engine.analysis.whynot import DECISION_DATE, Proposal, why_not
from clause.engine.decide import decide
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.load.package import load_package

ROOT = Path(__file__).resolve().parents[2]


def applied(facts: dict[str, Any], on: date, proposal: Proposal) -> tuple[dict[str, Any], date]:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in facts.items()}
    for change in proposal.changes:
        if change.path == DECISION_DATE:
            on = change.after
            continue
        entity_name, field = change.path.split(".")
        out.setdefault(entity_name, {})[field] = (
            list(change.after) if isinstance(change.after, tuple) else change.after
        )
    return out, on


def outcome_after(library: Library, facts: dict[str, Any], on: date, rule: str) -> str:
    normal = normalize_facts(facts, library.env.facts)
    return next(d.outcome.value for d in decide(library, normal, on) if d.rule.id == rule)


MINI = Library.of([load_package(ROOT / "tests" / "fixtures" / "mini").package])  # type: ignore[list-item]
days = st.dates(min_value=date(2030, 1, 1), max_value=date(2033, 1, 31))
POOL: dict[str, list[Any]] = {
    "person.poverty_alleviated": [True, False],
    "person.organised": [True, False],
    "person.scope": ["跨省", "省内县外", "县内"],
    "person.first_business": [True, False],
    "person.returned_home": [True, False],
    "person.transport_cost": [0, 1, 499, 500, 501, 900],
    "person.training_months": [0, 1, 6, 7],
    "person.grants": [[], [{"program": "other"}], [{"program": "startup"}]],
}


def _values(path: str, on: date, draw: Any) -> Any:
    if path == DECISION_DATE:
        return on + timedelta(days=draw(st.integers(1, 900)))
    if path.endswith("_date"):
        return draw(days)
    return draw(st.sampled_from(POOL[path]))


@settings(max_examples=40)
@given(facts=entity(person_fields), on=days, data=st.data())
def test_proposals_flip_and_no_smaller_change_works(facts, on, data) -> None:
    normal = normalize_facts({"person": facts}, MINI.env.facts)
    answers = why_not(MINI, normal, on, max_proposals=3)
    assume(answers)
    for answer in answers:
        assert answer.unverified == 0 and not answer.not_analysed
        for proposal in answer.proposals:
            changed, day = applied(normal, on, proposal)
            assert outcome_after(MINI, changed, day, answer.rule.id) == "eligible"
        if not answer.proposals or not answer.complete:
            event("no proposal" if not answer.proposals else "capped")
            continue
        smallest = min(len(p.changes) for p in answer.proposals)
        event(f"smallest proposal: {smallest} change(s)")
        searched = [
            c
            for c in answer.candidates
            if c != "person.grants" or "person.grants" not in normal.get("person", {})
        ]
        for _ in range(8):
            size = data.draw(st.integers(0, smallest - 1))
            subset = (
                data.draw(
                    st.lists(st.sampled_from(searched), min_size=size, max_size=size, unique=True)
                )
                if size
                else []
            )
            trial, day = dict(normal), on
            trial = {k: dict(v) for k, v in trial.items()}
            for path in subset:
                value = _values(path, on, data.draw)
                if path == DECISION_DATE:
                    day = value
                else:
                    trial.setdefault("person", {})[path.split(".")[-1]] = value
            trial_facts = normalize_facts(trial, MINI.env.facts)
            outcome = {d.rule.id: d.outcome.value for d in decide(MINI, trial_facts, day)}
            assert outcome.get(answer.rule.id) != "eligible", (subset, trial, day)
