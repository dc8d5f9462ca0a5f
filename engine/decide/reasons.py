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

    ELIGIBLE = "eligible"  # a benefit is payable
    INELIGIBLE = "ineligible"  # a condition failed, an exception or an earlier grant applies
    NOT_APPLICABLE = "not_applicable"  # outside every window, superseded, or a duty not owed
    UNDETERMINED = "undetermined"  # missing facts, listed
    COMPLIANT = "compliant"  # an obligation is met
    VIOLATION = "violation"  # an obligation is not met


BENEFIT_OUTCOMES = (
    Outcome.ELIGIBLE,
    Outcome.INELIGIBLE,
    Outcome.NOT_APPLICABLE,
    Outcome.UNDETERMINED,
)
OBLIGATION_OUTCOMES = (
    Outcome.COMPLIANT,
    Outcome.VIOLATION,
    Outcome.NOT_APPLICABLE,
    Outcome.UNDETERMINED,
)


class Role(StrEnum):
    """The part a traced check plays in its rule."""

    CONDITION = "condition"  # must hold for the benefit (or for the duty to apply)
    UNLESS = "unless"  # an exception: when true, the benefit is refused
    REQUIRES = "requires"  # what an obligation demands
    ONCE = "once"  # the grant-history check of a one-off benefit (true: already granted)


class ReasonCode(StrEnum):
    """Why an outcome, a version, an amount or a note: one member per distinct explanation."""

    VERSION = "version"  # args: source, day, version, window
    NOTICE_EXPIRED = "notice_expired"  # document, end, source, day
    NOTICE_NOT_YET = "notice_not_yet"  # document, start, source, day
    RULE_EXPIRED = "rule_expired"  # end
    RULE_NOT_YET = "rule_not_yet"  # start
    NO_VERSION = "no_version"
    MISSING_EFFECTIVE_DATE = "missing_effective_date"  # paths
    CONDITION_FAILED = "condition_failed"  # id, quote
    EXCEPTION = "exception"  # id, quote
    EARLIER_GRANT = "earlier_grant"  # program, date, quote
    MISSING_FACTS = "missing_facts"
    ALL_MET = "all_met"
    DUTY_NOT_APPLICABLE = "duty_not_applicable"  # id, quote
    REQUIREMENT_FAILED = "requirement_failed"  # id, quote
    ALL_REQUIREMENTS_MET = "all_requirements_met"
    SUPERSEDED = "superseded"  # by, was
    MAYBE_SUPERSEDED = "maybe_superseded"  # by
    QUOTA_UNKNOWN = "quota_unknown"  # fund
    NOT_CONFIGURED = "not_configured"  # param
    CLAIM_UNKNOWN = "claim_unknown"  # cap
    COUNT_UNKNOWN = "count_unknown"
    BASE_UNKNOWN = "base_unknown"
    PER_OTHER_REGULATION = "per_other_regulation"  # who, param
    UNCOVERED = "uncovered"  # amount


class Reason(NamedTuple):
    """A reason code and its arguments, kept as values; `explain` words them in zh or en.

    >>> Reason.of(ReasonCode.RULE_EXPIRED, end="2025-12-31").arg("end")
    '2025-12-31'
    """

    code: ReasonCode
    args: tuple[tuple[str, object], ...] = ()

    @staticmethod
    def of(code: ReasonCode, **args: object) -> Reason:
        return Reason(code, tuple(args.items()))

    def arg(self, name: str) -> str:
        """An argument as text ("" when absent)."""
        for key, value in self.args:
            if key == name:
                return "" if value is None else str(value)
        return ""


#: The word for "the decision date" when it is what selected a version.
DECISION_DATE = "decision_date"
