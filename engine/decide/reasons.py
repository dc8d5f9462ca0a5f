"""The closed vocabularies of a decision: outcomes, condition roles and reason codes.

In: nothing. Out: enums every other stage uses, so that an outcome or reason is never a free
string. The words for each (zh and en) live in `engine.explain.words`; a test proves that every
member has both, so a new code can never be shown as a blank.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Outcome(StrEnum):
    """What a rule decided for one case."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NOT_APPLICABLE = "not_applicable"
    UNDETERMINED = "undetermined"
    COMPLIANT = "compliant"
    VIOLATION = "violation"
    # 原则上: the case departs from a rule that admits exceptions; lawful (payable, compliant)
    # only with a documented exception, which the facts cannot show. Neither a refusal nor a
    # violation, and never silently clipped to the rule.
    EXCEPTION_NEEDED = "exception_needed"


BENEFIT_OUTCOMES = (
    Outcome.ELIGIBLE,
    Outcome.INELIGIBLE,
    Outcome.NOT_APPLICABLE,
    Outcome.EXCEPTION_NEEDED,
    Outcome.UNDETERMINED,
)
OBLIGATION_OUTCOMES = (
    Outcome.COMPLIANT,
    Outcome.VIOLATION,
    Outcome.NOT_APPLICABLE,
    Outcome.EXCEPTION_NEEDED,
    Outcome.UNDETERMINED,
)


class Role(StrEnum):
    """The part a traced check plays in its rule."""

    CONDITION = "condition"  # must hold for the benefit (or for the duty to apply)
    UNLESS = "unless"  # an exception: when true, the benefit is refused
    REQUIRES = "requires"
    ONCE = "once"  # the grant-history check of a one-off benefit (true: already granted)
    EVENT = "event"  # whether the event that dates the version happened at all


class ReasonCode(StrEnum):
    """Why an outcome, a version, an amount or a note: one member per distinct explanation."""

    VERSION = "version"  # args: source, day, version, window
    NOTICE_EXPIRED = "notice_expired"
    NOTICE_NOT_YET = "notice_not_yet"
    RULE_EXPIRED = "rule_expired"
    RULE_NOT_YET = "rule_not_yet"
    NO_VERSION = "no_version"
    MISSING_EFFECTIVE_DATE = "missing_effective_date"
    EVENT_NOT_HAPPENED = "event_not_happened"
    CONDITION_FAILED = "condition_failed"
    EXCEPTION = "exception"
    EARLIER_GRANT = "earlier_grant"
    EARLIER_GRANT_IN_PERIOD = "earlier_grant_in_period"
    PRINCIPLE_DEVIATION = "principle_deviation"
    MISSING_FACTS = "missing_facts"
    ALL_MET = "all_met"
    DUTY_NOT_APPLICABLE = "duty_not_applicable"
    REQUIREMENT_FAILED = "requirement_failed"
    ALL_REQUIREMENTS_MET = "all_requirements_met"
    SUPERSEDED = "superseded"
    MAYBE_SUPERSEDED = "maybe_superseded"
    QUOTA_UNKNOWN = "quota_unknown"
    NOT_CONFIGURED = "not_configured"
    CLAIM_UNKNOWN = "claim_unknown"
    CLAIM_UNKNOWN_FLOOR = "claim_unknown_floor"
    VALUE_UNKNOWN = "value_unknown"
    COUNT_UNKNOWN = "count_unknown"
    BASE_UNKNOWN = "base_unknown"
    PER_OTHER_REGULATION = "per_other_regulation"
    UNCOVERED = "uncovered"
    REPEALED = "repealed"
    RULE_REPEALED = "rule_repealed"
    EXTENDED = "extended"
    JURISDICTION_UNKNOWN = "jurisdiction_unknown"
    OUTSIDE_JURISDICTION = "outside_jurisdiction"
    IMPLEMENTED = "implemented"
    MAYBE_IMPLEMENTED = "maybe_implemented"


