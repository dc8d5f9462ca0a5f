"""Decide: a policy package, one case's facts and a date in; a Decision per applicable rule out.

Semantics (the contract in DESIGN.md "A decision"):
- A rule is decided when its subject entity is present in the facts.
- The version is chosen by the rule's effective date (a fact date, or the decision date) and
  must also fall inside the notice's in-force window; otherwise `not_applicable`, with why.
- Benefits: all conditions true and no exception true -> eligible; a false condition, a true
  exception, or an earlier grant of a one-off benefit -> ineligible; otherwise undetermined,
  listing the missing facts, most decisive first. Obligations: conditions decide whether the
  duty applies (false -> not_applicable), `requires` decides compliant or violation.
- Overrides are applied after every rule is decided, so rule order never matters.
- Amounts are exact decimals rounded half up to 0.01 yuan (分); funding is allocated along the
  ordered chain, a later source covering what an earlier one's quota cannot.
With `trace=True` every condition runs on the reference interpreter and records what it read;
without, compiled code runs and only outcomes, amounts and missing facts are produced.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from clause.engine.expr.interpret import interpret
from clause.engine.expr.values import DECIMAL, Unknown, show_value
from clause.engine.model import (
    Amount,
    Condition,
    Expr,
    FundingSource,
    Money,
    Package,
    Rule,
    Version,
)

CENT = Decimal("0.01")

BENEFIT_OUTCOMES = ("eligible", "ineligible", "not_applicable", "undetermined")
OBLIGATION_OUTCOMES = ("compliant", "violation", "not_applicable", "undetermined")


@dataclass(frozen=True, slots=True)
class Read:
    """A fact or parameter an expression read, with the value it had (None: missing)."""

    path: str
    value: Any


@dataclass(frozen=True, slots=True)
class ConditionResult:
    id: str
    role: str  # condition | unless | requires | once (value true: already granted)
    expr: str
    quote: str
    value: bool | None  # None: unknown
    missing: tuple[str, ...] = ()
    facts: tuple[Read, ...] = ()
    params: tuple[Read, ...] = ()
    span: str = ""


@dataclass(frozen=True, slots=True)
class AmountResult:
    kind: str
    amount: Decimal | None  # None: not known (cap with unknown claim, not configured…)
    quote: str
    computation: str
    cap: Decimal | None = None  # the most that can be paid, when the amount is not known
    param: str | None = None
    configured: bool = True
    note: Reason | None = None


@dataclass(frozen=True, slots=True)
class FundingShare:
    fund: str
    quote: str
    amount: Decimal | None
    shortfall: bool = False  # covers what an earlier source could not


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an outcome: a stable code and its arguments; `explain` words it in zh or en."""

    code: str
    args: tuple[tuple[str, object], ...] = ()

    @staticmethod
    def of(code: str, **args: object) -> Reason:
        """Arguments are kept as given and turned into text only when worded (explain)."""
        return Reason(code, tuple(args.items()))  # type: ignore[arg-type]

    def arg(self, name: str) -> str:
        return str(dict(self.args).get(name, ""))


@dataclass(frozen=True, slots=True)
class Decision:
    rule: Rule
    outcome: str
    reason: Reason
    version: Version | None = None
    effective_date: date | None = None
    version_reason: Reason | None = None
    conditions: tuple[ConditionResult, ...] = ()
    amount: AmountResult | None = None
    funding: tuple[FundingShare, ...] = ()
    missing: tuple[str, ...] = ()
    superseded_by: str | None = None
    notes: tuple[Reason, ...] = ()


@dataclass
class Budget:
    """Remaining quota per fund id; allocation spends it, so cases share it in input order."""

    remaining: MutableMapping[str, Decimal] = field(default_factory=dict)

    def take(self, fund: str, wanted: Decimal) -> Decimal | None:
        """Spend up to `wanted` from `fund`; None when the fund has no quota (unlimited)."""
        if fund not in self.remaining:
            return None
        got = min(wanted, max(self.remaining[fund], Decimal(0)))
        self.remaining[fund] = self.remaining[fund] - got
        return got


