"""Decisions: the one decision procedure, its result types and vocabularies.

`decide(library, facts, on, sink=..., budget=...)` is the entry point; `select` picks what an
output shows after everything is decided.
"""

from clause.engine.decide.checks import rank_missing
from clause.engine.decide.core import decide, select
from clause.engine.decide.funding import QUOTA_UNKNOWN, Budget, allocate, quota_of
from clause.engine.decide.overrides import apply_overrides, supersede
from clause.engine.decide.reasons import (
    BENEFIT_OUTCOMES,
    OBLIGATION_OUTCOMES,
    Outcome,
    Reason,
    ReasonCode,
    Role,
)
from clause.engine.decide.results import AmountResult, ConditionResult, Decision, FundingShare, Read
from clause.engine.decide.sink import NULL_SINK, Event, Sink, TraceEvent, TraceSink

__all__ = [
    "BENEFIT_OUTCOMES",
    "NULL_SINK",
    "OBLIGATION_OUTCOMES",
    "QUOTA_UNKNOWN",
    "AmountResult",
    "Budget",
    "ConditionResult",
    "Decision",
    "Event",
    "FundingShare",
    "Outcome",
    "Read",
    "Reason",
    "ReasonCode",
    "Role",
    "Sink",
    "TraceEvent",
    "TraceSink",
    "allocate",
    "apply_overrides",
    "decide",
    "quota_of",
    "rank_missing",
    "select",
    "supersede",
]
