"""The decision core: a library, one case's facts and a date in; a Decision per rule out.

This is the one decision procedure. `clause explain`, `clause eval`, `clause test`, the Python
API and the service all call `decide`; batch backends either run it with the null sink or are
compiled from the same model and held to it by differential tests.

Semantics (the contract in DESIGN.md "A decision"):
- A rule is decided when its subject entity is present in the facts, after the rules whose
  outcome it reads (`outcome("id")`) and the rules that override it (engine.dependencies), so
  the outcome it reads is the one shown and the order of the files never matters.
- The version is chosen by the rule's effective date (a fact date, or the decision date) and
  must also fall inside its document's in-force window; otherwise `not_applicable`, with why.
  A version may name the event its date dates: when that event did not happen the rule is
  refused (a duty not owed) for that reason (engine.decide.versions).
- Benefits: all conditions true and no exception true -> eligible; a false condition, a true
  exception, or an earlier grant under any `once` limit -> ineligible; otherwise undetermined,
  listing the missing facts, most decisive first; then a false in-principle (原则上) condition
  -> exception_needed. Obligations: conditions decide whether the duty applies (false ->
  not_applicable), `requires` decides violation, undetermined, exception_needed (an
  in-principle requirement not met) or compliant, in that order.
- Every condition is evaluated (no short cut between conditions), so an expression error
  stops the same case whatever the other facts.
- Overrides use the overriders' own outcomes; funding is allocated last, in rule-id order,
  spending `budget` (shared by the cases of a register); shares the quotas settle are known
  even when the amount is not (engine.decide.funding).
- Amounts are exact decimals rounded half up to 0.01 yuan (分).
Selecting rules or outcomes for display happens after all of this (`select`), so it can never
change an outcome, an amount or a funding share.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from clause.engine.decide.amounts import amount_of
from clause.engine.decide.checks import CITING as CITING  # re-exported: tests read it here
from clause.engine.decide.checks import rank_missing
from clause.engine.decide.funding import Budget, fund
from clause.engine.decide.grants import check_text, earlier_grant, earlier_reason, programs_of
from clause.engine.decide.overrides import apply_overrides, supersede
from clause.engine.decide.reasons import Outcome, Reason, ReasonCode, Role
from clause.engine.decide.results import ConditionResult, Decision, Read
from clause.engine.decide.sink import NULL_SINK, Sink
from clause.engine.decide.versions import Versioned
from clause.engine.expr.runtime import OUTCOME_PREFIX, outcome_path
from clause.engine.expr.values import Unknown, merge_unknown
from clause.engine.library import Library
from clause.engine.model import Condition, Rule, Version

_NO_PARAMS: dict[str, Any] = {}
_MISSING_FACTS = Reason(ReasonCode.MISSING_FACTS)
_ALL_MET = Reason(ReasonCode.ALL_MET)
_ALL_REQUIREMENTS_MET = Reason(ReasonCode.ALL_REQUIREMENTS_MET)


def decide(
    library: Library,
    facts: Mapping[str, Any],
    on: date,
    *,
    sink: Sink = NULL_SINK,
    budget: Budget | None = None,
) -> list[Decision]:
    """Decide every rule whose subject is in `facts` (normalised: engine.facts), in id order.

    With a tracing sink every check runs on the reference interpreter and is reported with the
    facts and parameters it read; with the null sink compiled closures run and no per-check
    record is made. Raises EvalError when an expression fails at run time.
    """
    case = _Case(library, facts, on, sink)
    plan = library.plan
    present = {k for k, v in facts.items() if type(v) is dict or isinstance(v, Mapping)}
    if plan.read or plan.implemented:
        decisions = _in_dependency_order(case, library, present)
    else:  # no rule reads another's outcome: rule-id order, overrides applied after
        decisions = [case.rule(rule) for rule in library.rules_by_id if rule.subject in present]
        decisions = apply_overrides(decisions)
    funded = [
        fund(d, case.value, budget) if d.version is not None and d.version.funding else d
        for d in decisions
    ]
    if sink.enabled:
        for d in funded:
            sink.decision(d)
    return funded


def _in_dependency_order(case: _Case, library: Library, present: set[str]) -> list[Decision]:
    """Every rule decided after the rules it reads and those overriding it, each read given
    the outcome shown (after its own overriders); returned in rule-id order."""
    plan = library.plan
    own: dict[str, Decision] = {}  # the own decision of each rule that overrides another
    final: dict[str, Decision] = {}  # the decision shown of each rule another reads
    slots: list[Decision | None] = [None] * len(plan.steps)  # in rule-id order
    overriding, read = plan.overriding, plan.read
    for rule, reads, overriders, place in plan.steps:  # dependencies first: engine.dependencies
        if rule.subject not in present:
            continue
        decided = case.rule(rule, outcomes_read(library, reads, final) if reads else _NO_PARAMS)
        if rule.id in overriding:
            own[rule.id] = decided
        if overriders:
            decided = supersede(decided, [own[o] for o in overriders if o in own])
        if rule.id in read:
            final[rule.id] = decided
        slots[place] = decided
    return [d for d in slots if d is not None]


def outcomes_read(
    library: Library, rule_ids: frozenset[str], final: Mapping[str, Decision]
) -> Mapping[str, Any]:
    """What `outcome("id")` gives a rule that reads `rule_ids`: each rule's outcome as shown,
    or an Unknown naming the facts that would settle it (an undetermined rule's missing facts;
    the subject entity of a rule that was not decided for want of it)."""
    if not rule_ids:
        return _NO_PARAMS
    out: dict[str, Any] = {}
    for rid in sorted(rule_ids):
        d = final.get(rid)
        if d is None:
            rule = library.rule(rid)
            missing = rule.subject if rule is not None else outcome_path(rid)
            out[OUTCOME_PREFIX + rid] = Unknown(frozenset({missing}))
        elif d.outcome is Outcome.UNDETERMINED:
            out[OUTCOME_PREFIX + rid] = Unknown(frozenset(d.missing or (outcome_path(rid),)))
        else:
            out[OUTCOME_PREFIX + rid] = d.outcome.value
    return out


def select(
    decisions: Sequence[Decision],
    rule_ids: Collection[str] | None = None,
    outcomes: Collection[str] | None = None,
) -> list[Decision]:
    """The decisions an output shows: by rule id and by outcome. Applied after `decide`, so
    choosing what to show never changes what was decided."""
    return [
        d
        for d in decisions
        if (rule_ids is None or d.rule.id in rule_ids)
        and (outcomes is None or d.outcome in outcomes)
    ]


class _Case(Versioned):
    """One case being decided: versions chosen (Versioned), then a benefit or a duty."""

    def rule(self, rule: Rule, reads: Mapping[str, Any] = _NO_PARAMS) -> Decision:
        """One rule's decision; `reads` holds the outcomes of the rules it reads."""
        if self.library.place_fields:
            inside, missing = self.library.jurisdiction_of(rule, self.facts[rule.subject])
            if inside is not True:
                return self.outside(rule, inside, missing)
        records: list[ConditionResult] | None = [] if self.trace else None
        selected = self.select_version(rule, reads, records)
        if isinstance(selected, Decision):
            return selected
        version, effective, why = selected
        subject = self.facts[rule.subject]
        params = self.library.params_on(effective, subject.get("locality"))
        if reads:
            params = {**params, **reads}
        if rule.kind == "obligation":
            return self.obligation(rule, version, effective, why, params, records)
        return self.benefit(rule, version, effective, why, params, records)

    def outside(self, rule: Rule, inside: bool | None, missing: tuple[str, ...]) -> Decision:
        """A rule of a document that does not govern the subject's place (not applicable),
        or may not (undetermined, for want of the place facts that would say)."""
        layer = self.library.layers[rule.id]
        if inside is False:
            place = self.library.place_of(rule.subject, self.facts[rule.subject])
            reason = Reason.of(
                ReasonCode.OUTSIDE_JURISDICTION,
                document=layer.document,
                place=layer.jurisdiction,
                home=place,
            )
            return Decision(rule, Outcome.NOT_APPLICABLE, reason)
        reason = Reason.of(
            ReasonCode.JURISDICTION_UNKNOWN,
            document=layer.document,
            place=layer.jurisdiction,
            paths=", ".join(missing),
        )
        return Decision(rule, Outcome.UNDETERMINED, reason, missing=missing)

    def benefit(
        self,
        rule: Rule,
        version: Version,
        effective: date,
        why: Reason | None,
        params: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> Decision:
        event = version.event
        happened: Sequence[Any] = ()
        if records is None:  # the fast path: compiled closures, nothing recorded
            facts, on = self.facts, self.on
            if event is not None:
                happened = (event.expr.fn(facts, params, on),)
            conditions = [c.expr.fn(facts, params, on) for c in version.conditions]
            unless = [c.expr.fn(facts, params, on) for c in version.unless]
        else:
            if event is not None:
                happened = self.checks(rule, (event,), Role.EVENT, params, records)
            conditions = self.checks(rule, version.conditions, Role.CONDITION, params, records)
            unless = self.checks(rule, version.unless, Role.UNLESS, params, records)
        reason: Reason | None = None
        principled = version.in_principle
        failed = (
            _first_false(version.conditions, conditions, principle=False)
            if principled
            else _index(conditions, False)
        )
        excepted = _index(unless, True) if unless else None
        open_paths = [v.paths for v in conditions if type(v) is Unknown]
        if happened or unless:
            open_paths += [v.paths for v in (*happened, *unless) if type(v) is Unknown]
        if failed is not None:
            reason = self.cited(ReasonCode.CONDITION_FAILED, version.conditions[failed])
        elif excepted is not None:
            reason = self.cited(ReasonCode.EXCEPTION, version.unless[excepted])
        elif version.once:
            granted, reason = self.earlier_grant(rule, version, effective, records)
            if type(granted) is Unknown:
                open_paths.append(granted.paths)
        conds = tuple(records) if records is not None else ()
        if reason is not None:
            return Decision(rule, Outcome.INELIGIBLE, reason, version, effective, why, conds)
        if open_paths:
            missing = rank_missing(open_paths)
            return Decision(
                rule,
                Outcome.UNDETERMINED,
                _MISSING_FACTS,
                version,
                effective,
                why,
                conds,
                missing=missing,
            )
        deviates = (
            _first_false(version.conditions, conditions, principle=True) if principled else None
        )
        if deviates is not None:
            reason = self.cited(ReasonCode.PRINCIPLE_DEVIATION, version.conditions[deviates])
            return Decision(rule, Outcome.EXCEPTION_NEEDED, reason, version, effective, why, conds)
        amount = (
            amount_of(version.amount, params, self.value, self.trace) if version.amount else None
        )
        reason = _ALL_MET
        return Decision(rule, Outcome.ELIGIBLE, reason, version, effective, why, conds, amount)

    def obligation(
        self,
        rule: Rule,
        version: Version,
        effective: date,
        why: Reason | None,
        params: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> Decision:
        event = version.event
        happened = self.checks(rule, (event,), Role.EVENT, params, records) if event else []
        applies = [
            *happened,
            *self.checks(rule, version.conditions, Role.CONDITION, params, records),
        ]
        scope = (*((event,) if event else ()), *version.conditions)
        off = _index(applies, False)
        if off is not None:
            reason = self.cited(ReasonCode.DUTY_NOT_APPLICABLE, scope[off])
            conds = tuple(records) if records is not None else ()
            return Decision(rule, Outcome.NOT_APPLICABLE, reason, version, effective, why, conds)
        requires = self.checks(rule, version.requires, Role.REQUIRES, params, records)
        conds = tuple(records) if records is not None else ()
        scope_known = all(type(v) is not Unknown for v in applies)
        principled = version.in_principle
        broken = (
            _first_false(version.requires, requires, principle=False)
            if principled
            else _index(requires, False)
        )
        if broken is not None and scope_known:
            reason = self.cited(ReasonCode.REQUIREMENT_FAILED, version.requires[broken])
            return Decision(rule, Outcome.VIOLATION, reason, version, effective, why, conds)
        open_paths = [v.paths for v in (*applies, *requires) if type(v) is Unknown]
        if open_paths:
            return Decision(
                rule,
                Outcome.UNDETERMINED,
                _MISSING_FACTS,
                version,
                effective,
                why,
                conds,
                missing=rank_missing(open_paths),
            )
        deviates = _first_false(version.requires, requires, principle=True) if principled else None
        if deviates is not None:
            reason = self.cited(ReasonCode.PRINCIPLE_DEVIATION, version.requires[deviates])
            return Decision(rule, Outcome.EXCEPTION_NEEDED, reason, version, effective, why, conds)
        reason = _ALL_REQUIREMENTS_MET
        return Decision(rule, Outcome.COMPLIANT, reason, version, effective, why, conds)

    def earlier_grant(
        self,
        rule: Rule,
        version: Version,
        effective: date,
        records: list[ConditionResult] | None,
    ) -> tuple[bool | Unknown, Reason | None]:
        """Whether a one-off (or periodic) benefit was already granted under any of its limits
        (engine.decide.grants), and the reason to refuse it if so. Every limit is checked."""
        grants = self.facts[rule.subject].get("grants")
        if records is None and type(grants) is list and not grants:
            return False, None  # the commonest history: none at all, so no limit is reached
        path = f"{rule.subject}.grants"
        reason: Reason | None = None
        unknown: list[Unknown] = []
        for k, limit in enumerate(version.once_limits):
            programs = programs_of(rule, limit)
            found = earlier_grant(grants, programs, limit.period, self.on, effective, path)
            if found.granted is True and reason is None:
                reason = earlier_reason(found, limit)
            elif type(found.granted) is Unknown:
                unknown.append(found.granted)
            if records is not None:
                granted = found.granted
                record = ConditionResult(
                    "once" if k == 0 else f"once_{k + 1}",
                    Role.ONCE,
                    check_text(programs, limit.period, effective, path),
                    limit.quote or "",
                    granted if isinstance(granted, bool) else None,
                    tuple(sorted(granted.paths)) if type(granted) is Unknown else (),
                    (Read(path, list(grants) if isinstance(grants, list | tuple) else None),),
                    (),
                    version.span,
                )
                self.sink.check(rule.id, record)
                records.append(record)
        if reason is not None:
            return True, reason
        return (merge_unknown(*unknown) if unknown else False), None


def _index(values: Sequence[Any], target: bool) -> int | None:
    """The position of the first value that is `target` (by identity: unknown never is)."""
    for i, value in enumerate(values):
        if value is target:
            return i
    return None


def _first_false(
    conditions: Sequence[Condition], values: Sequence[Any], *, principle: bool
) -> int | None:
    """The first condition that is false among those that are (or are not) in principle."""
    return next(
        (
            i
            for i, (c, v) in enumerate(zip(conditions, values, strict=True))
            if v is False and c.in_principle is principle
        ),
        None,
    )
