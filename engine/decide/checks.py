"""Observed evaluation: a case's expressions evaluated and, traced, reported with what they read.

In: the library, one case's facts, the date and a sink. Out: the base of the decision core's
per-case object: `value` (compiled, for dates, amounts and quotas), `check` (the reference
interpreter, building a ConditionResult for the trace), `checks` (a list of conditions either
way, every one evaluated so an expression error stops a case whatever the other facts), and
the reasons that depend only on the rules, made once per library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from clause.engine.decide.reasons import Reason, ReasonCode, Role
from clause.engine.decide.results import ConditionResult, Read
from clause.engine.decide.sink import Sink
from clause.engine.expr.interpret import interpret
from clause.engine.expr.values import Unknown
from clause.engine.library import Library
from clause.engine.model import Condition, Expr, Rule

#: The reasons that name the condition (its id and quote) that decided.
CITING = frozenset(
    {
        ReasonCode.CONDITION_FAILED,
        ReasonCode.EXCEPTION,
        ReasonCode.DUTY_NOT_APPLICABLE,
        ReasonCode.REQUIREMENT_FAILED,
        ReasonCode.PRINCIPLE_DEVIATION,
        ReasonCode.EVENT_NOT_HAPPENED,
    }
)


class Observed:
    """One case being decided: the facts, the date, and how expressions are observed."""

    def __init__(self, library: Library, facts: Mapping[str, Any], on: date, sink: Sink) -> None:
        self.library, self.facts, self.on, self.sink = library, facts, on, sink
        self.trace = sink.enabled
        self.in_force = library.in_force_by_rule
        self.memo = library.memo

    # -- expressions -------------------------------------------------------------------------

    def value(self, expr: Expr, params: Mapping[str, Any]) -> Any:
        """An expression's value (compiled and interpreted agree: property-tested)."""
        return expr.fn(self.facts, params, self.on)

    def check(
        self, rule: Rule, cond: Condition, role: Role, params: Mapping[str, Any]
    ) -> tuple[Any, ConditionResult]:
        """A condition on the reference interpreter, reported to the sink with what it read."""
        result = interpret(cond.expr.node, self.facts, params, self.on)
        value = result.value
        reads = sorted(result.reads.items())
        record = ConditionResult(
            cond.id,
            role,
            cond.expr.text,
            cond.quote,
            value if isinstance(value, bool) else None,
            tuple(sorted(value.paths)) if type(value) is Unknown else (),
            tuple(Read(p, _plain(v)) for p, v in reads if _kind_of_read(p) == "fact"),
            tuple(Read(p, _plain(v)) for p, v in reads if _kind_of_read(p) == "param"),
            cond.expr.span,
            cond.in_principle,
            cond.cite,
            tuple(Read(p, _plain(v)) for p, v in reads if _kind_of_read(p) == "outcome"),
        )
        self.sink.check(rule.id, record)
        return value, record

    def checks(
        self,
        rule: Rule,
        conditions: Sequence[Condition],
        role: Role,
        params: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> list[Any]:
        """The values of `conditions`, each one evaluated; traced into `records` when given."""
        if records is None:
            facts, on = self.facts, self.on
            return [c.expr.fn(facts, params, on) for c in conditions]
        values = []
        for cond in conditions:
            value, record = self.check(rule, cond, role, params)
            records.append(record)
            values.append(value)
        return values

    # -- reasons that depend only on the rules: made once per library -----------------------

    def cited(self, code: ReasonCode, cond: Condition) -> Reason:
        """The reason naming a condition and its quote (a failed condition, an exception…)."""
        key = (code, id(cond))
        hit = self.memo.get(key)
        if hit is None or hit[0] is not cond:
            assert code in CITING
            hit = self.memo[key] = (cond, Reason.of(code, id=cond.id, quote=cond.quote))
        return hit[1]

    def missing_date(self, unknown: Sequence[frozenset[str]]) -> tuple[tuple[str, ...], Reason]:
        """The missing facts and the reason when no version's date is known (ranked as
        rank_missing does: whether the event happened, when that is unknown too, first)."""
        key = ("missing_date", tuple(unknown))
        hit = self.memo.get(key)
        if hit is None:
            missing = rank_missing(unknown)
            reason = Reason.of(ReasonCode.MISSING_EFFECTIVE_DATE, paths=", ".join(missing))
            hit = self.memo[key] = (missing, reason)
        return hit

    # -- one rule ----------------------------------------------------------------------------


def _kind_of_read(path: str) -> str:
    """Whether a traced read is a fact, a parameter or another rule's outcome."""
    if path.startswith("param."):
        return "param"
    if path.startswith("outcome("):
        return "outcome"
    return "fact"


def rank_missing(open_paths: Sequence[frozenset[str]]) -> tuple[str, ...]:
    """Missing facts, those settling the most open checks first, then in check order.

    >>> rank_missing([frozenset({"b"}), frozenset({"a", "b"})])
    ('b', 'a')
    """
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, paths in enumerate(open_paths):
        for path in sorted(paths):
            counts[path] = counts.get(path, 0) + 1
            first.setdefault(path, i)
    return tuple(sorted(counts, key=lambda p: (-counts[p], first[p], p)))


def _plain(value: Any) -> Any:
    return None if type(value) is Unknown else value
