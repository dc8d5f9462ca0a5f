"""Overrides and implementations as Polars expressions (engine.decide.overrides, per column).

In: a compiled rule and the compiled rules of the library (each with its own outcome `pre`,
its version `sel`/`ver` and its subject's presence). Out: the rule's outcome as shown (`out`)
and where its missing list comes from: `from`, the rule whose open checks it lists, and
`from2`, the rule's own index when the list is that of an implementer followed by its own.

As `supersede` decides it: first the rules implementing this one (a lower document's rule
carrying it out): one that reached a version replaces it (not applicable); else one that is
undetermined leaves an eligible or undetermined rule undetermined, listing the implementer's
missing facts, then its own. Then the rules overriding it: an eligible one supersedes it; an
undetermined one leaves an eligible rule undetermined, listing the overrider's facts. The
first pending rule in rule-id order names the list. A superseded rule keeps its list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from clause.engine.columnar.frame import presence
from clause.engine.columnar.rules import CompiledRule
from clause.engine.decide.reasons import Outcome

ELIGIBLE, UNDETERMINED = Outcome.ELIGIBLE.value, Outcome.UNDETERMINED.value
NOT_APPLICABLE = Outcome.NOT_APPLICABLE.value


def overridden(c: CompiledRule, rules: Sequence[CompiledRule]) -> list[pl.Expr]:
    """`out`, `from` and `from2` of rule `c` (see the module doc)."""
    pre = pl.col(c.name("pre"))
    implementers = [o for o in rules if o.rule.implements == c.rule.id and o is not c]
    mid, maybe_implemented, first_pending = _implemented(pre, implementers)
    gone, pending = _superseding(c, [o for o in rules if o not in implementers])
    here = pl.col(presence(c.rule.subject))
    gone = gone & here
    maybe = pl.any_horizontal([p & here for p, _ in pending] or [pl.lit(False)]) & (mid == ELIGIBLE)
    out = (
        pl.when(gone)
        .then(pl.lit(NOT_APPLICABLE))
        .when(maybe)
        .then(pl.lit(UNDETERMINED))
        .otherwise(mid)
    )
    chain: Any = None
    for cond, index in pending:  # the first pending overrider in id order
        hit = ~gone & maybe & cond & here
        chain = (pl.when(hit) if chain is None else chain.when(hit)).then(pl.lit(index))
    own = pl.lit(c.index)
    if chain is not None:
        source = chain.otherwise(pl.when(maybe_implemented).then(first_pending).otherwise(own))
    else:
        source = pl.when(maybe_implemented).then(first_pending).otherwise(own)
    second = pl.when(maybe_implemented).then(own)  # the implementer's list, then its own
    return [
        out.alias(c.name("out")),
        source.alias(c.name("from")),
        second.cast(pl.Int64).alias(c.name("from2")),
    ]


def _implemented(
    pre: pl.Expr, implementers: Sequence[CompiledRule]
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The outcome after the implementers, whether an undetermined one left it undetermined,
    and the index of the first such implementer."""
    if not implementers:
        return pre, pl.lit(False), pl.lit(None, dtype=pl.Int64)
    reached = []
    waiting: list[tuple[pl.Expr, int]] = []
    for o in implementers:
        decided = pl.col(presence(o.rule.subject))
        reached.append(decided & pl.col(o.name("ver")).is_not_null())
        waiting.append((decided & (pl.col(o.name("pre")) == UNDETERMINED), o.index))
    by = pl.any_horizontal(reached)
    maybe = ~by & pl.any_horizontal([w for w, _ in waiting]) & pre.is_in([ELIGIBLE, UNDETERMINED])
    chain: Any = None
    for cond, index in waiting:
        chain = (pl.when(cond) if chain is None else chain.when(cond)).then(pl.lit(index))
    first = chain.otherwise(None).cast(pl.Int64)
    mid = (
        pl.when(by)
        .then(pl.lit(NOT_APPLICABLE))
        .when(maybe)
        .then(pl.lit(UNDETERMINED))
        .otherwise(pre)
    )
    return mid, maybe, first


def _superseding(
    c: CompiledRule, others: Sequence[CompiledRule]
) -> tuple[pl.Expr, list[tuple[pl.Expr, int]]]:
    """Whether an eligible overrider supersedes `c`, and each overrider's pending condition."""
    superseded: list[pl.Expr] = []
    pending: list[tuple[pl.Expr, int]] = []
    for other in others:
        versions = [i for i, v in enumerate(other.rule.versions) if c.rule.id in v.overrides]
        if not versions or other is c:
            continue
        chosen = pl.col(other.name("sel")).is_in(versions) & pl.col(presence(other.rule.subject))
        opre = pl.col(other.name("pre"))
        superseded.append(chosen & (opre == ELIGIBLE))
        pending.append((chosen & (opre == UNDETERMINED), other.index))
    gone = pl.any_horizontal(superseded) if superseded else pl.lit(False)
    return gone, pending
