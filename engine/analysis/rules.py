"""One rule in the solver: version selection and the version's own outcome, as formulas that
mean what engine/decide/versions.py and engine/decide/core.py decide.

In: a rule and the Situation it is decided in (facts, decision date, other rules' outcomes).
Out: a RuleModel. Version selection: each version in turn, its event first (not happened:
skip it; a benefit is then refused, a duty not owed, if no version is chosen), then its
effective date (unknown: skip it, undetermined if no version is chosen; outside the document's
force: not applicable; inside the window: chosen). The chosen version: conditions, exceptions,
`once` limits, then the in-principle checks (exception_needed); for a duty, its scope and
requirements. Expressions that fail make the case fail, as EvalError does in the core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from clause.engine.analysis import dates
from clause.engine.analysis.grants import granted
from clause.engine.analysis.models import Check, RuleModel, VersionModel, rule_forms
from clause.engine.analysis.params import missing_param, within
from clause.engine.analysis.places import jurisdiction
from clause.engine.analysis.smt import Scope, encode
from clause.engine.analysis.space import kind_of
from clause.engine.analysis.terms import STRING, Term, Unsupported, Z, conj, disj, false, neg, true
from clause.engine.expr.types import NUMBER as T_NUMBER
from clause.engine.messages import msg
from clause.engine.model import Amount, Condition, Expr, Money, Rule, Version

if TYPE_CHECKING:
    from clause.engine.analysis.outcome import Situation

#: The amount forms of engine/decide/amounts.py FORMS the encoding knows how they fail.
AMOUNT_FORMS: tuple[str, ...] = ("fixed", "parameter", "cap", "floor", "per_unit")
AMOUNT_FORMS += ("percentage", "computed", "per_other_regulation")


class RuleEncoder:
    """Builds the RuleModel of one rule."""

    def __init__(self, situation: Situation, rule: Rule) -> None:
        self.situation, self.rule = situation, rule
        self.space = situation.space
        self.exact = True
        self.today = Term("date", situation.today, true(), false())

    def model(self) -> RuleModel:
        rule = self.rule
        forms = rule_forms(rule)
        if forms:
            raise Unsupported(msg("what.solver.form", form=forms[0]), rule.span)
        in_force = self.situation.library.in_force(rule)
        reads = self._reads_scope()
        reached, errors, unknown, outside, skipped = true(), [], [], [], []
        versions = []
        for version in rule.versions:
            happened = self._encode(version.event.expr, reads) if version.event else None
            skip = false()
            if happened is not None:
                errors.append(conj(reached, happened.error))
                reached = conj(reached, neg(happened.error))
                skip = conj(happened.known, neg(happened.value))
                skipped.append(conj(reached, skip))
            effective = self._effective(version, reads)
            go = conj(reached, neg(skip))
            ok = conj(go, neg(effective.error), effective.known)
            errors.append(conj(go, effective.error))
            inside = within(in_force, effective.value)
            in_window = within(version.window, effective.value)
            outside.append(conj(ok, neg(inside)))
            unknown.append(conj(go, neg(effective.error), neg(effective.known)))
            versions.append(self._version(version, conj(ok, inside, in_window), effective.value))
            reached = conj(
                reached,
                disj(
                    skip,
                    conj(
                        neg(effective.error),
                        neg(conj(effective.known, disj(neg(inside), in_window))),
                    ),
                ),
            )
        errors += [conj(v.selected, v.error) for v in versions]
        none_open = conj(reached, neg(disj(*unknown)))
        no_version = conj(none_open, neg(disj(*skipped)))
        inside, elsewhere = jurisdiction(self.situation.library, self.space, rule)
        present = self.space.entity(rule.subject)
        for v in versions:  # a rule outside its document's place decides nothing else
            v.selected = conj(inside, v.selected)
        return RuleModel(
            rule,
            present,
            versions,
            disj(conj(neg(inside), elsewhere), conj(inside, disj(*outside, no_version))),
            disj(conj(neg(inside), neg(elsewhere)), conj(inside, reached, disj(*unknown))),
            conj(present, inside, disj(*errors)),
            self.exact,
            conj(inside, none_open, disj(*skipped)),
        )

    # -- scopes ------------------------------------------------------------------------------

    def _reads_scope(self) -> Scope:
        """Dates and events: the facts, the decision date and other rules' outcomes; no
        parameter (a parameter read there is unknown, as in the core)."""
        return Scope(
            self.space,
            lambda: self.today,
            lambda p, t: missing_param(t),
            self._outcome,
        )

    def _scope(self, effective: dates.DateTerm) -> Scope:
        """Checks: the parameters in force on the effective date for the subject's locality."""
        locality = self._locality()
        return Scope(
            self.space,
            lambda: self.today,
            lambda pid, t: self.situation.param_term(pid, t, effective, locality),
            self._outcome,
        )

    def _outcome(self, rule_id: str, t: object) -> Term:
        term = self.situation.outcome_term(rule_id)
        self.exact = self.exact and term.exact
        return term

    def _locality(self) -> Term | None:
        info = self.space.fields.get(f"{self.rule.subject}.locality")
        if info is None or kind_of(info.type) != STRING:
            return None
        return self.space.fact((self.rule.subject, "locality"), info.type)

    def _effective(self, version: Version, scope: Scope) -> Term:
        if version.effective_date is None:
            return self.today
        return self._encode(version.effective_date, scope)

    def _encode(self, expr: Expr, scope: Scope) -> Term:
        term = encode(expr.node, scope)
        self.exact = self.exact and term.exact
        return term

    def _checks(self, version: Version, scope: Scope) -> list[Check]:
        groups: list[tuple[str, tuple[Condition, ...]]] = [
            ("event", (version.event,) if version.event else ()),
            ("condition", version.conditions),
            ("unless", version.unless),
            ("requires", version.requires),
        ]
        return [
            Check(role, c, self._encode(c.expr, scope)) for role, conds in groups for c in conds
        ]

    # -- the chosen version ------------------------------------------------------------------

    def _version(self, version: Version, selected: Z, effective: dates.DateTerm) -> VersionModel:
        scope = self._scope(effective)
        checks = self._checks(version, scope)
        principled = version.in_principle

        def hard(c: Check) -> bool:
            return not (principled and c.condition.in_principle)

        if self.rule.kind == "obligation":
            return _obligation(version, selected, effective, checks, hard)
        event = [c for c in checks if c.role == "event"]
        conditions = [c for c in checks if c.role == "condition"]
        unless = [c for c in checks if c.role == "unless"]
        failed = disj(*(c.false for c in conditions if hard(c)))
        excepted = disj(*(c.true for c in unless))
        hit, history_open, history_fails = granted(
            self.space, self.rule, version, self.today.value, effective
        )
        refused = disj(failed, excepted, hit)
        open_ = conj(
            neg(refused),
            disj(*(neg(c.term.known) for c in (*event, *conditions, *unless)), history_open),
        )
        deviates = disj(*(c.false for c in conditions if not hard(c)))
        settled = conj(neg(refused), neg(open_))
        eligible = conj(settled, neg(deviates))
        error = disj(
            *(c.term.error for c in (*event, *conditions, *unless)),
            conj(neg(failed), neg(excepted), history_fails),
            conj(eligible, self._amount_errors(version, scope)),
        )
        return VersionModel(
            version,
            selected,
            effective,
            checks,
            eligible,
            refused,
            open_,
            false(),
            error,
            conj(settled, deviates),
            self._funding_errors(version),
        )

    def _amount_errors(self, version: Version, scope: Scope) -> Z:
        """Whether computing the amount fails (the core computes it for an eligible benefit,
        in its form: engine/decide/amounts.py). A claim or count is read only once the sum it
        is measured against is known; the base of a percentage and a computed amount always."""
        amount: Amount | None = version.amount
        if amount is None:
            return false()
        if amount.kind not in AMOUNT_FORMS:
            raise Unsupported(msg("what.solver.form", form=f"amount: {amount.kind}"), amount.span)
        if amount.kind in ("cap", "floor", "per_unit"):
            read = amount.count if amount.kind == "per_unit" else amount.claimed
            if read is None:
                return false()
            return conj(self._money_known(amount.value, scope), self._encode(read, scope).error)
        read = amount.of if amount.kind == "percentage" else amount.claimed
        if amount.kind in ("percentage", "computed") and read is not None:
            return self._encode(read, scope).error
        return false()

    def _money_known(self, money: Money | None, scope: Scope) -> Z:
        if money is None:
            return false()
        if money.value is not None or money.param is None:
            return true()
        return scope.param(money.param, T_NUMBER).known

    def _funding_errors(self, version: Version) -> Z:
        """Whether reading a quota fails: engine/decide/funding.py reads quotas (without
        parameters) for a benefit that is eligible after overrides and has an amount."""
        if version.amount is None:
            return false()
        reads = self._reads_scope()
        quotas = [s.quota for s in version.funding if isinstance(s.quota, Expr)]
        return disj(*(self._encode(q, reads).error for q in quotas))


