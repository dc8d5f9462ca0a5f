"""The decision core: a library, one case's facts and a date in; a Decision per rule out.

This is the one decision procedure. `clause explain`, `clause eval`, `clause test`, the Python
API and the service all call `decide`; batch backends either run it with the null sink or are
compiled from the same model and held to it by differential tests.

Semantics (the contract in DESIGN.md "A decision"):
- A rule is decided when its subject entity is present in the facts.
- The version is chosen by the rule's effective date (a fact date, or the decision date) and
  must also fall inside its document's in-force window; otherwise `not_applicable`, with why.
- Benefits: all conditions true and no exception true -> eligible; a false condition, a true
  exception, or an earlier grant of a one-off benefit -> ineligible; otherwise undetermined,
  listing the missing facts, most decisive first. Obligations: conditions decide whether the
  duty applies (false -> not_applicable), `requires` decides compliant or violation.
- Every condition is evaluated (no short cut between conditions), so an expression error
  stops the same case whatever the other facts.
- Overrides are applied after every rule is decided, so rule order never matters; funding is
  allocated last, in rule-id order, spending `budget` (shared by the cases of a register).
- Amounts are exact decimals rounded half up to 0.01 yuan (分).
Selecting rules or outcomes for display happens after all of this (`select`), so it can never
change an outcome, an amount or a funding share.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from clause.engine.decide.amounts import amount_of
from clause.engine.decide.funding import Budget, fund
from clause.engine.decide.grants import check_text, earlier_grant, earlier_reason, programs_of
from clause.engine.decide.overrides import supersede
from clause.engine.decide.reasons import DECISION_DATE, Outcome, Reason, ReasonCode, Role
from clause.engine.decide.results import ConditionResult, Decision, Read
from clause.engine.decide.sink import NULL_SINK, Sink
from clause.engine.expr.interpret import interpret
from clause.engine.expr.runtime import OUTCOME_PREFIX, outcome_path
from clause.engine.expr.values import Unknown, merge_unknown
from clause.engine.library import Library
from clause.engine.model import Condition, Expr, Rule, Version

_NO_PARAMS: dict[str, Any] = {}
_MISSING_FACTS = Reason(ReasonCode.MISSING_FACTS)
_ALL_MET = Reason(ReasonCode.ALL_MET)
_ALL_REQUIREMENTS_MET = Reason(ReasonCode.ALL_REQUIREMENTS_MET)
#: The reasons that name the condition (its id and quote) that decided.
CITING = frozenset(
    {
        ReasonCode.CONDITION_FAILED,
        ReasonCode.EXCEPTION,
        ReasonCode.DUTY_NOT_APPLICABLE,
        ReasonCode.REQUIREMENT_FAILED,
        ReasonCode.PRINCIPLE_DEVIATION,
        ReasonCode.EVENT_NOT_HAPPENED,
    }
)


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
    own: dict[str, Decision] = {}  # each rule's decision before its overriders
    final: dict[str, Decision] = {}  # as shown, after them
    for rule in plan.order:  # dependencies first: engine.dependencies
        if rule.subject not in present:
            continue
        rid = rule.id
        reads = plan.reads[rid]
        decided = case.rule(rule, outcomes_read(library, reads, final) if reads else _NO_PARAMS)
        own[rid] = decided
        overriders = plan.overridden_by[rid]
        if overriders:
            decided = supersede(decided, [own[o] for o in overriders if o in own])
        final[rid] = decided
    decisions = [final[r.id] for r in library.rules_by_id if r.id in final]
    funded = [
        fund(d, case.value, budget) if d.version is not None and d.version.funding else d
        for d in decisions
    ]
    if sink.enabled:
        for d in funded:
            sink.decision(d)
    return funded


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


class _Case:
    """One case being decided: the facts, the date, and how expressions are observed."""

    def __init__(self, library: Library, facts: Mapping[str, Any], on: date, sink: Sink) -> None:
        self.library, self.facts, self.on, self.sink = library, facts, on, sink
        self.trace = sink.enabled
        self.in_force = library.in_force_by_rule
        self.memo = library.memo

    # -- expressions -------------------------------------------------------------------------

    def value(self, expr: Expr, params: Mapping[str, Any]) -> Any:
        """An expression's value (compiled and interpreted agree: property-tested)."""
        return expr.fn(self.facts, params, self.on)

    def check(
        self, rule: Rule, cond: Condition, role: Role, params: Mapping[str, Any]
    ) -> tuple[Any, ConditionResult]:
        """A condition on the reference interpreter, reported to the sink with what it read."""
        result = interpret(cond.expr.node, self.facts, params, self.on)
        value = result.value
        reads = sorted(result.reads.items())
        record = ConditionResult(
            cond.id,
            role,
            cond.expr.text,
            cond.quote,
            value if isinstance(value, bool) else None,
            tuple(sorted(value.paths)) if type(value) is Unknown else (),
            tuple(Read(p, _plain(v)) for p, v in reads if _kind_of_read(p) == "fact"),
            tuple(Read(p, _plain(v)) for p, v in reads if _kind_of_read(p) == "param"),
            cond.expr.span,
            cond.in_principle,
            cond.cite,
            tuple(Read(p, _plain(v)) for p, v in reads if _kind_of_read(p) == "outcome"),
        )
        self.sink.check(rule.id, record)
        return value, record

    def checks(
        self,
        rule: Rule,
        conditions: Sequence[Condition],
        role: Role,
        params: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> list[Any]:
        """The values of `conditions`, each one evaluated; traced into `records` when given."""
        if records is None:
            facts, on = self.facts, self.on
            return [c.expr.fn(facts, params, on) for c in conditions]
        values = []
        for cond in conditions:
            value, record = self.check(rule, cond, role, params)
            records.append(record)
            values.append(value)
        return values

    # -- reasons that depend only on the rules: made once per library -----------------------

    def cited(self, code: ReasonCode, cond: Condition) -> Reason:
        """The reason naming a condition and its quote (a failed condition, an exception…)."""
        key = (code, id(cond))
        hit = self.memo.get(key)
        if hit is None or hit[0] is not cond:
            assert code in CITING
            hit = self.memo[key] = (cond, Reason.of(code, id=cond.id, quote=cond.quote))
        return hit[1]

    def missing_date(self, unknown: Sequence[frozenset[str]]) -> tuple[tuple[str, ...], Reason]:
        """The missing facts and the reason when no version's date is known (ranked as
        rank_missing does: whether the event happened, when that is unknown too, first)."""
        key = ("missing_date", tuple(unknown))
        hit = self.memo.get(key)
        if hit is None:
            missing = rank_missing(unknown)
            reason = Reason.of(ReasonCode.MISSING_EFFECTIVE_DATE, paths=", ".join(missing))
            hit = self.memo[key] = (missing, reason)
        return hit

    # -- one rule ----------------------------------------------------------------------------

    def rule(self, rule: Rule, reads: Mapping[str, Any] = _NO_PARAMS) -> Decision:
        """One rule's decision; `reads` holds the outcomes of the rules it reads."""
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

    def select_version(
        self, rule: Rule, reads: Mapping[str, Any], records: list[ConditionResult] | None
    ) -> Decision | tuple[Version, date, Reason | None]:
        """The version in force on the rule's effective date, or the decision saying why none
        applies. A version whose event did not happen, or whose effective date is unknown, is
        skipped; if no other version applies, the rule is ineligible (not_applicable for a
        duty) because the event did not happen, or undetermined for want of the date (and of
        whether the event happened, when that is unknown too). Dates and events are read
        before any parameter: the date is what chooses the parameters. Why the version was
        chosen is worded only in a trace."""
        unknown: list[frozenset[str]] = []
        not_happened: Version | None = None
        in_force = self.in_force[rule.id]
        facts, on = self.facts, self.on
        for version in rule.versions:
            happened: Any = True
            if version.event is not None:
                happened = version.event.expr.fn(facts, reads, on)
                if happened is False:
                    not_happened = not_happened or version
                    continue
            chosen_by = version.effective_date
            effective = on if chosen_by is None else chosen_by.fn(facts, reads, on)
            if type(effective) is Unknown:
                unknown += [happened.paths] if type(happened) is Unknown else []
                unknown.append(effective.paths)
                continue
            if not in_force.lo <= effective <= in_force.hi:
                source = DECISION_DATE if chosen_by is None else chosen_by.text
                return self.outside_document(rule, effective, source)
            window = version.window
            if window.lo <= effective <= window.hi:
                if not self.trace:
                    return version, effective, None
                why = Reason.of(
                    ReasonCode.VERSION,
                    source=DECISION_DATE if chosen_by is None else chosen_by.text,
                    day=effective,
                    version=version.number,
                    window=version.window,
                )
                return version, effective, why
        if unknown:
            self.trace_events(rule, reads, records)
            missing, reason = self.missing_date(unknown)
            conds = tuple(records) if records is not None else ()
            return Decision(rule, Outcome.UNDETERMINED, reason, conditions=conds, missing=missing)
        if not_happened is not None and not_happened.event is not None:
            return self.event_not_happened(rule, not_happened, reads, records)
        return self.no_version(rule)

    def trace_events(
        self, rule: Rule, reads: Mapping[str, Any], records: list[ConditionResult] | None
    ) -> None:
        """Record the event checks of the versions (once each) when no version was chosen."""
        if records is None:
            return
        seen: set[str] = set()
        for version in rule.versions:
            event = version.event
            if event is not None and event.expr.text not in seen:
                seen.add(event.expr.text)
                self.checks(rule, (event,), Role.EVENT, reads, records)

    def event_not_happened(
        self,
        rule: Rule,
        version: Version,
        reads: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> Decision:
        """The event the rule is about did not happen: a benefit is refused, a duty not owed."""
        assert version.event is not None
        self.trace_events(rule, reads, records)
        reason = self.cited(ReasonCode.EVENT_NOT_HAPPENED, version.event)
        outcome = Outcome.NOT_APPLICABLE if rule.kind == "obligation" else Outcome.INELIGIBLE
        conds = tuple(records) if records is not None else ()
        # the version whose event was checked; no date chose it, the event's absence did
        return Decision(rule, outcome, reason, version, version_reason=reason, conditions=conds)

    def outside_document(self, rule: Rule, day: date, source: str) -> Decision:
        doc = self.library.document_of(rule)
        window = self.library.in_force(rule)
        if window.end is not None and day > window.end:
            reason = Reason.of(
                ReasonCode.NOTICE_EXPIRED,
                document=doc.ref,
                end=window.end,
                source=source,
                day=day,
            )
        else:
            reason = Reason.of(
                ReasonCode.NOTICE_NOT_YET,
                document=doc.ref,
                start=window.start,
                source=source,
                day=day,
            )
        return Decision(rule, Outcome.NOT_APPLICABLE, reason, effective_date=day)

    def no_version(self, rule: Rule) -> Decision:
        ends = [v.window.end for v in rule.versions if v.window.end is not None]
        starts = [v.window.start for v in rule.versions if v.window.start is not None]
        day = self.on
        if ends and len(ends) == len(rule.versions) and day > max(ends):
            reason = Reason.of(ReasonCode.RULE_EXPIRED, end=max(ends))
        elif starts and day < min(starts):
            reason = Reason.of(ReasonCode.RULE_NOT_YET, start=min(starts))
        else:
            reason = Reason(ReasonCode.NO_VERSION)
        return Decision(rule, Outcome.NOT_APPLICABLE, reason)

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
        if records is None:  # the fast path: compiled closures, nothing recorded
            facts, on = self.facts, self.on
            happened = [event.expr.fn(facts, params, on)] if event else []
            conditions = [c.expr.fn(facts, params, on) for c in version.conditions]
            unless = [c.expr.fn(facts, params, on) for c in version.unless]
        else:
            happened = self.checks(rule, (event,), Role.EVENT, params, records) if event else []
            conditions = self.checks(rule, version.conditions, Role.CONDITION, params, records)
            unless = self.checks(rule, version.unless, Role.UNLESS, params, records)
        reason: Reason | None = None
        failed = _first_false(version.conditions, conditions, principle=False)
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
        deviates = _first_false(version.conditions, conditions, principle=True)
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
        broken = _first_false(version.requires, requires, principle=False)
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
        deviates = _first_false(version.requires, requires, principle=True)
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
        path = f"{rule.subject}.grants"
        grants = self.facts[rule.subject].get("grants")
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


def _kind_of_read(path: str) -> str:
    """Whether a traced read is a fact, a parameter or another rule's outcome."""
    if path.startswith("param."):
        return "param"
    if path.startswith("outcome("):
        return "outcome"
    return "fact"


def rank_missing(open_paths: Sequence[frozenset[str]]) -> tuple[str, ...]:
    """Missing facts, those settling the most open checks first, then in check order.

    >>> rank_missing([frozenset({"b"}), frozenset({"a", "b"})])
    ('b', 'a')
    """
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, paths in enumerate(open_paths):
        for path in sorted(paths):
            counts[path] = counts.get(path, 0) + 1
            first.setdefault(path, i)
    return tuple(sorted(counts, key=lambda p: (-counts[p], first[p], p)))


def _plain(value: Any) -> Any:
    return None if type(value) is Unknown else value
