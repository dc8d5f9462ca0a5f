"""Why not: for a benefit refused or undetermined, the smallest sets of fact changes that would
make it payable, each verified by deciding the changed case.

In: a library, one case's facts, the decision date, optionally one rule. Out: a `WhyNot` per
benefit that is ineligible or undetermined: alternatives ranked by how many facts they change,
each change with its new value, the range of values that works, the conditions and quotes it
satisfies, and the other benefits it would stop paying.

The search (its completeness is stated in docs/analysis.md): the candidate facts are those the
benefit's versions read (effective dates, conditions, exceptions, grant history) and those the
rules that may override it read, plus the decision date (moved later: "apply on or after").
A missing fact may be collected; a known fact may change unless the facts schema marks it
`x-immutable` or it is a date on or before the decision date (an event that has happened); a
list of records already given (a grant history) is never edited. Every subset-minimal set of
at most `max_changes` candidates that can make the benefit eligible is found (within the
analysis domain), smallest first; each is re-decided with `decide` and kept only if it works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.outcome import Situation, fact_reads
from clause.engine.analysis.ranges import Probe, Trial, apply, values_of
from clause.engine.analysis.readback import lookup
from clause.engine.analysis.space import FactSpace
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import RECORD, Unsupported, Z, conj, fresh_context, neg
from clause.engine.analysis.values import Tie, ties
from clause.engine.decide import Decision, Outcome, decide
from clause.engine.expr.values import EvalError
from clause.engine.library import Library
from clause.engine.messages import Msg
from clause.engine.model import Rule

DECISION_DATE = "decision_date"

#: The outcomes of a benefit whynot answers for: refused, open, or held to need an exception.
_REFUSED = (Outcome.INELIGIBLE, Outcome.UNDETERMINED, Outcome.EXCEPTION_NEEDED)


@dataclass(frozen=True)
class Change:
    """One fact changed (or collected, when it was missing), or the decision date moved."""

    path: str
    before: Any  # None: the fact was missing
    after: Any
    range: tuple[Any, Any] | None = None  # (lowest, highest) that works, None for an open end
    allowed: tuple[Any, ...] = ()  # for text and yes/no facts: every value that works
    ties: tuple[Tie, ...] = ()  # the conditions it satisfies


@dataclass(frozen=True)
class Stopped:
    """Another benefit that is paid now and would not be after the change."""

    rule: str
    before: str
    after: str | None  # None: no longer decided


@dataclass(frozen=True)
class Proposal:
    changes: tuple[Change, ...]
    stops: tuple[Stopped, ...] = ()


@dataclass(frozen=True)
class WhyNot:
    """The answer for one benefit."""

    rule: Rule
    outcome: Outcome
    missing: tuple[str, ...]
    proposals: tuple[Proposal, ...]
    candidates: tuple[str, ...]
    fixed: tuple[tuple[str, str], ...]  # (fact, why it is not proposed)
    not_analysed: Msg | None = None
    unverified: int = 0  # solutions the decision core did not confirm (none expected)
    complete: bool = True  # False: the alternatives shown were capped


@dataclass
class _Search:
    library: Library
    facts: Mapping[str, Any]
    on: date
    max_changes: int
    max_proposals: int
    before: dict[str, Decision] = field(default_factory=dict)


def why_not(
    library: Library,
    facts: Mapping[str, Any],
    on: date,
    rule_id: str | None = None,
    max_changes: int = 3,
    max_proposals: int = 6,
) -> list[WhyNot]:
    """For each benefit that is ineligible or undetermined (or only `rule_id`)."""
    search = _Search(library, facts, on, max_changes, max_proposals)
    search.before = {d.rule.id: d for d in decide(library, facts, on)}
    targets = [
        (rule, decision)
        for rule in library.rules_by_id
        if (decision := search.before.get(rule.id)) is not None
        and rule.kind == "benefit"
        and (rule_id is None or rule.id == rule_id)
        and decision.outcome in _REFUSED
    ]
    plans = [
        (rule, decision, *_candidates(library, facts, on, _read_paths(library, rule, facts)))
        for rule, decision in targets
    ]
    every = list(dict.fromkeys(c for plan in plans for c in plan[2]))
    with fresh_context():
        shared = _symbolic(search, every) if plans else None
        return [_answer(search, shared, *plan) for plan in plans]


def _answer(
    search: _Search,
    shared: Any,
    rule: Rule,
    decision: Decision,
    candidates: list[str],
    fixed: list[tuple[str, str]],
) -> WhyNot:
    answer = WhyNot(rule, decision.outcome, decision.missing, (), tuple(candidates), tuple(fixed))
    try:
        found = _minimal_sets(search, rule, candidates, shared)
    except Unsupported as err:
        return _replace(answer, not_analysed=err.what)
    proposals, unverified = [], 0
    for changes in sorted(found.sets, key=lambda c: (len(c), sorted(c))):
        proposal = _verified(search, rule, changes)
        if proposal is None:
            unverified += 1
        else:
            proposals.append(proposal)
    return _replace(
        answer, proposals=tuple(proposals), unverified=unverified, complete=found.complete
    )


def _replace(answer: WhyNot, **kw: Any) -> WhyNot:
    from dataclasses import replace

    return replace(answer, **kw)


def _read_paths(library: Library, rule: Rule, facts: Mapping[str, Any]) -> list[str]:
    """Fact slots (scalar paths, or lists of records) the rule's decision depends on for this
    case (outcome.fact_reads)."""
    infos = FactSpace(library.env, library.facts_schema, Strings()).fields
    reads = fact_reads(library, rule, facts)
    slots = [_slot_of(tuple(path.split(".")), infos) for path in reads]
    return list(dict.fromkeys(slots))


def _slot_of(keys: tuple[str, ...], infos: Mapping[str, Any]) -> str:
    for i in range(1, len(keys)):
        prefix = ".".join(keys[:i])
        if prefix in infos and infos[prefix].type == RECORD:
            return prefix
    return ".".join(keys)


def _candidates(
    library: Library, facts: Mapping[str, Any], on: date, read: list[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    infos = FactSpace(library.env, library.facts_schema, Strings()).fields
    candidates, fixed = [], []
    for path in read:
        value = lookup(facts, path)
        info = infos.get(path)
        if value is None:
            candidates.append(path)
        elif info is not None and info.immutable:
            fixed.append((path, "immutable"))
        elif isinstance(value, date) and value <= on:
            fixed.append((path, "past"))
        elif info is not None and info.type == RECORD:
            fixed.append((path, "records"))
        else:
            candidates.append(path)
    return [*candidates, DECISION_DATE], fixed


@dataclass
class _Found:
    sets: list[dict[str, Any]]  # path -> new value
    complete: bool


def _symbolic(search: _Search, candidates: list[str]) -> tuple[Situation, dict[str, Z], Any]:
    """The case with the candidates free, and each candidate's `changed` flag."""
    library = search.library
    paths = frozenset(c for c in candidates if c != DECISION_DATE)
    space = FactSpace(
        library.env, library.facts_schema, Strings(), current=search.facts, changeable=paths
    )
    moved = z3.Bool("decision_date!")
    later = dates.fresh_date("decision_date'", space.axioms)
    space.axioms.append(z3.Implies(moved, later.ordinal > search.on.toordinal()))
    today = dates.ite(moved, later, dates.const_date(search.on))
    return Situation(library, space, today), {DECISION_DATE: moved}, later