def _obligation(
    version: Version,
    selected: Z,
    effective: dates.DateTerm,
    checks: list[Check],
    hard: Callable[[Check], bool],
) -> VersionModel:
    """core.obligation: the scope (event and conditions) decides whether the duty applies;
    then a hard requirement not met is a violation (once the scope is known), an unknown one
    leaves it open, an in-principle one not met needs an exception, else compliant."""
    scope = [c for c in checks if c.role in ("event", "condition")]
    requires = [c for c in checks if c.role == "requires"]
    off = disj(*(c.false for c in scope))
    scope_known = conj(*(c.term.known for c in scope))
    broken = conj(neg(off), scope_known, disj(*(c.false for c in requires if hard(c))))
    open_ = conj(neg(off), neg(broken), disj(*(neg(c.term.known) for c in (*scope, *requires))))
    deviates = disj(*(c.false for c in requires if not hard(c)))
    settled = conj(neg(off), neg(broken), neg(open_))
    error = disj(
        *(c.term.error for c in scope), conj(neg(off), disj(*(c.term.error for c in requires)))
    )
    return VersionModel(
        version,
        selected,
        effective,
        checks,
        conj(settled, neg(deviates)),
        broken,
        open_,
        off,
        error,
        conj(settled, deviates),
        false(),
    )


__all__ = ["AMOUNT_FORMS", "RuleEncoder"]
