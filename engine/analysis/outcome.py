"""Decisions in the solver: a library, a fact space and a decision date in; each rule's
outcome as formulas out, written to mean what engine/decide/core.py decides.

Per rule (engine/analysis/rules.py): which version is selected (by its event and effective
date, inside the document's force), the own outcome (eligible, ineligible, undetermined, not
applicable, exception_needed; for obligations compliant, violation) from its conditions,
exceptions, grant history (`once`) and requirements; here, the final outcome once overrides
are applied, what `outcome("id")` reads, and whether deciding the case raises an EvalError. A
property test decides generated cases both ways and compares. Rule forms the encoding does
not know (fields added to the model later) raise Unsupported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.models import Check, RuleModel, VersionModel, unknown_forms
from clause.engine.analysis.params import parameter
from clause.engine.analysis.rules import RuleEncoder
from clause.engine.analysis.space import FactSpace
from clause.engine.analysis.terms import (
    NUMBER,
    STRING,
    Term,
    Unsupported,
    Z,
    conj,
    disj,
    false,
    neg,
)
from clause.engine.expr import ast
from clause.engine.expr.types import KNOWN_OUTCOMES
from clause.engine.library import Library
from clause.engine.messages import msg
from clause.engine.model import Rule

#: The word `outcome("id")` gives for each outcome the models name (obligations: compliant
#: for eligible, violation for ineligible); undetermined is an unknown value, not a word.
_WORDS = {
    "benefit": {o: o for o in KNOWN_OUTCOMES["benefit"]},
    "obligation": {
        "eligible": "compliant",
        "ineligible": "violation",
        "not_applicable": "not_applicable",
        "exception_needed": "exception_needed",
    },
}


class Situation:
    """One symbolic case: a library, the facts (a FactSpace) and a decision date."""

    def __init__(
        self,
        library: Library,
        space: FactSpace,
        today: dates.DateTerm,
        free_params: frozenset[str] = frozenset(),
    ) -> None:
        self.library, self.space, self.today = library, space, today
        self.free_params = free_params  # read as any value (or none), not as configured
        self._rules: dict[str, RuleModel] = {}
        self._busy: set[str] = set()  # rules being encoded: a cycle is not analysed

    def rule(self, rule: Rule) -> RuleModel:
        found = self._rules.get(rule.id)
        if found is None:
            if rule.id in self._busy:
                raise Unsupported(msg("what.solver.cycle", rule=rule.id), rule.span)
            self._busy.add(rule.id)
            try:
                found = self._rules[rule.id] = RuleEncoder(self, rule).model()
            finally:
                self._busy.discard(rule.id)
        return found

    def param_term(self, pid: str, t: Any, day: dates.DateTerm, locality: Term | None) -> Term:
        """A parameter as the rule reads it on the effective date: as configured for the
        subject's locality (engine/analysis/params.py), or free when it is in `free_params`."""
        if pid not in self.free_params:
            return parameter(self, pid, t, day, locality)
        slot = self.space.slot("param." + pid, t)
        digits = self.space.digits(None) if slot.kind == NUMBER else None
        return Term(slot.kind, slot.value, slot.present, false(), True, digits)

    def outcome_term(self, rule_id: str) -> Term:
        """What `outcome("rule_id")` reads: the rule's final outcome as a word, unknown when
        the rule is undetermined or not decided (its subject absent)."""
        rule = self.library.rule(rule_id)
        if rule is None:
            raise Unsupported(msg("what.solver.outcome_of", rule=rule_id))
        model = self.rule(rule)
        words = _WORDS[rule.kind]
        strings = self.space.strings
        value = z3.IntVal(strings.name(words["not_applicable"]))
        for outcome in ("exception_needed", "ineligible", "eligible"):
            word = z3.IntVal(strings.name(words[outcome]))
            value = z3.If(self.final(rule, outcome), word, value)
        known = conj(model.present, neg(self.final(rule, "undetermined")))
        return Term(STRING, value, known, false(), model.exact)

    def final(self, rule: Rule, outcome: str) -> Z:
        """The outcome after implementing rules, then overrides (decide/overrides.supersede)."""
        model = self.rule(rule)
        superseded, pending = self.overridden(rule)
        own = self.implemented(rule, outcome)
        if outcome == "not_applicable":
            return disj(own, conj(model.present, superseded))
        if outcome == "eligible":
            return conj(own, neg(superseded), neg(pending))
        if outcome == "undetermined":
            eligible = self.implemented(rule, "eligible")
            return conj(neg(superseded), disj(own, conj(eligible, pending)))
        return conj(own, neg(superseded))

    def implemented(self, rule: Rule, outcome: str) -> Z:
        """The outcome once the rules of lower documents implementing `rule` have spoken
        (overrides._implemented): one of them with a version for the case replaces it (not
        applicable, whatever its own outcome); else one undetermined for want of a date or
        place leaves a payable rule undetermined; else the rule's own outcome."""
        model = self.rule(rule)
        own = model.own(outcome)
        ids = self.library.implemented_by.get(rule.id, ())
        if not ids:
            return own
        lower = [self.rule(r) for r in (self.library.rule(i) for i in ids) if r is not None]
        replaced = conj(model.present, disj(*(m.has_version for m in lower)))
        pending = disj(*(m.own("undetermined") for m in lower))
        if outcome == "not_applicable":
            return disj(own, replaced)
        if outcome == "eligible":
            return conj(own, neg(replaced), neg(pending))
        if outcome == "undetermined":
            waiting = conj(model.own("eligible"), pending)
            return conj(neg(replaced), disj(own, waiting))
        return conj(own, neg(replaced))

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
                model = self.rule(rule)
            except Unsupported:
                continue
            errors.append(model.error)
            funded = [v for v in model.versions if not z3.is_false(v.funding_error)]
            if funded:
                paid = self.final(rule, "eligible")
                errors += [conj(paid, v.selected, v.funding_error) for v in funded]
        return disj(*errors)