def decide(
    package: Package,
    facts: Mapping[str, Any],
    on: date,
    rule_ids: set[str] | None = None,
    trace: bool = True,
    budget: Budget | None = None,
) -> list[Decision]:
    """Decide every rule whose subject is in `facts` (normalised, see engine.facts), sorted by id.

    Funding allocation needs every amount first, then goes in rule-id order, so the result
    never depends on the order rules were loaded in.
    """
    decider = _Decider(package, facts, on, trace)
    decisions = [
        decider.rule(rule)
        for rule in package.rules_by_id
        if (rule_ids is None or rule.id in rule_ids)
        and isinstance(facts.get(rule.subject), Mapping)
    ]
    decisions = _apply_overrides(decisions)
    return [_fund(d, facts, budget, decider) for d in decisions]


class _Decider:
    def __init__(self, package: Package, facts: Mapping[str, Any], on: date, trace: bool) -> None:
        self.package, self.facts, self.on, self.trace = package, facts, on, trace
        self._params: dict[tuple[date, Any], dict[str, Any]] = {}

    # -- expressions ---------------------------------------------------------------------

    def run(
        self, expr: Expr, params: Mapping[str, Any]
    ) -> tuple[Any, tuple[Read, ...], tuple[Read, ...]]:
        """Evaluate an expression: value, and (when tracing) the facts and parameters read."""
        if not self.trace:
            return expr.fn(self.facts, params, self.on), (), ()
        result = interpret(expr.node, self.facts, params, self.on)
        facts = tuple(
            Read(path, _plain(v))
            for path, v in sorted(result.reads.items())
            if not path.startswith("param.")
        )
        used = tuple(
            Read(path, _plain(v))
            for path, v in sorted(result.reads.items())
            if path.startswith("param.")
        )
        return result.value, facts, used

    def condition(self, cond: Condition, role: str, params: Mapping[str, Any]) -> ConditionResult:
        value, facts, used = self.run(cond.expr, params)
        known = value if isinstance(value, bool) else None
        missing = tuple(sorted(value.paths)) if type(value) is Unknown else ()
        span = f"{cond.expr.span.file}:{cond.expr.span.line}" if self.trace else ""
        return ConditionResult(
            cond.id, role, cond.expr.text, cond.quote, known, missing, facts, used, span
        )

    # -- one rule ------------------------------------------------------------------------

    def rule(self, rule: Rule) -> Decision:
        selected = self.select_version(rule)
        if isinstance(selected, Decision):
            return selected
        version, effective, why = selected
        params = self.params_for(version, rule, effective)
        base = Decision(rule, "", Reason("pending"), version, effective, why)
        if rule.kind == "obligation":
            return self.obligation(base, version, params)
        return self.benefit(base, version, params, effective)

    def select_version(self, rule: Rule) -> Decision | tuple[Version, date, str]:
        unknown: set[str] = set()
        for version in rule.versions:
            effective, source = self.on, "decision_date"
            if version.effective_date is not None:
                value, _, _ = self.run(version.effective_date, {})
                if type(value) is Unknown:
                    unknown |= value.paths
                    continue
                effective, source = value, version.effective_date.text
            in_force = self.package.document.in_force
            if not in_force.contains(effective):
                return self.outside_notice(rule, effective, source)
            if version.window.contains(effective):
                why = Reason.of(
                    "version",
                    source=source,
                    day=effective,
                    version=version.number,
                    window=version.window,
                )
                return version, effective, why
        if unknown:
            missing = tuple(sorted(unknown))
            return Decision(
                rule,
                "undetermined",
                Reason.of("missing_effective_date", paths=", ".join(missing)),
                missing=missing,
            )
        return self.no_version(rule)

    def outside_notice(self, rule: Rule, day: date, source: str) -> Decision:
        doc = self.package.document
        if doc.in_force.end is not None and day > doc.in_force.end:
            reason = Reason.of(
                "notice_expired", document=doc.number, end=doc.in_force.end, source=source, day=day
            )
        else:
            reason = Reason.of(
                "notice_not_yet",
                document=doc.number,
                start=doc.in_force.start,
                source=source,
                day=day,
            )
        return Decision(rule, "not_applicable", reason, effective_date=day)

    def no_version(self, rule: Rule) -> Decision:
        ends = [v.window.end for v in rule.versions if v.window.end is not None]
        starts = [v.window.start for v in rule.versions if v.window.start is not None]
        day = self.on
        if ends and len(ends) == len(rule.versions) and day > max(ends):
            reason = Reason.of("rule_expired", end=max(ends))
        elif starts and day < min(starts):
            reason = Reason.of("rule_not_yet", start=min(starts))
        else:
            reason = Reason.of("no_version")
        return Decision(rule, "not_applicable", reason)

    def params_for(self, version: Version, rule: Rule, day: date) -> dict[str, Any]:
        """Parameter values in force on `day`, for the subject's locality where values differ."""
        subject = self.facts.get(rule.subject, {})
        locality = subject.get("locality") if isinstance(subject, Mapping) else None
        key = (day, locality)
        cached = self._params.get(key)
        if cached is not None:
            return cached
        out: dict[str, Any] = {}
        for pid, param in self.package.parameters.items():
            value = param.value_on(day, locality)
            if value is not None and value.value is not None:
                out[pid] = value.value
        self._params[key] = out
        return out

    def benefit(
        self, base: Decision, version: Version, params: Mapping[str, Any], effective: date
    ) -> Decision:
        results = [self.condition(c, "condition", params) for c in version.conditions]
        results += [self.condition(c, "unless", params) for c in version.unless]
        outcome, reason, missing, amount = "ineligible", None, (), None
        failed = next((r for r in results if r.role == "condition" and r.value is False), None)
        excepted = next((r for r in results if r.role == "unless" and r.value is True), None)
        if failed is not None:
            reason = Reason.of("condition_failed", id=failed.id, quote=failed.quote)
        elif excepted is not None:
            reason = Reason.of("exception", id=excepted.id, quote=excepted.quote)
        else:
            once, reason = self.earlier_grant(base.rule, version)
            if once is not None:
                results.append(once)
        if reason is None:
            missing = _rank_missing([r for r in results if r.value is None])
            if missing:
                outcome, reason = "undetermined", Reason("missing_facts")
            else:
                outcome, reason = "eligible", Reason("all_met")
                if version.amount:
                    amount = self.amount(version.amount, params, effective, base.rule)
        return Decision(
            base.rule,
            outcome,
            reason,
            version,
            base.effective_date,
            base.version_reason,
            tuple(results),
            amount,
            missing=missing,
        )

    def obligation(self, base: Decision, version: Version, params: Mapping[str, Any]) -> Decision:
        applies = [self.condition(c, "condition", params) for c in version.conditions]
        off = next((r for r in applies if r.value is False), None)
        if off is not None:
            return replace(
                base,
                outcome="not_applicable",
                reason=Reason.of("duty_not_applicable", id=off.id, quote=off.quote),
                conditions=tuple(applies),
            )
        requires = [self.condition(c, "requires", params) for c in version.requires]
        results = tuple(applies + requires)
        unknown_scope = [r for r in applies if r.value is None]
        broken = next((r for r in requires if r.value is False), None)
        if broken is not None and not unknown_scope:
            return replace(
                base,
                outcome="violation",
                reason=Reason.of("requirement_failed", id=broken.id, quote=broken.quote),
                conditions=results,
            )
        missing = _rank_missing([r for r in results if r.value is None])
        if missing:
            return replace(
                base,
                outcome="undetermined",
                reason=Reason("missing_facts"),
                conditions=results,
                missing=missing,
            )
        return replace(
            base, outcome="compliant", reason=Reason("all_requirements_met"), conditions=results
        )

    def earlier_grant(
        self, rule: Rule, version: Version
    ) -> tuple[ConditionResult | None, Reason | None]:
        """For a one-off benefit, the grant-history check as a trace line, and the reason to
        refuse when an earlier grant is found. No history at all is unknown, not "none"."""
        if not version.once:
            return None, None
        program = version.once_program or rule.id
        path = f"{rule.subject}.grants"
        subject = self.facts.get(rule.subject, {})
        grants = subject.get("grants") if isinstance(subject, Mapping) else None
        check = ConditionResult(
            "once",
            "once",
            f'"{program}" in {path}.program',
            version.once_quote or "",
            None,
            (path,) if grants is None else (),
            (Read(path, _plain_grants(grants)),) if self.trace else (),
        )
        if grants is None:
            return check, None
        for grant in grants:
            paid = grant.get("date") if isinstance(grant, Mapping) else None
            if isinstance(paid, date) and paid > self.on:
                continue  # granted after the decision date: not "已享受过" as of that date
            if isinstance(grant, Mapping) and grant.get("program") == program:
                when = grant.get("date")
                reason = Reason.of(
                    "earlier_grant",
                    program=program,
                    date=when.isoformat() if isinstance(when, date) else "",
                    quote=version.once_quote or "",
                )
                return replace(check, value=True), reason
        if any(not isinstance(g, Mapping) or "program" not in g for g in grants):
            # a record whose programme is not known might be this very benefit
            return replace(check, missing=(f"{path}.program",)), None
        return replace(check, value=False), None

    # -- amounts -------------------------------------------------------------------------

    def money(self, money: Money | None, params: Mapping[str, Any]) -> tuple[Decimal | None, str]:
        if money is None:
            return None, ""
        if money.value is not None:
            return money.value, show_value(money.value)
        value = params.get(money.param or "")
        if isinstance(value, Decimal):
            return value, f"param.{money.param} = {show_value(value)}"
        return None, f"param.{money.param} = ?"

    def amount(
        self, amount: Amount, params: Mapping[str, Any], effective: date, rule: Rule
    ) -> AmountResult:
        value, shown = self.money(amount.value, params)
        kind = amount.kind
        if kind in ("fixed", "parameter"):
            return self._configured(amount, value, shown)
        if kind == "cap":
            return self._cap(amount, value, shown, params)
        if kind == "per_unit":
            return self._per_unit(amount, value, shown, params)
        if kind == "percentage":
            return self._percentage(amount, params)
        return self._referential(amount, value, shown)

    def _configured(self, amount: Amount, value: Decimal | None, shown: str) -> AmountResult:
        param = amount.value.param if amount.value else None
        if value is None:
            return _unset(amount, shown)
        return AmountResult(amount.kind, _cents(value), amount.quote, shown, param=param)

    def _cap(
        self, amount: Amount, cap: Decimal | None, shown: str, params: Mapping[str, Any]
    ) -> AmountResult:
        param = amount.value.param if amount.value else None
        if cap is None:
            return _unset(amount, f"min({amount.claimed.text if amount.claimed else '?'}, {shown})")
        claimed = self.run(amount.claimed, params)[0] if amount.claimed else None
        if not isinstance(claimed, Decimal):
            return AmountResult(
                "cap",
                None,
                amount.quote,
                f"min({amount.claimed.text if amount.claimed else ''} = ?, {shown})",
                cap=_cents(cap),
                param=param,
                note=Reason.of("claim_unknown", cap=show_value(_cents(cap))),
            )
        paid = min(claimed, cap)
        computation = (
            f"min({amount.claimed.text if amount.claimed else ''} = {show_value(claimed)}, {shown})"
        )
        return AmountResult(
            "cap",
            _cents(max(paid, Decimal(0))),
            amount.quote,
            computation,
            cap=_cents(cap),
            param=param,
        )

    def _per_unit(
        self, amount: Amount, rate: Decimal | None, shown: str, params: Mapping[str, Any]
    ) -> AmountResult:
        param = amount.value.param if amount.value else None
        unit = amount.unit or "unit"
        if rate is None:
            return _unset(amount, f"{shown} × {amount.count.text if amount.count else unit}")
        count = self.run(amount.count, params)[0] if amount.count else None
        cap = DECIMAL.multiply(rate, Decimal(amount.max_count)) if amount.max_count else None
        if not isinstance(count, Decimal):
            return AmountResult(
                "per_unit",
                None,
                amount.quote,
                f"{shown} × ({amount.count.text if amount.count else unit} = ?)",
                cap=_cents(cap) if cap is not None else None,
                param=param,
                note=Reason("count_unknown"),
            )
        used = min(count, Decimal(amount.max_count)) if amount.max_count else count
        limit = f", {amount.max_count}" if amount.max_count else ""
        count_text = amount.count.text if amount.count else ""
        computation = f"{shown} × min({count_text} = {show_value(count)}{limit})"
        return AmountResult(
            "per_unit",
            _cents(DECIMAL.multiply(rate, max(used, Decimal(0)))),
            amount.quote,
            computation,
            param=param,
        )

    def _percentage(self, amount: Amount, params: Mapping[str, Any]) -> AmountResult:
        base = self.run(amount.of, params)[0] if amount.of else None
        percent = amount.percent or Decimal(0)
        if not isinstance(base, Decimal):
            return AmountResult(
                "percentage",
                None,
                amount.quote,
                f"({amount.of.text if amount.of else ''} = ?) × {show_value(percent)}%",
                note=Reason("base_unknown"),
            )
        value = DECIMAL.divide(DECIMAL.multiply(base, percent), Decimal(100))
        computation = (
            f"{amount.of.text if amount.of else ''} = {show_value(base)} × {show_value(percent)}%"
        )
        return AmountResult("percentage", _cents(value), amount.quote, computation)

    def _referential(self, amount: Amount, value: Decimal | None, shown: str) -> AmountResult:
        param = amount.value.param if amount.value else None
        who = amount.refers_to or ""
        if value is not None:
            return AmountResult(
                "per_other_regulation", _cents(value), amount.quote, shown, param=param
            )
        return AmountResult(
            "per_other_regulation",
            None,
            amount.quote,
            shown,
            param=param,
            configured=False,
            note=Reason.of("per_other_regulation", who=who, param=param or ""),
        )


