"""What the decision core returns: one Decision per rule decided, with its parts.

In: nothing (plain data types). Out: Decision, AmountResult, FundingShare, ConditionResult, Read.
These are slotted dataclasses that nobody mutates once `decide` has returned them; they are not
frozen because the fast path builds millions of them, and a frozen dataclass costs six times as
much to construct. Trace-only fields (conditions, an amount's computation, why a version was
chosen) are empty when no trace is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.decide.reasons import Outcome, Reason, Role
from clause.engine.model import Cite, Rule, Version
from clause.engine.source import Span


@dataclass(slots=True)
class Read:
    """A fact or parameter an expression read, with the value it had (None: missing)."""

    path: str
    value: Any


@dataclass(slots=True)
class ConditionResult:
    """One traced check: its expression, value (None: unknown), what it read, and its quote."""

    id: str
    role: Role
    expr: str
    quote: str
    value: bool | None
    missing: tuple[str, ...] = ()
    facts: tuple[Read, ...] = ()
    params: tuple[Read, ...] = ()
    span: Span | None = None
    in_principle: bool = False  # 原则上: false means a deviation needing an exception
    cite: Cite | None = None  # the clause the quote comes from, when not the rule's own
    outcomes: tuple[Read, ...] = ()  # other rules' outcomes read, as `outcome("id")`

    @property
    def passed(self) -> bool | None:
        """Whether the check lets the benefit through: a condition, requirement or event that
        holds, an exception or an earlier grant that does not. None when unknown."""
        if self.value is None:
            return None
        return self.value if self.role not in (Role.UNLESS, Role.ONCE) else not self.value


@dataclass(slots=True)
class AmountResult:
    """How much, in which form. `amount` None: not known (unknown claim, not configured…)."""

    kind: str
    amount: Decimal | None
    quote: str
    computation: str = ""  # the arithmetic shown in a trace; empty on the fast path
    cap: Decimal | None = None  # the most that can be paid, when the amount is not known
    param: str | None = None
    configured: bool = True
    note: Reason | None = None
    floor: Decimal | None = None  # the least that is due, when the amount is not known


@dataclass(slots=True)
class FundingShare:
    """One source of the funding chain and what it pays (None: not known)."""

    fund: str
    quote: str
    amount: Decimal | None
    shortfall: bool = False  # covers what an earlier source could not
    quota: Decimal | None = None  # the case's quota of this source (NaN: unknown)
    whole: bool = False  # pays the whole amount, itself not known (amount is None)
    up_to: Decimal | None = None  # when the share is not known: the most it can be


@dataclass(slots=True)
class Decision:
    """The outcome of one rule for one case on one date."""

    rule: Rule
    outcome: Outcome
    reason: Reason
    version: Version | None = None
    effective_date: date | None = None
    version_reason: Reason | None = None
    conditions: tuple[ConditionResult, ...] = ()
    amount: AmountResult | None = None
    funding: tuple[FundingShare, ...] = ()
    missing: tuple[str, ...] = ()
    superseded_by: str | None = None
    notes: tuple[Reason, ...] = ()

    @property
    def paid(self) -> Decimal | None:
        """The amount payable: set only for an eligible benefit whose amount is known."""
        if self.outcome is not Outcome.ELIGIBLE or self.amount is None:
            return None
        return self.amount.amount
