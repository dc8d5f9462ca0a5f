"""Decisions in the solver: a library, a fact space and a decision date in; each rule's
outcome as formulas out, written to mean what engine/decide/core.py decides.

Per rule: which version is selected (by its effective date, inside the document's force),
the own outcome (eligible, ineligible, undetermined, not applicable; for obligations
compliant, violation) from its conditions, exceptions, grant history (`once`) and
requirements, then the final outcome once overrides are applied, and whether deciding it
raises an EvalError. A property test decides generated cases both ways and compares.
Rule forms this module does not know (fields added to the model later) raise Unsupported.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.params import missing_param, parameter, within
from clause.engine.analysis.smt import Scope, encode
from clause.engine.analysis.space import FactSpace, const_value, kind_of
from clause.engine.analysis.terms import (
    STRING,
    Term,
    Unsupported,
    Z,
    below,
    conj,
    disj,
    false,
    neg,
    true,
)
from clause.engine.expr.types import DATE as T_DATE
from clause.engine.library import Library
from clause.engine.model import Amount, Condition, Expr, Rule, Version

#: Model fields whose meaning this module encodes; any other field set on a rule, version or
#: amount is a form added later, and the rule is reported as not analysed.
_KNOWN = {
    "Rule": {
        "id",
        "title_zh",
        "title_en",
        "document",
        "clause",
        "subject",
        "kind",
        "versions",
        "file",
        "span",
    },
    "Version": {
        "number",
        "enacted_on",
        "enacted_by",
        "window",
        "span",
        "window_quote",
        "effective_date",
        "conditions",
        "unless",
        "requires",
        "amount",
        "funding",
        "once",
        "once_program",
        "once_quote",
        "overrides",
    },
    "Condition": {"id", "expr", "quote", "span"},
}


def unknown_forms(obj: Any) -> list[str]:
    """Fields of a model object, set to something, that this module does not encode."""
    known = next((_KNOWN[c.__name__] for c in type(obj).__mro__ if c.__name__ in _KNOWN), None)
    if known is None:
        return [type(obj).__name__]
    out = []
    for f in dataclasses.fields(obj):
        if f.name in known:
            continue
        default = (
            f.default
            if f.default is not dataclasses.MISSING
            else f.default_factory()
            if f.default_factory is not dataclasses.MISSING
            else object()
        )
        if getattr(obj, f.name) != default:
            out.append(f.name)
    return out


@dataclass(frozen=True)
class Check:
    """One condition, exception or requirement of a version, as evaluated."""

    role: str  # condition | unless | requires
    condition: Condition
    term: Term

    @property
    def true(self) -> Z:
        return conj(self.term.known, self.term.value)

    @property
    def false(self) -> Z:
        return conj(self.term.known, neg(self.term.value))


@dataclass
class VersionModel:
    version: Version
    selected: Z
    effective: dates.DateTerm
    checks: list[Check]
    eligible: Z  # own outcome if selected (compliant, for an obligation)
    ineligible: Z  # (violation, for an obligation)
    undetermined: Z
    not_applicable: Z  # obligations: the duty does not apply
    error: Z


@dataclass
class RuleModel:
    rule: Rule
    present: Z
    versions: list[VersionModel]
    no_version: Z  # not applicable: outside the document or every version's window
    missing_date: Z  # undetermined: a version's effective date is unknown
    error: Z
    exact: bool

    def own(self, outcome: str) -> Z:
        """The rule's own outcome (before overrides): eligible, ineligible, undetermined,
        not_applicable (compliant and violation for obligations via eligible/ineligible)."""
        parts = [conj(v.selected, getattr(v, outcome)) for v in self.versions]
        if outcome == "not_applicable":
            parts.append(self.no_version)
        if outcome == "undetermined":
            parts.append(self.missing_date)
        return conj(self.present, disj(*parts))


class Situation:
    """One symbolic case: a library, the facts (a FactSpace) and a decision date."""

    def __init__(self, library: Library, space: FactSpace, today: dates.DateTerm) -> None:
        self.library, self.space, self.today = library, space, today
        self._rules: dict[str, RuleModel] = {}

    def rule(self, rule: Rule) -> RuleModel:
        found = self._rules.get(rule.id)
        if found is None:
            found = self._rules[rule.id] = _RuleEncoder(self, rule).model()
        return found

    def final(self, rule: Rule, outcome: str) -> Z:
        """The outcome after overrides (core.apply_overrides)."""
        model = self.rule(rule)
        superseded, pending = self.overridden(rule)
        own = model.own(outcome)
        if outcome == "not_applicable":
            return disj(own, conj(model.present, superseded))
        if outcome == "eligible":
            return conj(own, neg(superseded), neg(pending))
        if outcome == "undetermined":
            eligible = model.own("eligible")
            return conj(neg(superseded), disj(own, conj(eligible, pending)))
        return conj(own, neg(superseded))

    def overridden(self, rule: Rule) -> tuple[Z, Z]:
        """Whether an eligible rule supersedes `rule`, and whether an undetermined one may."""
        superseded, pending = [], []
        for other in self.library.rules_by_id:
            for i, version in enumerate(other.versions):
                if rule.id not in version.overrides:
                    continue
                model = self.rule(other)
                chosen = conj(model.present, model.versions[i].selected)
                superseded.append(conj(chosen, model.versions[i].eligible))
                pending.append(conj(chosen, model.versions[i].undetermined))
        return disj(*superseded), disj(*pending)

    def overriders(self, rule: Rule) -> list[Rule]:
        return [
            r for r in self.library.rules_by_id if any(rule.id in v.overrides for v in r.versions)
        ]

    def case_error(self) -> Z:
        """Deciding the case raises an EvalError (some present rule fails). Rules the solver
        cannot encode are left out: every witness is decided for real before it is shown."""
        errors = []
        for rule in self.library.rules_by_id:
            try:
                errors.append(self.rule(rule).error)
            except Unsupported:
                continue
        return disj(*errors)


class _RuleEncoder:
    def __init__(self, situation: Situation, rule: Rule) -> None:
        self.situation, self.rule = situation, rule
        self.space = situation.space
        self.exact = True
        self.today = Term("date", situation.today, true(), false())

    def model(self) -> RuleModel:
        rule = self.rule
        forms = unknown_forms(rule) + [f for v in rule.versions for f in unknown_forms(v)]
        forms += [
            f
            for v in rule.versions
            for c in (*v.conditions, *v.unless, *v.requires)
            for f in unknown_forms(c)
        ]
        if forms:
            raise Unsupported(f"the rule form `{forms[0]}`", rule.span)
        present = self.space.entity(rule.subject)
        in_force = self.situation.library.in_force(rule)
        reached, errors, unknown, outside = true(), [], [], []
        versions = []
        for version in rule.versions:
            effective = self._effective(version)
            ok = conj(reached, neg(effective.error), effective.known)
            errors.append(conj(reached, effective.error))
            inside = within(in_force, effective.value)
            in_window = within(version.window, effective.value)
            outside.append(conj(ok, neg(inside)))
            unknown.append(conj(reached, neg(effective.error), neg(effective.known)))
            versions.append(self._version(version, conj(ok, inside, in_window), effective.value))
            reached = conj(
                reached,
                neg(effective.error),
                neg(conj(effective.known, disj(neg(inside), in_window))),
            )
        errors += [conj(v.selected, v.error) for v in versions]
        return RuleModel(
            rule,
            present,
            versions,
            disj(*outside, conj(reached, neg(disj(*unknown)))),
            conj(reached, disj(*unknown)),
            conj(present, disj(*errors)),
            self.exact,
        )

    def _effective(self, version: Version) -> Term:
        if version.effective_date is None:
            return self.today
        no_params = Scope(self.space, lambda: self.today, lambda p, t: missing_param(t))
        return self._encode(version.effective_date, no_params)

    def _encode(self, expr: Expr, scope: Scope) -> Term:
        term = encode(expr.node, scope)
        self.exact = self.exact and term.exact
        return term

    def _scope(self, effective: dates.DateTerm) -> Scope:
        locality = self._locality()
        return Scope(
            self.space,
            lambda: self.today,
            lambda pid, t: parameter(self.situation, pid, t, effective, locality),
        )

    def _locality(self) -> Term | None:
        info = self.space.fields.get(f"{self.rule.subject}.locality")
        if info is None or kind_of(info.type) != STRING:
            return None
        return self.space.fact((self.rule.subject, "locality"), info.type)

    def _version(self, version: Version, selected: Z, effective: dates.DateTerm) -> VersionModel:
        scope = self._scope(effective)
        checks = [
            Check(role, c, self._encode(c.expr, scope))
            for role, conds in (
                ("condition", version.conditions),
                ("unless", version.unless),
                ("requires", version.requires),
            )
            for c in conds
        ]
        conditions = [c for c in checks if c.role == "condition"]
        failed = disj(*(c.false for c in conditions))
        unknown = [neg(c.term.known) for c in checks]
        cond_errors = [c.term.error for c in checks if c.role != "requires"]
        if self.rule.kind == "obligation":
            requires = [c for c in checks if c.role == "requires"]
            scope_known = conj(*(c.term.known for c in conditions))
            broken = conj(neg(failed), scope_known, disj(*(c.false for c in requires)))
            open_ = conj(neg(failed), neg(broken), disj(*unknown))
            done = conj(neg(failed), neg(broken), neg(disj(*unknown)))
            error = disj(*cond_errors, conj(neg(failed), disj(*(c.term.error for c in requires))))
            return VersionModel(
                version, selected, effective, checks, done, broken, open_, failed, error
            )
        excepted = disj(*(c.true for c in checks if c.role == "unless"))
        granted, granted_unknown = self._granted(version)
        refused = disj(failed, excepted, granted)
        open_ = conj(neg(refused), disj(*unknown, granted_unknown))
        eligible = conj(neg(refused), neg(disj(*unknown, granted_unknown)))
        error = disj(*cond_errors, conj(eligible, self._amount_errors(version, scope)))
        return VersionModel(
            version, selected, effective, checks, eligible, refused, open_, false(), error
        )

    def _granted(self, version: Version) -> tuple[Z, Z]:
        """core.earlier_grant: granted on or before the decision date, or not known."""
        if not version.once:
            return false(), false()
        program = version.once_program or self.rule.id
        path = f"{self.rule.subject}.grants"
        info = self.space.fields.get(f"{path}.program")
        if info is None:
            raise Unsupported(f"`once` without `{path}.program` in the facts schema")
        records = self.space.fact(tuple(path.split(".")), None)
        length = records.value.length
        strings = self.space.strings
        p_present, p_value = self.space.record_column(path, "program", info.type, STRING, info)
        date_info = self.space.fields.get(f"{path}.date")
        if date_info is not None and date_info.type == T_DATE:
            d_present, d_value = self.space.record_column(path, "date", T_DATE, "date", date_info)
        else:
            d_present, d_value = [false()] * len(p_present), [None] * len(p_present)
        wanted = const_value(STRING, program, strings)
        hits, holes = [], []
        for i in range(len(p_present)):
            here = below(i, length)
            later = (
                conj(d_present[i], d_value[i].ordinal > self.today.value.ordinal)
                if (d_value[i] is not None)
                else false()
            )
            hits.append(conj(here, p_present[i], p_value[i] == wanted, neg(later)))
            holes.append(conj(here, neg(p_present[i])))
        granted = conj(records.known, disj(*hits))
        unknown = disj(neg(records.known), conj(neg(disj(*hits)), disj(*holes)))
        return granted, unknown

    def _amount_errors(self, version: Version, scope: Scope) -> Z:
        """Amount and quota expressions that may fail make the rule inexact: the decision
        core evaluates them only in some cases, which is not encoded."""
        exprs: list[Expr] = []
        amount: Amount | None = version.amount
        if amount is not None:
            exprs += [e for e in (amount.claimed, amount.count, amount.of) if e is not None]
        exprs += [s.quota for s in version.funding if isinstance(s.quota, Expr)]
        for expr in exprs:
            term = encode(expr.node, scope)
            if not z3.is_false(z3.simplify(term.error)):
                self.exact = False
        return false()


__all__ = ["Check", "RuleModel", "Situation", "VersionModel", "unknown_forms"]