def _unset(amount: Amount, computation: str) -> AmountResult:
    """An amount whose parameter has no value for the date or locality: say so, invent nothing."""
    param = amount.value.param if amount.value else None
    return AmountResult(
        amount.kind,
        None,
        amount.quote,
        computation,
        param=param,
        configured=False,
        note=Reason.of("not_configured", param=param),
    )


def _cents(value: Decimal) -> Decimal:
    """Round half up to 0.01 yuan (分)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=DECIMAL)


def _plain_grants(grants: Any) -> Any:
    return list(grants) if isinstance(grants, list | tuple) else None


def _plain(value: Any) -> Any:
    return None if type(value) is Unknown else value


def _rank_missing(unknown: list[ConditionResult]) -> tuple[str, ...]:
    """Missing facts, those settling the most open conditions first, then in condition order."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, result in enumerate(unknown):
        for path in result.missing:
            counts[path] = counts.get(path, 0) + 1
            first.setdefault(path, i)
    return tuple(sorted(counts, key=lambda p: (-counts[p], first[p], p)))


def _apply_overrides(decisions: list[Decision]) -> list[Decision]:
    """A benefit that is eligible supersedes the benefits it overrides (decided on their own);
    one that is undetermined leaves them undetermined too: they may yet be superseded."""
    by_id = {d.rule.id: d for d in decisions}
    superseded: dict[str, Decision] = {}
    pending: dict[str, Decision] = {}
    for d in decisions:
        if d.version is None or d.outcome not in ("eligible", "undetermined"):
            continue
        for target in d.version.overrides:
            if target not in by_id:
                continue
            if d.outcome == "eligible":
                superseded.setdefault(target, d)
            else:
                pending.setdefault(target, d)
    out = []
    for d in decisions:
        if d.rule.id in superseded:
            by = superseded[d.rule.id].rule.id
            reason = Reason.of("superseded", by=by, was=d.outcome)
            d = replace(d, outcome="not_applicable", reason=reason, superseded_by=by, amount=None)
        elif d.rule.id in pending and d.outcome == "eligible":
            other = pending[d.rule.id]
            reason = Reason.of("maybe_superseded", by=other.rule.id)
            d = replace(
                d, outcome="undetermined", reason=reason, missing=other.missing, amount=None
            )
        out.append(d)
    return out


