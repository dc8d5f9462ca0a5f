"""The `plan` backend: decide a register's cases with the compiled closures and nothing else.

In: the package's rules, already compiled (each `Expr.fn`). Out: for each case, the rows that
`decide(trace=False)` would give (outcome, version, amount, funding, missing), without building
trace records. The semantics are those of `engine.evaluate`, step for step and in the same
order (every condition is evaluated, so an expression error rejects the same row), and the
test suite holds this backend byte for byte to the `compiled` one, which runs `decide` itself.
Parameter values are looked up once per (day, locality) instead of once per rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from clause.engine.batch.backend import BackendConfig, Case, decide_each
from clause.engine.batch.facts import RowError
from clause.engine.batch.write import ResultRow
from clause.engine.decide.core import allocate, funding_quota
from clause.engine.expr.values import DECIMAL, Unknown
from clause.engine.model import Amount, Package, Rule, Version

CENT = Decimal("0.01")
ZERO_CENTS = Decimal("0.00")
_NO_PARAMS: dict[str, Any] = {}

# one rule's decision before overrides and funding:
# (rule, version, outcome, amount, amount kind, missing)
Decided = tuple[Rule, Version | None, str, Decimal | None, str | None, tuple[str, ...]]


class PlanBackend:
    """Decides cases rule by rule on the compiled closures; see the module docstring."""

    def __init__(self, package: Package, config: BackendConfig) -> None:
        wanted = config.rule_ids
        self.rules = [r for r in package.rules_by_id if wanted is None or r.id in wanted]
        self.on = config.on
        self.chains = config.chains
        self.in_force = package.document.in_force
        self.parameters = list(package.parameters.items())
        self._params: dict[tuple[date, Any], dict[str, Any]] = {}

    def decide(self, cases: Sequence[Case]) -> list[list[ResultRow] | RowError]:
        return decide_each(cases, self._case)

    def _case(self, case_id: str, facts: Mapping[str, Any]) -> list[ResultRow]:
        decided = []
        for rule in self.rules:
            subject = facts.get(rule.subject)
            if type(subject) is dict or isinstance(subject, Mapping):  # dict first: fast
                decided.append(self._rule(rule, subject, facts))
        superseded, pending = _overrides(decided)
        rows = []
        for rule, version, outcome, amount, kind, missing in decided:
            if rule.id in superseded:
                outcome, amount, kind = "not_applicable", None, None
            elif outcome == "eligible" and rule.id in pending:
                outcome, amount, kind, missing = "undetermined", None, None, pending[rule.id]
            rows.append(self._funded(case_id, facts, rule, version, outcome, amount, kind, missing))
        return rows

    # -- one rule (engine.evaluate._Decider.rule) ----------------------------------------

    def _rule(self, rule: Rule, subject: Mapping[str, Any], facts: Mapping[str, Any]) -> Decided:
        on = self.on
        unknown: set[str] = set()
        for version in rule.versions:
            effective = on
            if version.effective_date is not None:
                value = version.effective_date.fn(facts, _NO_PARAMS, on)
                if type(value) is Unknown:
                    unknown |= value.paths
                    continue
                effective = value
            if not self.in_force.contains(effective):
                return rule, None, "not_applicable", None, None, ()
            if version.window.contains(effective):
                break
        else:
            if unknown:
                return rule, None, "undetermined", None, None, tuple(sorted(unknown))
            return rule, None, "not_applicable", None, None, ()
        params = self._params_on(effective, subject.get("locality"))
        if rule.kind == "obligation":
            return self._obligation(rule, version, params, facts)
        return self._benefit(rule, version, params, facts, subject)

    def _params_on(self, day: date, locality: Any) -> dict[str, Any]:
        key = (day, locality)
        found = self._params.get(key)
        if found is None:
            found = {}
            for pid, param in self.parameters:
                value = param.value_on(day, locality)
                if value is not None and value.value is not None:
                    found[pid] = value.value
            if len(self._params) > 50_000:  # distinct (day, locality) pairs: keep memory bounded
                self._params.clear()
            self._params[key] = found
        return found

    def _obligation(
        self, rule: Rule, version: Version, params: Mapping[str, Any], facts: Mapping[str, Any]
    ) -> Decided:
        on = self.on
        applies = [c.expr.fn(facts, params, on) for c in version.conditions]
        if any(v is False for v in applies):
            return rule, version, "not_applicable", None, None, ()
        requires = [c.expr.fn(facts, params, on) for c in version.requires]
        scope_unknown = any(not isinstance(v, bool) for v in applies)
        if not scope_unknown and any(v is False for v in requires):
            return rule, version, "violation", None, None, ()
        missing = _rank_missing([_paths(v) for v in applies + requires if not isinstance(v, bool)])
        if missing:
            return rule, version, "undetermined", None, None, missing
        return rule, version, "compliant", None, None, ()

    def _benefit(
        self,
        rule: Rule,
        version: Version,
        params: Mapping[str, Any],
        facts: Mapping[str, Any],
        subject: Mapping[str, Any],
    ) -> Decided:
        on = self.on
        conditions = [c.expr.fn(facts, params, on) for c in version.conditions]
        unless = [c.expr.fn(facts, params, on) for c in version.unless]
        if any(v is False for v in conditions) or any(v is True for v in unless):
            return rule, version, "ineligible", None, None, ()
        open_paths = [_paths(v) for v in conditions + unless if not isinstance(v, bool)]
        if version.once:
            program = version.once_program or rule.id
            grants = subject.get("grants")
            path = f"{rule.subject}.grants"
            if grants is None:
                open_paths.append((path,))
            elif any(isinstance(g, Mapping) and g.get("program") == program for g in grants):
                return rule, version, "ineligible", None, None, ()
            elif any(not isinstance(g, Mapping) or "program" not in g for g in grants):
                open_paths.append((f"{path}.program",))  # that record might be this benefit
        missing = _rank_missing(open_paths)
        if missing:
            return rule, version, "undetermined", None, None, missing
        if version.amount is None:
            return rule, version, "eligible", None, None, ()
        amount, kind = self._amount(version.amount, params, facts)
        return rule, version, "eligible", amount, kind, ()

    # -- amounts (engine.evaluate._Decider.amount) ---------------------------------------

    def _amount(
        self, amount: Amount, params: Mapping[str, Any], facts: Mapping[str, Any]
    ) -> tuple[Decimal | None, str]:
        value = _money(amount, params)
        kind = amount.kind
        if kind in ("fixed", "parameter"):
            return (_cents(value) if value is not None else None), kind
        if kind == "cap":
            if value is None:
                return None, kind
            claimed = amount.claimed.fn(facts, params, self.on) if amount.claimed else None
            if not isinstance(claimed, Decimal):
                return None, kind
            return _cents(max(min(claimed, value), Decimal(0))), kind
        if kind == "per_unit":
            if value is None:
                return None, kind
            count = amount.count.fn(facts, params, self.on) if amount.count else None
            if not isinstance(count, Decimal):
                return None, kind
            used = min(count, Decimal(amount.max_count)) if amount.max_count else count
            return _cents(DECIMAL.multiply(value, max(used, Decimal(0)))), kind
        if kind == "percentage":
            base = amount.of.fn(facts, params, self.on) if amount.of else None
            if not isinstance(base, Decimal):
                return None, kind
            percent = amount.percent or Decimal(0)
            return _cents(DECIMAL.divide(DECIMAL.multiply(base, percent), Decimal(100))), kind
        return (_cents(value) if value is not None else None), "per_other_regulation"

    # -- funding (engine.evaluate._fund) -------------------------------------------------

    def _funded(
        self,
        case_id: str,
        facts: Mapping[str, Any],
        rule: Rule,
        version: Version | None,
        outcome: str,
        amount: Decimal | None,
        kind: str | None,
        missing: tuple[str, ...],
    ) -> ResultRow:
        number = version.number if version is not None else None
        if version is None or not version.funding:
            return ResultRow(case_id, rule.id, number, outcome, amount, kind, (), missing)
        funds = [s.fund for s in version.funding]
        if outcome != "eligible" or amount is None:
            funding = tuple((f, None) for f in funds)
            return ResultRow(case_id, rule.id, number, outcome, amount, kind, funding, missing)
        chain = tuple((s.fund, funding_quota(s, facts, self.on)) for s in version.funding)
        funding = tuple(zip(funds, allocate(amount, chain), strict=True))
        return ResultRow(
            case_id,
            rule.id,
            number,
            outcome,
            amount,
            kind,
            funding,
            missing,
            chain if self.chains else (),
        )


def _money(amount: Amount, params: Mapping[str, Any]) -> Decimal | None:
    money = amount.value
    if money is None:
        return None
    if money.value is not None:
        return money.value
    value = params.get(money.param or "")
    return value if isinstance(value, Decimal) else None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=DECIMAL)


def _paths(value: Any) -> tuple[str, ...]:
    return tuple(sorted(value.paths)) if type(value) is Unknown else ()


def _rank_missing(unknown: list[tuple[str, ...]]) -> tuple[str, ...]:
    """engine.evaluate._rank_missing over each open condition's missing paths."""
    if not unknown:
        return ()
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, paths in enumerate(unknown):
        for path in paths:
            counts[path] = counts.get(path, 0) + 1
            first.setdefault(path, i)
    return tuple(sorted(counts, key=lambda p: (-counts[p], first[p], p)))


def _overrides(decided: list[Decided]) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """engine.evaluate._apply_overrides: the rules an eligible benefit supersedes, and those an
    undetermined one may yet supersede (with the facts that would settle it)."""
    present = {d[0].id for d in decided}
    superseded: set[str] = set()
    pending: dict[str, tuple[str, ...]] = {}
    for _, version, outcome, _, _, missing in decided:
        if version is None or outcome not in ("eligible", "undetermined"):
            continue
        for target in version.overrides:
            if target not in present:
                continue
            if outcome == "eligible":
                superseded.add(target)
            else:
                pending.setdefault(target, missing)
    return superseded, pending
