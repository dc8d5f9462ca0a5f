"""Funding: an eligible amount split along its ordered chain of sources ("不足部分…").

In: a decision, a way to evaluate quota expressions, and optionally a Budget (remaining quota
per fund, shared by the cases of a register in input order). Out: the decision with one share
per source. Each source pays up to its quota; a later source covers the shortfall; what no
source covers is noted. A quota that is unknown (its fact is missing) leaves the split open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clause.engine.decide.amounts import ZERO, cents
from clause.engine.decide.reasons import Reason, ReasonCode
from clause.engine.decide.results import Decision, FundingShare
from clause.engine.expr.values import show_value
from clause.engine.model import Expr, FundingSource

#: The quota of a source whose quota fact is missing: the split between sources is open.
QUOTA_UNKNOWN = Decimal("NaN")
_NO_PARAMS: dict[str, Any] = {}


@dataclass
class Budget:
    """Remaining quota per fund id; allocation spends it, so cases share it in input order."""

    remaining: MutableMapping[str, Decimal] = field(default_factory=dict)

    def take(self, fund: str, wanted: Decimal) -> Decimal:
        """Spend up to `wanted` from `fund` (which must have a budget); return what was spent."""
        got = min(wanted, max(self.remaining[fund], ZERO))
        self.remaining[fund] = self.remaining[fund] - got
        return got


def quota_of(
    source: FundingSource, evaluate: Callable[[Expr, Mapping[str, Any]], Any]
) -> Decimal | None:
    """A source's quota for one case: a number, read from the facts (QUOTA_UNKNOWN when the
    fact is missing), or None when the source has no quota."""
    quota = source.quota
    if quota is None or isinstance(quota, Decimal):
        return quota
    value = evaluate(quota, _NO_PARAMS)
    return value if isinstance(value, Decimal) else QUOTA_UNKNOWN


def fund(
    decision: Decision,
    evaluate: Callable[[Expr, Mapping[str, Any]], Any],
    budget: Budget | None = None,
) -> Decision:
    """Fill in the decision's funding shares (none known unless eligible with a known amount)
    and notes. The decision is still being built by the core, so it is completed in place
    rather than copied: this runs for every funded decision of every case of a register."""
    version = decision.version
    if version is None or not version.funding:
        return decision
    sources = version.funding
    amount = decision.paid
    if amount is None:
        decision.funding = tuple(
            FundingShare(s.fund, s.quote, None, i > 0) for i, s in enumerate(sources)
        )
        return decision
    chain = [(s.fund, quota_of(s, evaluate)) for s in sources]
    got = allocate(amount, chain, budget)
    decision.funding = tuple(
        FundingShare(s.fund, s.quote, g, i > 0, q)
        for i, (s, g, (_, q)) in enumerate(zip(sources, got, chain, strict=True))
    )
    if any(g is None for g in got):
        unknown = next(f for f, q in chain if q is not None and q.is_nan())
        decision.notes = (*decision.notes, Reason.of(ReasonCode.QUOTA_UNKNOWN, fund=unknown))
        return decision
    left = amount - sum((g for g in got if g is not None), ZERO)
    if left > 0:
        note = Reason.of(ReasonCode.UNCOVERED, amount=show_value(left))
        decision.notes = (*decision.notes, note)
    return decision


def allocate(
    amount: Decimal, chain: Sequence[tuple[str, Decimal | None]], budget: Budget | None = None
) -> tuple[Decimal | None, ...]:
    """Split `amount` along a funding chain of (fund, quota) pairs, in order: each source pays
    up to its quota (None: no quota) and, when `budget` holds the fund, up to what is left of
    it; a later source covers what earlier ones could not. Returns each source's share.

    A quota that is unknown (QUOTA_UNKNOWN) makes every share unknown (None) and spends no
    budget. Budget allocation in a register calls this in input order.

    >>> allocate(Decimal("500.00"), [("a", Decimal(400)), ("b", None)])
    (Decimal('400.00'), Decimal('100.00'))
    >>> allocate(Decimal("500.00"), [("a", QUOTA_UNKNOWN), ("b", None)])
    (None, None)
    >>> allocate(Decimal("500.00"), [("a", Decimal(0)), ("b", None)])
    (Decimal('0.00'), Decimal('500.00'))
    """
    if any(q is not None and q.is_nan() for _, q in chain):
        return tuple(None for _ in chain)
    left = amount
    shares: list[Decimal | None] = []
    for fund_id, quota in chain:
        if left <= 0:
            shares.append(Decimal("0.00"))
            continue
        got = cents(left if quota is None else min(left, max(quota, ZERO)))
        if budget is not None and fund_id in budget.remaining:
            got = cents(budget.take(fund_id, got))
        shares.append(got)
        left -= got
    return tuple(shares)
