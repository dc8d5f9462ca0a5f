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
from dataclasses import replace
from datetime import date
from typing import Any

from clause.engine.decide.amounts import amount_of
from clause.engine.decide.funding import Budget, fund
from clause.engine.decide.reasons import DECISION_DATE, Outcome, Reason, ReasonCode, Role
from clause.engine.decide.results import ConditionResult, Decision, Read
from clause.engine.decide.sink import NULL_SINK, Sink
from clause.engine.expr.interpret import interpret
from clause.engine.expr.values import Unknown
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
    present = {k for k, v in facts.items() if type(v) is dict or isinstance(v, Mapping)}
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
            tuple(Read(p, _plain(v)) for p, v in reads if not p.startswith("param.")),
            tuple(Read(p, _plain(v)) for p, v in reads if p.startswith("param.")),
            cond.expr.span,
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

    def missing_date(self, unknown: frozenset[str]) -> tuple[tuple[str, ...], Reason]:
        """The missing facts and the reason when no version's date is known."""
        hit = self.memo.get(unknown)
        if hit is None:
            missing = tuple(sorted(unknown))
            reason = Reason.of(ReasonCode.MISSING_EFFECTIVE_DATE, paths=", ".join(missing))
            hit = self.memo[unknown] = (missing, reason)
        return hit

    # -- one rule ----------------------------------------------------------------------------

    def rule(self, rule: Rule) -> Decision:
        selected = self.select_version(rule)
        if isinstance(selected, Decision):
            return selected
        version, effective, why = selected
        subject = self.facts[rule.subject]
        params = self.library.params_on(effective, subject.get("locality"))
        records: list[ConditionResult] | None = [] if self.trace else None
        if rule.kind == "obligation":
            return self.obligation(rule, version, effective, why, params, records)
        return self.benefit(rule, version, effective, why, params, records)

    def select_version(self, rule: Rule) -> Decision | tuple[Version, date, Reason | None]:
        """The version in force on the rule's effective date, or the decision saying why none
        applies. A version whose effective date is unknown is skipped; if no other version
        applies, the rule is undetermined for want of that date. Why the version was chosen
        is worded only in a trace."""
        unknown: frozenset[str] = frozenset()
        in_force = self.in_force[rule.id]
        facts, on = self.facts, self.on
        for version in rule.versions:
            chosen_by = version.effective_date
            effective = on if chosen_by is None else chosen_by.fn(facts, _NO_PARAMS, on)
            if type(effective) is Unknown:
                unknown |= effective.paths
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
            missing, reason = self.missing_date(unknown)
            return Decision(rule, Outcome.UNDETERMINED, reason, missing=missing)
        return self.no_version(rule)

    def outside_document(self, rule: Rule, day: date, source: str) -> Decision:
        doc = self.library.document_of(rule)
        window = self.library.in_force(rule)
        if window.end is not None and day > window.end:
            reason = Reason.of(
                ReasonCode.NOTICE_EXPIRED,
                document=doc.number,
                end=window.end,
                source=source,
                day=day,
            )
        else:
            reason = Reason.of(
                ReasonCode.NOTICE_NOT_YET,
                document=doc.number,
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
        if records is None:  # the fast path: compiled closures, nothing recorded
            facts, on = self.facts, self.on
            conditions = [c.expr.fn(facts, params, on) for c in version.conditions]
            unless = [c.expr.fn(facts, params, on) for c in version.unless]
        else:
            conditions = self.checks(rule, version.conditions, Role.CONDITION, params, records)
            unless = self.checks(rule, version.unless, Role.UNLESS, params, records)
        reason: Reason | None = None
        failed = _index(conditions, False)
        excepted = _index(unless, True) if unless else None
        open_paths = [v.paths for v in conditions if type(v) is Unknown]
        if unless:
            open_paths += [v.paths for v in unless if type(v) is Unknown]
        if failed is not None:
            cond = version.conditions[failed]
            reason = self.cited(ReasonCode.CONDITION_FAILED, cond)
        elif excepted is not None:
            cond = version.unless[excepted]
            reason = self.cited(ReasonCode.EXCEPTION, cond)
        elif version.once:
            granted, reason = self.earlier_grant(rule, version, records)
            if type(granted) is Unknown:
                open_paths.append(granted.paths)
        conds = tuple(records) if records is not None else ()
        if reason is not None:
            return Decision(rule, Outcome.INELIGIBLE, reason, version, effective, why, conds)
        if open_paths:
            missing = rank_missing(open_paths)
            reason = _MISSING_FACTS
            return Decision(
                rule, Outcome.UNDETERMINED, reason, version, effective, why, conds, missing=missing
            )
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
        applies = self.checks(rule, version.conditions, Role.CONDITION, params, records)
        off = _index(applies, False)
        if off is not None:
            cond = version.conditions[off]
            reason = self.cited(ReasonCode.DUTY_NOT_APPLICABLE, cond)
            conds = tuple(records) if records is not None else ()
            return Decision(rule, Outcome.NOT_APPLICABLE, reason, version, effective, why, conds)
        requires = self.checks(rule, version.requires, Role.REQUIRES, params, records)
        conds = tuple(records) if records is not None else ()
        scope_known = all(type(v) is not Unknown for v in applies)
        broken = _index(requires, False)
        if broken is not None and scope_known:
            cond = version.requires[broken]
            reason = self.cited(ReasonCode.REQUIREMENT_FAILED, cond)
            return Decision(rule, Outcome.VIOLATION, reason, version, effective, why, conds)
        open_paths = [v.paths for v in (*applies, *requires) if type(v) is Unknown]
        if open_paths:
            reason = _MISSING_FACTS
            return Decision(
                rule,
                Outcome.UNDETERMINED,
                reason,
                version,
                effective,
                why,
                conds,
                missing=rank_missing(open_paths),
            )
        reason = _ALL_REQUIREMENTS_MET
        return Decision(rule, Outcome.COMPLIANT, reason, version, effective, why, conds)

    def earlier_grant(
        self, rule: Rule, version: Version, records: list[ConditionResult] | None
    ) -> tuple[bool | Unknown, Reason | None]:
        """Whether a one-off benefit was already granted on or before the decision date, and
        the reason to refuse it if so. No grant history at all is unknown, not "none"; a
        grant dated after the decision date had not happened on that date."""
        program = version.once_program or rule.id
        path = f"{rule.subject}.grants"
        grants = self.facts[rule.subject].get("grants")
        granted: bool | Unknown
        reason = None
        if grants is None:
            granted = Unknown(frozenset({path}))
        else:
            granted = False
            for grant in grants:
                if not _is_record(grant):
                    continue
                paid = grant.get("date")
                if isinstance(paid, date) and paid > self.on:
                    continue
                if grant.get("program") == program:
                    granted = True
                    reason = Reason.of(
                        ReasonCode.EARLIER_GRANT,
                        program=program,
                        date=paid.isoformat() if isinstance(paid, date) else "",
                        quote=version.once_quote or "",
                    )
                    break
            if granted is False and any(not _is_record(g) or "program" not in g for g in grants):
                # a record whose programme is not known might be this very benefit
                granted = Unknown(frozenset({f"{path}.program"}))
        if records is not None:
            record = ConditionResult(
                "once",
                Role.ONCE,
                f'"{program}" in {path}.program',
                version.once_quote or "",
                granted if isinstance(granted, bool) else None,
                tuple(sorted(granted.paths)) if type(granted) is Unknown else (),
                (Read(path, list(grants) if isinstance(grants, list | tuple) else None),),
                (),
                version.span,
            )
            self.sink.check(rule.id, record)
            records.append(record)
        return granted, reason


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


def apply_overrides(decisions: list[Decision]) -> list[Decision]:
    """A benefit that is eligible supersedes the benefits it overrides (decided on their own);
    one that is undetermined leaves them undetermined too: they may yet be superseded."""
    overriding = [
        d
        for d in decisions
        if d.version is not None
        and d.version.overrides
        and d.outcome in (Outcome.ELIGIBLE, Outcome.UNDETERMINED)
    ]
    if not overriding:
        return decisions
    present = {d.rule.id for d in decisions}
    superseded: dict[str, Decision] = {}
    pending: dict[str, Decision] = {}
    for d in overriding:
        assert d.version is not None
        for target in d.version.overrides:
            if target not in present:
                continue
            if d.outcome is Outcome.ELIGIBLE:
                superseded.setdefault(target, d)
            else:
                pending.setdefault(target, d)
    if not superseded and not pending:
        return decisions
    out = []
    for d in decisions:
        if d.rule.id in superseded:
            by = superseded[d.rule.id].rule.id
            reason = Reason.of(ReasonCode.SUPERSEDED, by=by, was=d.outcome.value)
            d = replace(
                d, outcome=Outcome.NOT_APPLICABLE, reason=reason, superseded_by=by, amount=None
            )
        elif d.rule.id in pending and d.outcome is Outcome.ELIGIBLE:
            other = pending[d.rule.id]
            reason = Reason.of(ReasonCode.MAYBE_SUPERSEDED, by=other.rule.id)
            d = replace(
                d, outcome=Outcome.UNDETERMINED, reason=reason, missing=other.missing, amount=None
            )
        out.append(d)
    return out


def _index(values: Sequence[Any], target: bool) -> int | None:
    """The position of the first value that is `target` (by identity: unknown never is)."""
    for i, value in enumerate(values):
        if value is target:
            return i
    return None


def _is_record(value: Any) -> bool:
    """Whether a fact value is a record (a mapping): a plain dict checked first, it is fast."""
    return type(value) is dict or isinstance(value, Mapping)


def _plain(value: Any) -> Any:
    return None if type(value) is Unknown else value
