"""Which rules a rule depends on, and the order that decides every rule after its dependencies.

In: rules. Out: for each rule the rules whose outcome it reads (`outcome("id")` in any of its
expressions) and the rules that override it or implement it (a county's rule carrying out a
province's is decided first, and replaces it for the county's cases); a deterministic decision
order (dependencies first, ties by rule id, so the order of the files never matters); and the
cycles, which
`clause check` rejects (R025). A library whose rules have a cycle is never decided from (the
package fails its check); the order still places every rule, so nothing loops.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from clause.engine.expr import ast
from clause.engine.model import Expr, Rule, Version


def version_exprs(version: Version) -> Iterator[Expr]:
    """Every expression of a version: its date and event, checks, amount and quotas."""
    if version.effective_date is not None:
        yield version.effective_date
    if version.event is not None:
        yield version.event.expr
    for cond in (*version.conditions, *version.unless, *version.requires):
        yield cond.expr
    amount = version.amount
    if amount is not None:
        yield from (e for e in (amount.claimed, amount.count, amount.of) if e is not None)
    for source in version.funding:
        if isinstance(source.quota, Expr):
            yield source.quota


def outcome_reads(expr: Expr) -> Iterator[tuple[str, ast.Call]]:
    """The rule ids an expression reads with `outcome("id")`, with the call that reads each."""
    for node in ast.walk(expr.node):
        if isinstance(node, ast.Call) and node.name == "outcome" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Literal) and isinstance(first.value, str):
                yield first.value, node


def references(rule: Rule) -> frozenset[str]:
    """The rules whose outcome `rule` reads, in any version."""
    return frozenset(
        rid for v in rule.versions for e in version_exprs(v) for rid, _ in outcome_reads(e)
    )


@dataclass(frozen=True)
class DecisionPlan:
    """How a set of rules is decided: in `order`; `reads[id]` are the rules whose outcome a
    rule reads, `overridden_by[id]` the rules that override it (decided before it)."""

    order: tuple[Rule, ...]
    reads: Mapping[str, frozenset[str]]
    overridden_by: Mapping[str, tuple[str, ...]]
    cycles: tuple[tuple[str, ...], ...]
    #: (rule, rules it reads, rules overriding it, its place in rule-id order), in `order`:
    #: what the core loops over
    steps: tuple[tuple[Rule, frozenset[str], tuple[str, ...], int], ...] = ()
    #: the rules that override another (whose own decision the core keeps for those)
    overriding: frozenset[str] = frozenset()
    #: the rules whose outcome another reads (whose final decision the core keeps for those)
    read: frozenset[str] = frozenset()
    #: the rules a lower document's rule implements (`implements`)
    implemented: frozenset[str] = frozenset()


def plan(rules: Iterable[Rule]) -> DecisionPlan:
    """The decision order of `rules`: a rule after every rule it reads and every rule that
    overrides it (whose outcome decides whether it is superseded)."""
    by_id = {r.id: r for r in sorted(rules, key=lambda r: r.id)}
    reads = {rid: references(r) & by_id.keys() for rid, r in by_id.items()}
    overridden: dict[str, list[str]] = {rid: [] for rid in by_id}
    implemented: set[str] = set()
    for rid, rule in by_id.items():
        targets = {t for v in rule.versions for t in v.overrides}
        if rule.implements is not None:  # a lower document's rule replaces it for its cases
            targets.add(rule.implements)
            implemented.add(rule.implements)
        for target in sorted(targets):
            if target in overridden and target != rid:
                overridden[target].append(rid)
    after = {rid: set(reads[rid]) | set(overridden[rid]) for rid in by_id}
    order = _topological(sorted(by_id), after)
    cycles = find_cycles(after)
    overridden_by = {rid: tuple(ids) for rid, ids in overridden.items()}
    place = {rid: i for i, rid in enumerate(by_id)}
    return DecisionPlan(
        tuple(by_id[rid] for rid in order),
        reads,
        overridden_by,
        cycles,
        tuple((by_id[rid], reads[rid], overridden_by[rid], place[rid]) for rid in order),
        frozenset(o for ids in overridden_by.values() for o in ids),
        frozenset(r for ids in reads.values() for r in ids),
        frozenset(implemented & by_id.keys()),
    )


def _topological(ids: Sequence[str], after: Mapping[str, set[str]]) -> list[str]:
    """Kahn's algorithm with the smallest ready id first; rules left in cycles follow in id
    order, so the result is the same whatever order the rules were given in."""
    waiting = {rid: len(after[rid]) for rid in ids}
    needed_by: dict[str, list[str]] = {rid: [] for rid in ids}
    for rid in ids:
        for dep in after[rid]:
            needed_by[dep].append(rid)
    ready = [rid for rid in ids if waiting[rid] == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        rid = heapq.heappop(ready)
        out.append(rid)
        for user in needed_by[rid]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    placed = set(out)
    return out + [rid for rid in ids if rid not in placed]


def find_cycles(after: Mapping[str, set[str]]) -> tuple[tuple[str, ...], ...]:
    """Every strongly connected group of rules that depend on each other (or a rule on
    itself), each as sorted ids, sorted (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[tuple[str, ...]] = []
    counter = 0
    for root in sorted(after):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(after[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(after.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                if len(group) > 1 or node in after.get(node, ()):
                    groups.append(tuple(sorted(group)))
    return tuple(sorted(groups))