def _fund(
    decision: Decision, facts: Mapping[str, Any], budget: Budget | None, decider: _Decider
) -> Decision:
    """Allocate the amount along the funding chain: each source up to its quota, the rest on."""
    version = decision.version
    if version is None or not version.funding:
        return decision
    amount = decision.amount.amount if decision.amount else None
    if decision.outcome != "eligible" or amount is None:
        shares = tuple(
            FundingShare(s.fund, s.quote, None, i > 0) for i, s in enumerate(version.funding)
        )
        return replace(decision, funding=shares)
    chain = [(s.fund, _quota(s.quota, decider)) for s in version.funding]
    got = allocate(amount, chain, budget)
    shares = tuple(
        FundingShare(s.fund, s.quote, g, i > 0)
        for i, (s, g) in enumerate(zip(version.funding, got, strict=True))
    )
    notes = decision.notes
    unknown = [fund for fund, limit in chain if limit is not None and limit.is_nan()]
    if unknown:
        return replace(
            decision, funding=shares, notes=(*notes, Reason.of("quota_unknown", fund=unknown[0]))
        )
    left = amount - sum((g for g in got if g is not None), Decimal(0))
    if left > 0:
        notes = (*notes, Reason.of("uncovered", amount=show_value(left)))
    return replace(decision, funding=shares, notes=notes)


