"""The conditions a why-not proposal turns, from traced decisions before and after.

In: the library, the case before and after the change. Out: `Tie`s: the conditions of the
benefit now passed (with their quotes), the conditions that stop a rule which would replace
it, and the version brought into force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from clause.engine.decide import Decision, Role, TraceSink, decide
from clause.engine.library import Library
from clause.engine.model import Rule

DECISION_DATE = "decision_date"


@dataclass(frozen=True)
class Tie:
    """A condition a change turns: for the benefit, now passed; for a rule that would replace
    it, no longer applies; or the version now in force."""

    rule: str
    id: str
    role: str
    expr: str
    quote: str
    paths: tuple[str, ...]
    by_date: bool
    effect: str  # satisfied | no_longer_applies | version


def ties(
    library: Library,
    rule: Rule,
    facts: Mapping[str, Any],
    on: date,
    changed: Mapping[str, Any],
    on_after: date,
) -> list[Tie]:
    """The conditions of `rule` (and of the rules that would replace it) that the change turns."""
    before, after = _traced(library, facts, on), _traced(library, changed, on_after)
    out: list[Tie] = []
    target = after.get(rule.id)
    if target is None:
        return out
    earlier = before.get(rule.id)
    if (
        earlier is not None
        and target.version is not None
        and (earlier.version is None or earlier.version.number != target.version.number)
    ):
        out.append(
            Tie(
                rule.id,
                str(target.version.number),
                "version",
                str(target.version.window),
                target.version.window_quote or "",
                (),
                True,
                "version",
            )
        )
    old = {(c.role, c.id): c for c in (earlier.conditions if earlier else ())}
    for check in target.conditions:
        was = old.get((check.role, check.id))
        if check.passed is True and (was is None or was.passed is not True):
            out.append(_tie(rule.id, check, "satisfied"))
    for other in library.rules_by_id:
        if other.id == rule.id or not any(rule.id in v.overrides for v in other.versions):
            continue
        now, then = after.get(other.id), before.get(other.id)
        prior = {(c.role, c.id): c for c in (then.conditions if then else ())}
        for check in now.conditions if now else ():
            was = prior.get((check.role, check.id))
            if check.passed is False and (was is None or was.passed is not False):
                out.append(_tie(other.id, check, "no_longer_applies"))
    return out


def _tie(rule: str, check: Any, effect: str) -> Tie:
    paths = tuple(r.path for r in check.facts)
    role = "once" if check.role is Role.ONCE else str(check.role)
    return Tie(
        rule, check.id, role, check.expr, check.quote, paths, "decision_date" in paths, effect
    )


def _traced(library: Library, facts: Mapping[str, Any], on: date) -> dict[str, Decision]:
    return {d.rule.id: d for d in decide(library, facts, on, sink=TraceSink())}
