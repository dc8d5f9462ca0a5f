"""The analysis of one rule's versions: versions never in force (A003), checks never true
(A004), conditions that never hold together (A005), duties never met (A008), and "never" only
because a parameter has no configured value (A009).

In: a Session (engine/analysis/session.py) and a rule's model. Out: findings appended to the
session, with the places that contradict (an unsat core) where there is no witness.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from clause.engine.analysis.findings import Finding, Place
from clause.engine.analysis.outcome import Check, RuleModel, VersionModel
from clause.engine.analysis.session import Session
from clause.engine.analysis.terms import Z, conj, disj, neg
from clause.engine.messages import Msg, msg
from clause.engine.model import Rule


def check_rules(run: Session) -> None:
    """Every version of every rule the solver encodes."""
    for rule in run.library.rules_by_id:
        model = run.models[rule.id]
        if model is None:
            continue
        for i, version in enumerate(model.versions):
            _version(run, rule, model, version, i)


def _version(run: Session, rule: Rule, model: RuleModel, v: VersionModel, index: int) -> None:
    number, selected = v.version.number, conj(model.present, v.selected)
    label = msg("what.solver.place.version", number=number, window=str(v.version.window))
    here = Place(v.version.span, label)
    asked = msg("what.solver.version", rule=rule.id, number=number)
    can = run.settle(run.ask([selected], [rule]), [rule], asked)
    if can is False:
        why = _why_never(run, rule, model, v)
        message = msg("A003", number=number, rule=rule.id, why=why)
        run.found.append(Finding("A003", message, (here,), rules=(rule.id,)))
        return
    never = []
    for c in v.checks:
        role = msg(f"what.solver.role.{c.role}")
        words = {"role": role, "id": c.condition.id, "rule": rule.id, "number": number}
        what = msg("what.solver.check", **words)
        if run.settle(run.ask([selected, c.true], [rule]), [rule], what) is False:
            never.append(c)
            place = Place(c.condition.expr.span, _check_label(c))
            params = run.unconfigured(rule, _check_true(index, v.checks.index(c)))
            if params:
                _unconfigured(run, rule, what, params, (place, here))
                continue
            message = msg("A004", expr=c.condition.expr.text, **words)
            run.found.append(Finding("A004", message, (place, here), rules=(rule.id,)))
    if never:
        return
    if rule.kind == "obligation":
        _obligation(run, rule, v, selected, here, index)
        return
    _joint(run, rule, v, selected, here, "A005", index)


def _settled(v: VersionModel) -> Z:
    """Every hard condition (requirement, for a duty) holds: eligible or compliant, or
    lawful only with a documented exception."""
    return disj(v.eligible, v.exception_needed)


def _chosen(model: RuleModel, index: int) -> list[Z]:
    return [model.present, model.versions[index].selected]


def _check_true(index: int, check: int) -> Callable[[RuleModel], list[Z]]:
    """The question "can check `check` of version `index` be true" of any model of the rule."""

    def question(model: RuleModel) -> list[Z]:
        return [*_chosen(model, index), model.versions[index].checks[check].true]

    return question


def _unconfigured(
    run: Session, rule: Rule, what: Msg, params: tuple[str, ...], places: tuple[Place, ...]
) -> None:
    """A009: never, but only while parameters have no configured value (a note)."""
    message = msg("A009", what=what, params=", ".join(f"param.{p}" for p in params))
    run.found.append(Finding("A009", message, places, rules=(rule.id,)))


def _joint(
    run: Session, rule: Rule, v: VersionModel, selected: Z, here: Place, code: str, index: int
) -> None:
    number = v.version.number
    what = msg("what.solver.conditions", rule=rule.id, number=number)
    goal = _settled(v)
    if run.settle(run.ask([selected, goal], [rule]), [rule], what) is not False:
        return
    params = run.unconfigured(rule, lambda m: [*_chosen(m, index), _settled(m.versions[index])])
    if params:
        _unconfigured(run, rule, what, params, (here,))
        return
    principled = v.version.in_principle
    hard = [c for c in v.checks if not (principled and c.condition.in_principle)]
    core = _core(run, selected, hard)
    because = tuple(Place(c.condition.expr.span, _check_label(c)) for c in core)
    message = msg(code, rule=rule.id, number=number)
    run.found.append(Finding(code, message, (here,), None, because, (rule.id,)))


def _obligation(
    run: Session, rule: Rule, v: VersionModel, selected: Z, here: Place, index: int
) -> None:
    applies = neg(v.not_applicable)
    number = v.version.number
    what = msg("what.solver.duty", rule=rule.id, number=number)
    if run.settle(run.ask([selected, applies], [rule]), [rule], what) is False:
        params = run.unconfigured(
            rule, lambda m: [*_chosen(m, index), neg(m.versions[index].not_applicable)]
        )
        if params:
            _unconfigured(run, rule, what, params, (here,))
            return
        scope = [c for c in v.checks if c.role in ("event", "condition")]
        core = _core(run, selected, scope)
        because = tuple(Place(c.condition.expr.span, _check_label(c)) for c in core)
        message = msg("A005/duty", rule=rule.id, number=number)
        run.found.append(Finding("A005", message, (here,), None, because, (rule.id,)))
        return
    _joint(run, rule, v, selected, here, "A008", index)


def _core(run: Session, selected: Z, checks: list[Check]) -> list[Check]:
    """The checks that contradict each other (an unsat core)."""
    solver = z3.Solver()
    solver.set("timeout", 10_000)
    solver.add(*run.space.axioms, run.no_error, selected)
    literals = {}
    for i, c in enumerate(checks):
        literal = z3.Bool(f"core {i}")
        wanted = c.false if c.role == "unless" else c.true
        solver.add(z3.Implies(literal, wanted))
        literals[literal.get_id()] = (literal, c)
    if solver.check(*(lit for lit, _ in literals.values())) != z3.unsat:
        return []
    core = [literals[lit.get_id()][1] for lit in solver.unsat_core()]
    return sorted(core, key=lambda c: (c.condition.span.line, c.condition.span.col))


def _why_never(run: Session, rule: Rule, model: RuleModel, v: VersionModel) -> Msg:
    window, force = v.version.window, run.library.in_force(rule)
    if window.start and window.end and window.start > window.end:
        return msg("A003/empty", window=str(window))
    if not window.overlaps(force):
        return msg("A003/outside", window=str(window), force=str(force))
    event = next((c for c in v.checks if c.role == "event"), None)
    if event is not None and run.ask([model.present, neg(event.false)], [rule]).unsat:
        return msg("A003/event", id=event.condition.id, expr=event.condition.expr.text)
    if v.version.effective_date is not None:
        return msg("A003/effective", expr=v.version.effective_date.text, window=str(window))
    return msg("A003/decision", window=str(window), force=str(force))


def _check_label(c: Check) -> Msg:
    return msg("what.solver.place.check", role=msg(f"what.solver.role.{c.role}"), id=c.condition.id)
