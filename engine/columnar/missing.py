"""Missing-fact lists of the plan's decisions, ranked by the core once per distinct key.

In: the Plan and its decided frame (per rule: `pre`, `from`, `from2` and the check masks
`m0`, `m1`… of every rule). Out: per decision a text key naming the masks its list is ranked
from (null: no list), and the list for a key: the open checks of rule `from` ranked by
engine.decide.checks.rank_missing; with `from2` (an implementer's list, then the rule's own),
the two lists one after the other without repeats, as engine.decide.overrides joins them.
Both the native path and the backend use these, so a list is worded once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from clause.engine.columnar.plan import Plan
    from clause.engine.columnar.rules import CompiledRule


def missing_key(plan: Plan, c: CompiledRule) -> pl.Expr:
    """`from:m0,m1…[;from2:m0,m1…]`, or null when the decision lists no missing fact: own
    checks open (undetermined), or another rule's list (an overrider or implementer pending)."""
    source, second = pl.col(c.name("from")), pl.col(c.name("from2"))
    needed = (pl.col(c.name("pre")) == "undetermined") | (source != c.index) | second.is_not_null()
    sources = [c, *(o for o in plan.rules if o.rule.id in _listed_by(plan, c))]
    first = _masks_of(sources, source)
    own = _masks_of([c], pl.lit(c.index))
    key = pl.when(second.is_not_null()).then(first + ";" + own).otherwise(first)
    return pl.when(needed).then(key)


def _listed_by(plan: Plan, c: CompiledRule) -> set[str]:
    """The rules whose missing list `c` may show: those overriding or implementing it."""
    return set(plan.library.plan.overridden_by.get(c.rule.id, ()))


def _masks_of(sources: Sequence[CompiledRule], source: pl.Expr) -> pl.Expr:
    chain: Any = None
    for s in sources:
        masks = [pl.col(s.name(f"m{k}")).cast(pl.String) for k in range(s.slots)]
        key = pl.concat_str([pl.lit(str(s.index)), *masks], separator=",")
        chain = (
            pl.when(source == s.index) if chain is None else chain.when(source == s.index)
        ).then(key)
    result: pl.Expr = chain.otherwise(None)
    return result


def missing_of(plan: Plan, key: str, memo: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The missing list a key names (`memo`: lists already made, by key)."""
    found = memo.get(key)
    if found is None:
        by_index: Mapping[int, CompiledRule] = {c.index: c for c in plan.rules}
        lists = []
        for part in key.split(";"):
            index, *masks = (int(x) for x in part.split(","))
            lists.append(plan.missing(by_index[index], masks))
        found = lists[0] if len(lists) == 1 else tuple(dict.fromkeys(lists[0] + lists[1]))
        memo[key] = found
    return found


def key_of(source: int, second: int | None, masks: Mapping[int, Sequence[int]]) -> str:
    """The key of a decision from its row values (the backend's view of the same columns)."""
    first = ",".join(str(v) for v in (source, *masks[source]))
    if second is None:
        return first
    return first + ";" + ",".join(str(v) for v in (second, *masks[second]))
