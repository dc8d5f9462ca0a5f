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
    decisions = [
        case.rule(rule)
        for rule in library.rules_by_id
        if isinstance(facts.get(rule.subject), Mapping)
    ]
    decisions = apply_overrides(decisions)
    funded = [fund(d, case.value, budget) for d in decisions]
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

    def select_version(self, rule: Rule) -> Decision | tuple[Version, date, Reason]:
        """The version in force on the rule's effective date, or the decision saying why none
        applies. A version whose effective date is unknown is skipped; if no other version
        applies, the rule is undetermined for want of that date."""
        unknown: set[str] = set()
        in_force = self.library.in_force(rule)
        for version in rule.versions:
            effective, source = self.on, DECISION_DATE
            if version.effective_date is not None:
                value = self.value(version.effective_date, _NO_PARAMS)
                if type(value) is Unknown:
                    unknown |= value.paths
                    continue
                effective, source = value, version.effective_date.text
            if not in_force.contains(effective):
                return self.outside_document(rule, effective, source)
            if version.window.contains(effective):
                why = Reason.of(
                    ReasonCode.VERSION,
                    source=source,
                    day=effective,
                    version=version.number,
                    window=version.window,
                )
                return version, effective, why
        if unknown:
            missing = tuple(sorted(unknown))
            reason = Reason.of(ReasonCode.MISSING_EFFECTIVE_DATE, paths=", ".join(missing))
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
        why: Reason,
        params: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> Decision:
        conditions = self.checks(rule, version.conditions, Role.CONDITION, params, records)
        unless = self.checks(rule, version.unless, Role.UNLESS, params, records)
        reason: Reason | None = None
        failed = next((i for i, v in enumerate(conditions) if v is False), None)
        excepted = next((i for i, v in enumerate(unless) if v is True), None)
        open_paths = [v.paths for v in (*conditions, *unless) if type(v) is Unknown]
        if failed is not None:
            cond = version.conditions[failed]
            reason = Reason.of(ReasonCode.CONDITION_FAILED, id=cond.id, quote=cond.quote)
        elif excepted is not None:
            cond = version.unless[excepted]
            reason = Reason.of(ReasonCode.EXCEPTION, id=cond.id, quote=cond.quote)
        elif version.once:
            granted, reason = self.earlier_grant(rule, version, records)
            if type(granted) is Unknown:
                open_paths.append(granted.paths)
        conds = tuple(records) if records is not None else ()
        if reason is not None:
            return Decision(rule, Outcome.INELIGIBLE, reason, version, effective, why, conds)
        if open_paths:
            missing = rank_missing(open_paths)
            reason = Reason(ReasonCode.MISSING_FACTS)
            return Decision(
                rule, Outcome.UNDETERMINED, reason, version, effective, why, conds, missing=missing
            )
        amount = (
            amount_of(version.amount, params, self.value, self.trace) if version.amount else None
        )
        reason = Reason(ReasonCode.ALL_MET)
        return Decision(rule, Outcome.ELIGIBLE, reason, version, effective, why, conds, amount)

    def obligation(
        self,
        rule: Rule,
        version: Version,
        effective: date,
        why: Reason,
        params: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> Decision:
        applies = self.checks(rule, version.conditions, Role.CONDITION, params, records)
        off = next((i for i, v in enumerate(applies) if v is False), None)
        if off is not None:
            cond = version.conditions[off]
            reason = Reason.of(ReasonCode.DUTY_NOT_APPLICABLE, id=cond.id, quote=cond.quote)
            conds = tuple(records) if records is not None else ()
            return Decision(rule, Outcome.NOT_APPLICABLE, reason, version, effective, why, conds)
        requires = self.checks(rule, version.requires, Role.REQUIRES, params, records)
        conds = tuple(records) if records is not None else ()
        scope_known = all(type(v) is not Unknown for v in applies)
        broken = next((i for i, v in enumerate(requires) if v is False), None)
        if broken is not None and scope_known:
            cond = version.requires[broken]
            reason = Reason.of(ReasonCode.REQUIREMENT_FAILED, id=cond.id, quote=cond.quote)
            return Decision(rule, Outcome.VIOLATION, reason, version, effective, why, conds)
        open_paths = [v.paths for v in (*applies, *requires) if type(v) is Unknown]
        if open_paths:
            reason = Reason(ReasonCode.MISSING_FACTS)
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
        reason = Reason(ReasonCode.ALL_REQUIREMENTS_MET)
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
                if not isinstance(grant, Mapping):
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
            if granted is False and any(
                not isinstance(g, Mapping) or "program" not in g for g in grants
            ):
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
    present = {d.rule.id for d in decisions}
    superseded: dict[str, Decision] = {}
    pending: dict[str, Decision] = {}
    for d in decisions:
        if d.version is None or d.outcome not in (Outcome.ELIGIBLE, Outcome.UNDETERMINED):
            continue
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


def _plain(value: Any) -> Any:
    return None if type(value) is Unknown else value