def deciding(library: Library, rule: Rule) -> list[Rule]:
    """The rule and every rule whose outcome can change its outcome: those it reads with
    `outcome()` and those that override it, transitively (engine.dependencies)."""
    plan = library.plan
    seen, todo = [rule.id], [rule.id]
    while todo:
        rid = todo.pop()
        for other in sorted({*plan.reads.get(rid, ()), *plan.overridden_by.get(rid, ())}):
            if other not in seen:
                seen.append(other)
                todo.append(other)
    rules = [library.rule(rid) for rid in seen]
    return [r for r in rules if r is not None]


def fact_reads(library: Library, rule: Rule, facts: Mapping[str, Any] | None = None) -> list[str]:
    """The fact paths the decision of `rule` depends on, in order: the subject's place fields
    when its document governs one place (jurisdiction is decided first; given a case's
    `facts`, only the field the core names as missing when the place does not settle it),
    those its versions' dates, events and checks read, the grant history of a `once` limit,
    the subject's locality when a parameter is read (it chooses the value), and the same for
    every rule its outcome depends on (`deciding`)."""
    out: list[str] = []
    for r in deciding(library, rule):
        out += _place_reads(library, r, facts)
        for v in r.versions:
            exprs = [v.effective_date] if v.effective_date else []
            exprs += [v.event.expr] if v.event else []
            exprs += [c.expr for c in (*v.conditions, *v.unless, *v.requires)]
            for expr in exprs:
                for node in ast.walk(expr.node):
                    if isinstance(node, ast.Path) and node.root == "fact":
                        out.append(".".join(node.keys))
                    elif isinstance(node, ast.Path) and node.root == "param":
                        out.append(f"{r.subject}.locality")
            if v.once:
                out.append(f"{r.subject}.grants")
    known = library.env.facts
    return [p for p in dict.fromkeys(out) if not p.endswith(".locality") or _has(known, p)]


def _place_reads(library: Library, rule: Rule, facts: Mapping[str, Any] | None) -> list[str]:
    """The subject's place fields the rule's jurisdiction reads (places.py): all of them, or
    for a case, the one `Library.jurisdiction_of` needs when the known places do not settle
    whether the document governs the subject (none when they do)."""
    if facts is not None:
        subject = facts.get(rule.subject)
        inside, needed = library.jurisdiction_of(
            rule, subject if isinstance(subject, Mapping) else {}
        )
        return list(needed) if inside is None else []
    layer = library.layers.get(rule.id)
    if layer is None or layer.jurisdiction is None or layer.level in (None, "national"):
        return []
    return [f"{rule.subject}.{name}" for name, _ in library.place_fields.get(rule.subject, ())]


def _has(facts: Any, path: str) -> bool:
    node = facts
    for key in path.split("."):
        node = node.children.get(key) if node is not None else None
    return node is not None


__all__ = [
    "Check",
    "RuleModel",
    "Situation",
    "VersionModel",
    "deciding",
    "fact_reads",
    "unknown_forms",
]
