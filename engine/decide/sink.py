"""Where the decision core reports what it does: nowhere (the fast path) or a trace.

In: events from `engine.decide.core`. Out: nothing (NULL_SINK), or a TraceSink holding every
event in the order it happened. The core asks `sink.enabled` once per rule: with the null sink
it evaluates compiled closures and allocates no per-check record; with a trace sink it runs the
reference interpreter, so each check knows the facts and parameters it read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from clause.engine.decide.results import ConditionResult, Decision


class Event(StrEnum):
    """What a trace event records."""

    CHECK = "check"  # a condition, exception, requirement or grant-history check was evaluated
    DECISION = "decision"  # a rule's decision, final (after overrides and funding)


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One step of a decision: its kind, the rule, and what was found."""

    kind: Event
    rule: str
    check: ConditionResult | None = None
    decision: Decision | None = None


class Sink:
    """The no-op sink: `enabled` is False, and the core never calls it."""

    enabled: ClassVar[bool] = False

    def check(self, rule: str, result: ConditionResult) -> None:
        """A check was evaluated (called only when `enabled`)."""

    def decision(self, decision: Decision) -> None:
        """A rule's final decision (called only when `enabled`)."""


NULL_SINK = Sink()


@dataclass
class TraceSink(Sink):
    """Records every event, in order: the raw trace behind an explanation."""

    events: list[TraceEvent] = field(default_factory=list)
    enabled: ClassVar[bool] = True

    def check(self, rule: str, result: ConditionResult) -> None:
        self.events.append(TraceEvent(Event.CHECK, rule, check=result))

    def decision(self, decision: Decision) -> None:
        self.events.append(TraceEvent(Event.DECISION, decision.rule.id, decision=decision))

    def checks(self, rule: str) -> tuple[ConditionResult, ...]:
        """The checks of one rule, in the order they ran."""
        return tuple(
            e.check for e in self.events if e.kind is Event.CHECK and e.rule == rule and e.check
        )