def _minimal_sets(search: _Search, rule: Rule, candidates: list[str], shared: Any) -> _Found:
    situation, every, later = shared
    goal = conj(situation.final(rule, "eligible"), neg(situation.case_error()))
    space = situation.space
    every.update({p: s.changed for p, s in space.slots.items() if not z3.is_false(s.changed)})
    flags = {n: f for n, f in every.items() if n in candidates}
    others = [f for n, f in every.items() if n not in candidates]  # not this rule's facts
    goal = z3.simplify(z3.substitute(goal, *((f, z3.BoolVal(False)) for f in others)))
    kept = [neg(f) for f in others]
    probe = Probe([*space.axioms, *kept], goal)
    solver = z3.Solver()
    solver.set("timeout", 10_000)
    solver.add(*space.axioms, *kept, goal)
    names = sorted(flags)
    known = [flags[n] for n in names if n == DECISION_DATE or lookup(search.facts, n) is not None]
    solver.add(z3.AtMost(*known, search.max_changes) if known else z3.BoolVal(True))
    found: list[dict[str, Any]] = []
    for k in range(1, len(names) + 1):
        within = z3.Bool(f"at most {k}")
        solver.add(z3.Implies(within, z3.AtMost(*(flags[n] for n in names), k)))
        while len(found) < search.max_proposals and solver.check(within) == z3.sat:
            model = solver.model()
            chosen = [n for n in names if z3.is_true(model.eval(flags[n], model_completion=True))]
            held = [flags[n] if n in chosen else neg(flags[n]) for n in names]
            trial = Trial(search.library, search.facts, search.on, rule.id)
            found.append(values_of(space, probe, trial, model, chosen, held, later))
            solver.add(z3.Or(*(neg(flags[n]) for n in chosen)))  # no superset of a set found
        if len(found) >= search.max_proposals:
            return _Found(found, solver.check() == z3.unsat)
    return _Found(found, True)


def _verified(search: _Search, rule: Rule, changes: dict[str, Any]) -> Proposal | None:
    """The proposal if deciding the changed case pays the benefit; else None."""
    on = changes.get(DECISION_DATE, {}).get("after", search.on)
    changed = apply(search.facts, {p: c["after"] for p, c in changes.items() if p != DECISION_DATE})
    try:
        after = {d.rule.id: d for d in decide(search.library, changed, on)}
    except EvalError:
        return None
    target = after.get(rule.id)
    if target is None or target.outcome is not Outcome.ELIGIBLE:
        return None
    stops = tuple(
        Stopped(rid, d.outcome.value, after[rid].outcome.value if rid in after else None)
        for rid, d in sorted(search.before.items())
        if d.outcome is Outcome.ELIGIBLE
        and (rid not in after or after[rid].outcome is not Outcome.ELIGIBLE)
    )
    tied = ties(search.library, rule, search.facts, search.on, changed, on)
    made = tuple(
        Change(
            path,
            c["before"],
            c["after"],
            c.get("range"),
            tuple(c.get("allowed", ())),
            tuple(t for t in tied if _reads(t, path)),
        )
        for path, c in sorted(changes.items())
    )
    return Proposal(made, stops)


def _reads(tie: Tie, path: str) -> bool:
    if path == DECISION_DATE:
        return tie.by_date
    return any(p == path or p.startswith(path + ".") for p in tie.paths)


__all__ = ["Change", "Proposal", "Stopped", "WhyNot", "why_not"]
