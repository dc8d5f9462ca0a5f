"""Funding: an eligible amount split along its ordered chain of sources ("不足部分…").

In: a decision, a way to evaluate quota expressions, and optionally a Budget (remaining quota
per fund, shared by the cases of a register in input order). Out: the decision with one share
per source. Each source pays up to its quota; a later source covers the shortfall; what no
source covers is noted. What is not known (a quota whose fact is missing, or the amount
itself when a claim is missing) leaves open only the shares it can change: a quota known to
be 0 still pays 0, and the next source then pays the whole amount, whatever it turns out to be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clause.engine.decide.amounts import ZERO, cents
from clause.engine.decide.reasons import Outcome, Reason, ReasonCode
from clause.engine.decide.results import AmountResult, Decision, FundingShare
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
    """Fill in the decision's funding shares and notes. A payable amount is split along the
    chain (and spends `budget`); an eligible amount that is not known (a claim missing, say)
    still has the shares its quotas settle (see `split`); anything else pays nothing known.
    The decision is still being built by the core, so it is completed in place rather than
    copied: this runs for every funded decision of every case of a register."""
    version = decision.version
    if version is None or not version.funding:
        return decision
    sources = version.funding
    amount = decision.paid
    result = decision.amount
    if amount is None and (decision.outcome is not Outcome.ELIGIBLE or result is None):
        decision.funding = tuple(
            FundingShare(s.fund, s.quote, None, i > 0) for i, s in enumerate(sources)
        )
        return decision
    chain = [(s.fund, quota_of(s, evaluate)) for s in sources]
    if amount is None:
        assert result is not None
        told = bounded_shares(bounds_of(result), chain, budget)
        decision.funding = tuple(
            FundingShare(s.fund, s.quote, k.amount, i > 0, q, k.whole, k.up_to)
            for i, (s, k, (_, q)) in enumerate(zip(sources, told, chain, strict=True))
        )
        decision.notes = (*decision.notes, *_quota_note(chain))
        return decision
    got = allocate(amount, chain, budget)
    known = split(amount, amount, chain) if any(g is None for g in got) else ()
    decision.funding = tuple(
        FundingShare(s.fund, s.quote, g, i > 0, q, up_to=known[i].up_to if known else None)
        for i, (s, g, (_, q)) in enumerate(zip(sources, got, chain, strict=True))
    )
    if known:
        decision.notes = (*decision.notes, *_quota_note(chain))
        return decision
    left = amount - sum((g for g in got if g is not None), ZERO)
    if left > 0:
        note = Reason.of(ReasonCode.UNCOVERED, amount=show_value(left))
        decision.notes = (*decision.notes, note)
    return decision


def bounds_of(result: AmountResult) -> tuple[Decimal, Decimal | None]:
    """The least and most an amount not known can be (most None: no upper bound)."""
    return (result.floor if result.floor is not None else ZERO), result.cap


def bounded_shares(
    bounds: tuple[Decimal, Decimal | None],
    chain: Sequence[tuple[str, Decimal | None]],
    budget: Budget | None = None,
) -> tuple[Share, ...]:
    """The shares of an amount known only to lie within `bounds`, along the chain, each budget
    counting as a lower quota and nothing spent (the batch pipeline calls this too, in input
    order, for rows whose amount is not known)."""
    return split(bounds[0], bounds[1], within_budget(chain, budget))


def within_budget(
    chain: Sequence[tuple[str, Decimal | None]], budget: Budget | None
) -> list[tuple[str, Decimal | None]]:
    """The chain with each budgeted fund's quota lowered to what is left of its budget, for a
    split that spends nothing (the amount, or a quota, is not known): a fund whose budget is
    spent pays 0 and the next source is then known to pay the rest, as `allocate` would.

    >>> within_budget([("a", None), ("b", Decimal(9))], Budget({"a": Decimal(0), "b": Decimal(5)}))
    [('a', Decimal('0')), ('b', Decimal('5'))]
    """
    if budget is None:
        return list(chain)
    out: list[tuple[str, Decimal | None]] = []
    for fund_id, quota in chain:
        left = budget.remaining.get(fund_id)
        if left is not None:
            left = max(left, ZERO)
            if quota is None:
                quota = left
            elif quota.is_nan():
                quota = ZERO if left == ZERO else quota
            else:
                quota = min(quota, left)
        out.append((fund_id, quota))
    return out


def _quota_note(chain: Sequence[tuple[str, Decimal | None]]) -> tuple[Reason, ...]:
    unknown = [f for f, q in chain if q is not None and q.is_nan()]
    return (Reason.of(ReasonCode.QUOTA_UNKNOWN, fund=unknown[0]),) if unknown else ()


@dataclass(frozen=True, slots=True)
class Share:
    """What is known of one source's share: its amount (None: not known), the most it can be,
    and whether it is the whole amount (which is itself not known)."""

    amount: Decimal | None
    up_to: Decimal | None = None
    whole: bool = False


def split(
    lo: Decimal, hi: Decimal | None, chain: Sequence[tuple[str, Decimal | None]]
) -> tuple[Share, ...]:
    """The shares of an amount known only to lie in [lo, hi] (hi None: no upper bound), along
    a chain of (fund, quota) with quotas possibly unknown (QUOTA_UNKNOWN). Nothing is spent:
    a budget enters only as a lower quota (`within_budget`); a payable amount spends it.

    Each source pays min(rest, quota), a monotone function of the amount, so the least and
    most of each share are exact and a share is known exactly when they meet. A quota known to
    be 0 pays 0; a source after one with no quota pays 0; a source whose quota is known to
    cover the most the rest can be, with nothing paid before it, pays the whole amount.

    >>> first, second = split(ZERO, Decimal(500), [("a", Decimal(0)), ("b", None)])
    >>> first.amount, second.amount, second.whole, second.up_to
    (Decimal('0.00'), None, True, Decimal('500'))
    >>> split(ZERO, Decimal(500), [("a", Decimal(400)), ("b", None)])[1]
    Share(amount=None, up_to=Decimal('100'), whole=False)
    """
    rest_lo, rest_hi = lo, hi
    untouched = True  # the rest is still the whole amount
    out: list[Share] = []
    for _, quota in chain:
        if quota is None:
            low, high = rest_lo, rest_hi
            whole = untouched
            rest_lo, rest_hi = ZERO, ZERO
        elif quota.is_nan():
            low, high, whole = ZERO, rest_hi, False
            rest_lo = ZERO
        else:
            q = max(quota, ZERO)
            low, high = min(rest_lo, q), q if rest_hi is None else min(rest_hi, q)
            whole = untouched and rest_hi is not None and q >= rest_hi
            rest_lo = max(rest_lo - q, ZERO)
            rest_hi = None if rest_hi is None else max(rest_hi - q, ZERO)
        if high is not None and low == high:
            out.append(Share(cents(low)))
        else:
            out.append(Share(None, None if high is None else high, whole and rest_hi == ZERO))
        untouched = untouched and high == ZERO
    return tuple(out)


def allocate(
    amount: Decimal, chain: Sequence[tuple[str, Decimal | None]], budget: Budget | None = None
) -> tuple[Decimal | None, ...]:
    """Split `amount` along a funding chain of (fund, quota) pairs, in order: each source pays
    up to its quota (None: no quota) and, when `budget` holds the fund, up to what is left of
    it; a later source covers what earlier ones could not. Returns each source's share.

    A quota that is unknown (QUOTA_UNKNOWN) leaves open the shares it touches (None) and
    spends no budget; shares it cannot touch are still known (`split`). Budget allocation in
    a register calls this in input order.

    >>> allocate(Decimal("500.00"), [("a", Decimal(400)), ("b", None)])
    (Decimal('400.00'), Decimal('100.00'))
    >>> allocate(Decimal("500.00"), [("a", QUOTA_UNKNOWN), ("b", None)])
    (None, None)
    >>> allocate(Decimal("500.00"), [("a", Decimal(600)), ("b", QUOTA_UNKNOWN)])
    (Decimal('500.00'), Decimal('0.00'))
    >>> allocate(Decimal("500.00"), [("a", Decimal(0)), ("b", None)])
    (Decimal('0.00'), Decimal('500.00'))
    """
    if any(q is not None and q.is_nan() for _, q in chain):
        return tuple(s.amount for s in split(amount, amount, within_budget(chain, budget)))
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