#: The arguments each reason carries; its words (engine.explain.words) may use only these.
REASON_ARGS: dict[ReasonCode, frozenset[str]] = {
    ReasonCode.REPEALED: frozenset({"document", "by", "end", "source", "day"}),
    ReasonCode.RULE_REPEALED: frozenset({"by", "end", "source", "day"}),
    ReasonCode.EXTENDED: frozenset({"document", "by", "end"}),
    ReasonCode.JURISDICTION_UNKNOWN: frozenset({"document", "place", "paths"}),
    ReasonCode.OUTSIDE_JURISDICTION: frozenset({"document", "place", "home"}),
    ReasonCode.IMPLEMENTED: frozenset({"by", "document", "was"}),
    ReasonCode.MAYBE_IMPLEMENTED: frozenset({"by", "document"}),
    ReasonCode.VERSION: frozenset({"source", "day", "version", "window"}),
    ReasonCode.NOTICE_EXPIRED: frozenset({"document", "end", "source", "day"}),
    ReasonCode.NOTICE_NOT_YET: frozenset({"document", "start", "source", "day"}),
    ReasonCode.RULE_EXPIRED: frozenset({"end"}),
    ReasonCode.RULE_NOT_YET: frozenset({"start"}),
    ReasonCode.NO_VERSION: frozenset(),
    ReasonCode.MISSING_EFFECTIVE_DATE: frozenset({"paths"}),
    ReasonCode.EVENT_NOT_HAPPENED: frozenset({"id", "quote"}),
    ReasonCode.CONDITION_FAILED: frozenset({"id", "quote"}),
    ReasonCode.EXCEPTION: frozenset({"id", "quote"}),
    ReasonCode.EARLIER_GRANT: frozenset({"program", "date", "quote"}),
    ReasonCode.EARLIER_GRANT_IN_PERIOD: frozenset({"program", "date", "period", "quote"}),
    ReasonCode.PRINCIPLE_DEVIATION: frozenset({"id", "quote"}),
    ReasonCode.MISSING_FACTS: frozenset(),
    ReasonCode.ALL_MET: frozenset(),
    ReasonCode.DUTY_NOT_APPLICABLE: frozenset({"id", "quote"}),
    ReasonCode.REQUIREMENT_FAILED: frozenset({"id", "quote"}),
    ReasonCode.ALL_REQUIREMENTS_MET: frozenset(),
    ReasonCode.SUPERSEDED: frozenset({"by", "was"}),
    ReasonCode.MAYBE_SUPERSEDED: frozenset({"by"}),
    ReasonCode.QUOTA_UNKNOWN: frozenset({"fund"}),
    ReasonCode.NOT_CONFIGURED: frozenset({"param"}),
    ReasonCode.CLAIM_UNKNOWN: frozenset({"cap"}),
    ReasonCode.CLAIM_UNKNOWN_FLOOR: frozenset({"floor"}),
    ReasonCode.VALUE_UNKNOWN: frozenset(),
    ReasonCode.COUNT_UNKNOWN: frozenset(),
    ReasonCode.BASE_UNKNOWN: frozenset(),
    ReasonCode.PER_OTHER_REGULATION: frozenset({"who", "param"}),
    ReasonCode.UNCOVERED: frozenset({"amount"}),
}


class Reason(NamedTuple):
    """A reason code and its arguments, kept as values; `explain` words them in zh or en.

    >>> Reason.of(ReasonCode.RULE_EXPIRED, end="2025-12-31").arg("end")
    '2025-12-31'
    """

    code: ReasonCode
    args: tuple[tuple[str, object], ...] = ()

    @staticmethod
    def of(code: ReasonCode, **args: object) -> Reason:
        """A reason with named arguments (those of REASON_ARGS[code]: a test reads every call)."""
        return Reason(code, tuple(args.items()))

    def arg(self, name: str) -> str:
        """An argument as text ("" when absent)."""
        for key, value in self.args:
            if key == name:
                return "" if value is None else str(value)
        return ""


#: The word for "the decision date" when it is what selected a version.
DECISION_DATE = "decision_date"
