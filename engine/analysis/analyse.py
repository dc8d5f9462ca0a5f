"""Static analysis of a library's rules with the solver: overlaps, dead overrides, versions and
conditions that can never hold, gaps between case distinctions and versions, obligations that
can never be met.

In: a library (any number of packages). Out: `Finding`s (codes A001–A008), each with the
rule-file places and either a witness case (facts and a date, confirmed by deciding it) or the
conditions that contradict each other; A009 notes where a "never" is only due to a parameter
without a configured value; and A900 notes for what was not analysed (a form the solver does
not encode, arithmetic it only approximates, a question it gave up on). A verdict is never
guessed: "never" is claimed only from exact encodings, and every witness is decided by
engine/decide before it is reported. The checks of one rule are in single.py, the asking in
session.py; here, the checks between rules.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

from clause.engine.analysis.findings import Finding, Place
from clause.engine.analysis.outcome import RuleModel, VersionModel
from clause.engine.analysis.session import Session
from clause.engine.analysis.single import check_rules
from clause.engine.analysis.space import Domain
from clause.engine.analysis.terms import conj, disj, fresh_context
from clause.engine.expr import ast
from clause.engine.library import Library
from clause.engine.messages import msg
from clause.engine.model import Rule


def analyse(
    library: Library, all_pairs: bool = False, domain: Domain | None = None
) -> list[Finding]:
    """Every finding and note about the library's rules, sorted by place."""
    with fresh_context():
        run = Session(library, domain or Domain())
        check_rules(run)
        overlaps(run, all_pairs)
        overrides(run)
        gaps(run)
        time_gaps(run)
    return sorted(run.found, key=lambda f: (f.span.file, f.span.line, f.span.col, f.code))


def overlaps(run: Session, all_pairs: bool) -> None:
    benefits = [r for r in run.library.rules_by_id if r.kind == "benefit" and run.usable(r)]
    for i, a in enumerate(benefits):
        for b in benefits[i + 1 :]:
            if a.subject != b.subject or _related(a, b) or not (all_pairs or _alike(a, b)):
                continue
            both = conj(run.situation.final(a, "eligible"), run.situation.final(b, "eligible"))
            verdict = run.ask([both], [a, b])
            asked = msg("what.solver.pair", a=a.id, b=b.id)
            if run.settle(verdict, [a, b], asked) is not True:
                continue
            found = run.witness(verdict, {a.id: ("eligible",), b.id: ("eligible",)})
            if found is None:
                run.note(a, msg("A900/pair", a=a.id, b=b.id))
                continue
            message = msg("A001", a=a.id, b=b.id)
            places = (Place(a.span, a.id), Place(b.span, b.id))
            run.found.append(Finding("A001", message, places, found, (), (a.id, b.id)))


def overrides(run: Session) -> None:
    for rule in run.library.rules_by_id:
        model = run.models.get(rule.id)
        if model is None:
            continue
        for v in model.versions:
            for target_id in v.version.overrides:
                _override(run, rule, model, v, target_id)


def _override(run: Session, rule: Rule, model: RuleModel, v: VersionModel, target_id: str) -> None:
    target = run.library.rule(target_id)
    other = run.models.get(target_id) if target is not None else None
    if target is None or other is None:
        return
    both = conj(model.present, v.selected, v.eligible, other.own("eligible"))
    what = msg("what.solver.override", rule=rule.id, target=target_id)
    if run.settle(run.ask([both], [rule, target]), [rule, target], what) is not False:
        return
    if run.ask([model.present, v.selected, v.eligible], [rule]).unsat:
        return  # the overriding version never pays: already reported
    message = msg("A002", rule=rule.id, number=v.version.number, target=target_id)
    label = msg("what.solver.place.overrides", target=target_id)
    places = (Place(v.version.span, label), Place(target.span, target_id))
    run.found.append(Finding("A002", message, places, None, (), (rule.id, target_id)))


def gaps(run: Session) -> None:
    groups: dict[tuple[str, str, str], list[Rule]] = defaultdict(list)
    for rule in run.library.rules_by_id:  # a clause of one document (clause 一 of each differ)
        if rule.kind == "benefit" and run.usable(rule):
            groups[(rule.document, rule.clause, rule.subject)].append(rule)
    for (_, clause, _), rules in sorted(groups.items()):
        if len(rules) >= 2:
            _gap(run, clause, rules)


def _gap(run: Session, clause: str, rules: list[Rule]) -> None:
    texts = [{_text(c.expr.node) for c in v.conditions} for r in rules for v in r.versions]
    common = set.intersection(*texts)
    if not common:
        return  # no shared target group: failing every rule is no gap in the clause
    parts = []
    for rule in rules:
        model = run.models[rule.id]
        assert model is not None
        options = []
        for v in model.versions:
            conds = [c for c in v.checks if c.role == "condition"]
            distinct = [c for c in conds if _text(c.condition.expr.node) not in common]
            if not distinct:
                return  # this rule covers every case the others distinguish
            options.append(
                conj(
                    v.selected,
                    *(c.term.known for c in v.checks),
                    *(c.true for c in conds if c not in distinct),
                    disj(*(c.false for c in distinct)),
                )
            )
        parts.append(conj(model.present, disj(*options)))
    verdict = run.ask(parts, rules)
    asked = msg("what.solver.clause", clause=clause)
    if run.settle(verdict, rules, asked) is not True:
        return
    found = run.witness(verdict, {r.id: ("ineligible",) for r in rules})
    if found is None:
        run.note(rules[0], msg("A900/gap", clause=clause))
        return
    names = ", ".join(r.id for r in rules)
    message = msg("A006", clause=clause, rules=names)
    places = tuple(Place(r.span, r.id) for r in rules)
    run.found.append(Finding("A006", message, places, found, (), tuple(r.id for r in rules)))


def time_gaps(run: Session) -> None:
    for rule in run.library.rules_by_id:
        windows = sorted(
            (
                v
                for v in rule.versions
                if not (v.window.start and v.window.end and v.window.start > v.window.end)
            ),
            key=lambda v: v.window.start or date.min,
        )
        force = run.library.in_force(rule)
        for earlier, later in itertools.pairwise(windows):
            end, start = earlier.window.end, later.window.start
            if end is None or start is None or (start - end).days <= 1:
                continue
            first = end + timedelta(days=1)
            if not force.contains(first):
                continue
            last = start - timedelta(days=1)
            message = msg("A007", rule=rule.id, start=str(first), end=str(last))
            starts = msg("what.solver.place.starts", number=later.number, day=str(start))
            ends = msg("what.solver.place.ends", number=earlier.number, day=str(end))
            places = (Place(later.span, starts), Place(earlier.span, ends))
            run.found.append(Finding("A007", message, places, rules=(rule.id,)))


def _text(node: ast.Node) -> str:
    return ast.unparse(node)


def _related(a: Rule, b: Rule) -> bool:
    """One overrides or implements the other: they are never both paid (core.supersede), and
    the encoding of `final` says so; no pair to ask about."""
    if a.implements == b.id or b.implements == a.id:
        return True
    return any(b.id in v.overrides for v in a.versions) or any(
        a.id in v.overrides for v in b.versions
    )


def _alike(a: Rule, b: Rule) -> bool:
    """Rules that may pay for the same thing: one clause, or one `once` programme."""
    programs = [{v.once_program or r.id for v in r.versions if v.once} for r in (a, b)]
    same_clause = a.clause == b.clause and a.document == b.document
    return same_clause or bool(programs[0] & programs[1])


__all__ = ["analyse"]
