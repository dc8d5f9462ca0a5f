"""The asking side of `clause analyse`: one solver for a library, questions pushed and popped,
verdicts settled (a "never" only from exact encodings), witnesses confirmed by deciding.

In: a library and the analysis domain. Out: a `Session` the checks use: each rule's model (or
an A900 note saying why it is not analysed), `ask` (can these formulas hold, with readable
witnesses preferred), `settle`, `witness`, and `unconfigured` (whether a "never" is only due
to a parameter the package leaves without a value).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.findings import Finding, Place, Witness
from clause.engine.analysis.outcome import RuleModel, Situation, deciding, fact_reads
from clause.engine.analysis.places import coherent
from clause.engine.analysis.query import TIMEOUT_MS, Verdict
from clause.engine.analysis.readback import facts_of
from clause.engine.analysis.space import Domain, FactSpace
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import Unsupported, Z, neg
from clause.engine.decide import decide
from clause.engine.dependencies import version_exprs
from clause.engine.expr import ast
from clause.engine.expr.values import EvalError
from clause.engine.facts import FactsError, normalize_facts
from clause.engine.library import Library
from clause.engine.messages import Msg, msg
from clause.engine.model import Rule

_NEAR = (date(1990, 1, 1).toordinal(), date(2040, 12, 31).toordinal())


class Session:
    """One analysis of a library: the symbolic case, its solver, and what was found."""

    def __init__(self, library: Library, domain: Domain) -> None:
        self.library = library
        self.space = FactSpace(library.env, library.facts_schema, Strings(), domain)
        self.today = dates.fresh_date("decision_date", self.space.axioms)
        self.situation = Situation(library, self.space, self.today)
        self.found: list[Finding] = []
        self.models: dict[str, RuleModel | None] = {}
        for rule in library.rules_by_id:
            self.models[rule.id] = self._model(rule)
        self.no_error = neg(self.situation.case_error())
        self.space.axioms.extend(coherent(library, self.space))
        self.solver = z3.Solver()  # one incremental solver: each question is pushed and popped
        self.solver.set("timeout", TIMEOUT_MS)
        self.solver.add(*self.space.axioms, self.no_error, *self.space.entity_axioms())
        self._axioms = len(self.space.axioms)
        self._free: Situation | None = None

    def _model(self, rule: Rule) -> RuleModel | None:
        try:
            return self.situation.rule(rule)
        except Unsupported as err:
            place = Place(
                err.span or rule.span, msg("what.solver.place.not_analysed", what=err.what)
            )
            self.note(rule, msg("A900", rule=rule.id, what=err.what), place)
            return None

    def note(self, rule: Rule, message: Msg, place: Place | None = None) -> None:
        here = place or Place(rule.span, msg("what.solver.place.here"))
        self.found.append(Finding("A900", message, (here,), rules=(rule.id,)))

    # -- asking ------------------------------------------------------------------------------

    def ask(self, formulas: Sequence[Z], rules: Sequence[Rule]) -> Verdict:
        """Can the formulas hold (with no expression failing)? Readable witnesses first."""
        solver = self.solver
        if len(self.space.axioms) > self._axioms:  # variables made since (free parameters)
            solver.add(*self.space.axioms[self._axioms :])
            self._axioms = len(self.space.axioms)
        solver.push()
        solver.add(*formulas)
        solver.push()
        solver.add(*self._prefer(rules))
        result = solver.check()
        if result != z3.sat:
            solver.pop()
            result = solver.check()
        verdict = (
            Verdict("sat", solver.model())
            if result == z3.sat
            else Verdict("unsat")
            if result == z3.unsat
            else Verdict("unknown", why=msg("what.solver.gave_up", reason=solver.reason_unknown()))
        )
        while solver.num_scopes() > 0:
            solver.pop()
        return verdict

    def _prefer(self, rules: Sequence[Rule]) -> list[Z]:
        """Readable witnesses: only the facts these rules read, dates near the notices,
        small numbers, short lists (dropped if they make the question unsat)."""
        read = _read_by(self.library, rules)
        out: list[Z] = []
        lows = [self.library.in_force(r).start for r in rules]
        highs = [self.library.in_force(r).end for r in rules]
        if all(lows) and all(highs):
            out += [
                self.today.ordinal >= min(d.toordinal() for d in lows if d),
                self.today.ordinal <= max(d.toordinal() for d in highs if d),
            ]
        for path, slot in self.space.slots.items():
            if "." in path and not any(path == p or path.startswith(p + ".") for p in read):
                out.append(neg(slot.present))
            elif slot.kind == "date":
                out += [slot.value.ordinal >= _NEAR[0], slot.value.ordinal <= _NEAR[1]]
            elif slot.kind == "number":
                out += [slot.value >= 0, slot.value <= 100_000]
            elif slot.kind in ("list", "record"):
                out.append(slot.value.length <= 1)
        subjects = {r.subject for r in rules} | {p.split(".")[0] for p in read}
        out += [
            neg(self.space.entity(e)) for e in self.space.env.facts.children if e not in subjects
        ]
        return out

    def witness(self, verdict: Verdict, expect: dict[str, tuple[str, ...]]) -> Witness | None:
        """The case a model describes, if deciding it gives the expected outcomes."""
        model = verdict.model
        on = date.fromordinal(model.eval(self.today.ordinal, model_completion=True).as_long())
        facts = facts_of(self.space, model)
        try:
            decided = decide(self.library, normalize_facts(facts, self.library.env.facts), on)
        except (EvalError, FactsError):
            return None
        outcomes = {d.rule.id: d.outcome.value for d in decided}
        if any(outcomes.get(rid) not in wanted for rid, wanted in expect.items()):
            return None
        package = self.library.roots[0] if len(self.library.roots) == 1 else ""
        return Witness(facts, on, {rid: outcomes[rid] for rid in expect}, "", package)

    def usable(self, rule: Rule) -> bool:
        """Whether the rule and every rule its outcome depends on are encoded."""
        return all(self.models.get(r.id) is not None for r in deciding(self.library, rule))

    def exact(self, *rules: Rule) -> bool:
        return all((m := self.models.get(r.id)) is not None and m.exact for r in rules)

    def settle(self, verdict: Verdict, rules: Sequence[Rule], what: Msg) -> bool | None:
        """True: it can happen; False: it never can (claimed only when exact); None: noted."""
        if verdict.sat:
            return True
        if verdict.unsat and self.exact(*rules):
            return False
        why = verdict.why if not verdict.unsat else msg("what.solver.approximate")
        self.note(rules[0], msg("A900/question", what=what, why=why or ""))
        return None

    def unconfigured(self, rule: Rule, question: Callable[[RuleModel], list[Z]]) -> tuple[str, ...]:
        """The parameters without any configured value that `rule` reads, if the question
        (asked of the rule's model) can be answered yes once they may take any value; else ()
        — the "never" then does not depend on them."""
        params = unconfigured_params(self.library, rule)
        if not params:
            return ()
        if self._free is None:
            free = frozenset(
                pid for pid, p in self.library.parameters.items()
                if all(v.value is None for v in p.values)
            )  # fmt: skip
            self._free = Situation(self.library, self.space, self.today, free)
        try:
            model = self._free.rule(rule)
        except Unsupported:
            return ()
        return params if self.ask([neg(model.error), *question(model)], [rule]).sat else ()


def unconfigured_params(library: Library, rule: Rule) -> tuple[str, ...]:
    """The parameters `rule` reads that have no configured value (every value `null`)."""
    read = sorted(
        {
            ".".join(node.keys)
            for v in rule.versions
            for e in version_exprs(v)
            for node in ast.walk(e.node)
            if isinstance(node, ast.Path) and node.root == "param"
        }
    )
    params = library.parameters
    return tuple(
        pid for pid in read if pid in params and all(v.value is None for v in params[pid].values)
    )


def _read_by(library: Library, rules: Sequence[Rule]) -> set[str]:
    """The fact paths the decisions of `rules` depend on (outcome.fact_reads)."""
    return {path for rule in rules for path in fact_reads(library, rule)}