def allocate(
    amount: Decimal, chain: Sequence[tuple[str, Decimal | None]], budget: Budget | None = None
) -> tuple[Decimal | None, ...]:
    """Split `amount` along a funding chain of (fund, quota) pairs, in order: each source pays
    up to its quota (None: no quota) and, when `budget` holds the fund, up to what is left of
    it; a later source covers what earlier ones could not. Returns each source's share; what
    the shares leave is uncovered. A quota that is unknown (NaN: its fact is missing) leaves
    every share unknown (None) and spends no budget. Batch evaluation calls this in input order.

    >>> allocate(Decimal("500.00"), [("a", Decimal(400)), ("b", None)])
    (Decimal('400.00'), Decimal('100.00'))
    >>> allocate(Decimal("500.00"), [("a", QUOTA_UNKNOWN), ("b", None)])
    (None, None)
    """
    if any(limit is not None and limit.is_nan() for _, limit in chain):
        return tuple(None for _ in chain)
    left = amount
    shares: list[Decimal] = []
    for fund, limit in chain:
        if left <= 0:
            shares.append(Decimal("0.00"))
            continue
        got = _cents(left if limit is None else min(left, max(limit, Decimal(0))))
        if budget is not None and fund in budget.remaining:
            got = _cents(budget.take(fund, got) or Decimal(0))
        shares.append(got)
        left -= got
    return tuple(shares)


#: The quota of a source whose quota fact is missing: the split between sources is open.
QUOTA_UNKNOWN = Decimal("NaN")


def funding_quota(source: FundingSource, facts: Mapping[str, Any], on: date) -> Decimal | None:
    """A funding source's quota for one case (a number, or read from the facts); None: none;
    QUOTA_UNKNOWN (NaN) when the fact giving it is missing."""
    quota = source.quota
    if quota is None or isinstance(quota, Decimal):
        return quota
    value = quota.fn(facts, {}, on)
    return value if isinstance(value, Decimal) else QUOTA_UNKNOWN


def _quota(quota: Decimal | Expr | None, decider: _Decider) -> Decimal | None:
    if quota is None or isinstance(quota, Decimal):
        return quota
    value = decider.run(quota, {})[0]
    return value if isinstance(value, Decimal) else QUOTA_UNKNOWN
