"""Static analysis of a library's rules with the solver: overlaps, dead overrides, versions and
conditions that can never hold, gaps between case distinctions and versions, obligations that
can never be met.

In: a library (any number of packages). Out: `Finding`s (codes A001–A008), each with the
rule-file places and either a witness case (facts and a date, confirmed by deciding it) or the
conditions that contradict each other; and A900 notes for what was not analysed (a form the
solver does not encode, arithmetic it only approximates, a question it gave up on). A verdict
is never guessed: "never" is claimed only from exact encodings, and every witness is decided
by engine/decide before it is reported.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.findings import Finding, Place, Witness
from clause.engine.analysis.outcome import Check, RuleModel, Situation, VersionModel
from clause.engine.analysis.query import TIMEOUT_MS, Verdict
from clause.engine.analysis.readback import facts_of
from clause.engine.analysis.space import Domain, FactSpace
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import Unsupported, Z, conj, disj, fresh_context, neg
from clause.engine.decide import decide
from clause.engine.expr import ast
from clause.engine.expr.values import EvalError
from clause.engine.facts import FactsError, normalize_facts
from clause.engine.library import Library
from clause.engine.model import Rule

_NEAR = (date(1990, 1, 1).toordinal(), date(2040, 12, 31).toordinal())


def analyse(
    library: Library, all_pairs: bool = False, domain: Domain | None = None
) -> list[Finding]:
    """Every finding and note about the library's rules, sorted by place."""
    with fresh_context():
        run = _Analysis(library, domain or Domain())
        run.rules()
        run.overlaps(all_pairs)
        run.overrides()
        run.gaps()
        run.time_gaps()
    return sorted(run.found, key=lambda f: (f.span.file, f.span.line, f.span.col, f.code))


class _Analysis:
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
        self.solver = z3.Solver()  # one incremental solver: each question is pushed and popped
        self.solver.set("timeout", TIMEOUT_MS)
        self.solver.add(*self.space.axioms, self.no_error, *self.space.entity_axioms())

    def _model(self, rule: Rule) -> RuleModel | None:
        try:
            return self.situation.rule(rule)
        except Unsupported as err:
            place = Place(err.span or rule.span, f"not analysed: {err.what}")
            self.note(rule, f"{rule.id} is not analysed: it uses {err.what}", place)
            return None

    def note(self, rule: Rule, message: str, place: Place | None = None) -> None:
        self.found.append(
            Finding("A900", message, (place or Place(rule.span, "here"),), rules=(rule.id,))
        )

    # -- asking ------------------------------------------------------------------------------

    def ask(self, formulas: Sequence[Z], rules: Sequence[Rule]) -> Verdict:
        """Can the formulas hold (with no expression failing)? Readable witnesses first."""
        solver = self.solver
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
            else Verdict("unknown", reason=f"the solver gave up ({solver.reason_unknown()})")
        )
        while solver.num_scopes() > 0:
            solver.pop()
        return verdict

    def _prefer(self, rules: Sequence[Rule]) -> list[Z]:
        """Readable witnesses: only the facts these rules read, dates near the notices,
        small numbers, short lists (dropped if they make the question unsat)."""
        read = _read_by(rules)
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
        """Whether the rule and every rule that may override it are encoded."""
        deciding = [rule, *self.situation.overriders(rule)]
        return all(self.models.get(r.id) is not None for r in deciding)

    def exact(self, *rules: Rule) -> bool:
        return all((m := self.models.get(r.id)) is not None and m.exact for r in rules)

    def settle(self, verdict: Verdict, rules: Sequence[Rule], what: str) -> bool | None:
        """True: it can happen; False: it never can (claimed only when exact); None: noted."""
        if verdict.sat:
            return True
        if verdict.unsat and self.exact(*rules):
            return False
        why = verdict.reason if not verdict.unsat else "arithmetic the solver only approximates"
        self.note(rules[0], f"{what}: not analysed ({why})")
        return None

    # -- one rule ----------------------------------------------------------------------------

    def rules(self) -> None:
        for rule in self.library.rules_by_id:
            model = self.models[rule.id]
            if model is None:
                continue
            for version in model.versions:
                self._version(rule, model, version)

    def _version(self, rule: Rule, model: RuleModel, v: VersionModel) -> None:
        number, selected = v.version.number, conj(model.present, v.selected)
        here = Place(v.version.span, f"version {number} ({v.version.window})")
        can = self.settle(self.ask([selected], [rule]), [rule], f"{rule.id} version {number}")
        if can is False:
            message = (
                f"version {number} of {rule.id} can never be in force: {_why_never(self, rule, v)}"
            )
            self.found.append(Finding("A003", message, (here,), rules=(rule.id,)))
            return
        never = []
        for c in v.checks:
            what = f"{c.role} `{c.condition.id}` of {rule.id} version {number}"
            if self.settle(self.ask([selected, c.true], [rule]), [rule], what) is False:
                never.append(c)
                place = Place(c.condition.expr.span, f"{c.role} `{c.condition.id}`")
                message = f"{what} can never be true: {c.condition.expr.text}"
                self.found.append(Finding("A004", message, (place, here), rules=(rule.id,)))
        if never:
            return
        if rule.kind == "obligation":
            self._obligation(rule, v, selected, here)
            return
        self._joint(rule, v, selected, here, v.eligible, "A005", "can never all hold")

    def _joint(
        self, rule: Rule, v: VersionModel, selected: Z, here: Place, goal: Z, code: str, words: str
    ) -> None:
        what = f"the conditions of {rule.id} version {v.version.number}"
        if self.settle(self.ask([selected, goal], [rule]), [rule], what) is not False:
            return
        core = _core(self, selected, v.checks, rule.kind == "obligation" and code == "A008")
        because = tuple(Place(c.condition.expr.span, f"{c.role} `{c.condition.id}`") for c in core)
        self.found.append(Finding(code, f"{what} {words}", (here,), None, because, (rule.id,)))

    def _obligation(self, rule: Rule, v: VersionModel, selected: Z, here: Place) -> None:
        applies = neg(v.not_applicable)
        what = f"the duty of {rule.id} version {v.version.number}"
        if self.settle(self.ask([selected, applies], [rule]), [rule], what) is False:
            core = _core(self, selected, [c for c in v.checks if c.role == "condition"], False)
            because = tuple(
                Place(c.condition.expr.span, f"condition `{c.condition.id}`") for c in core
            )
            self.found.append(
                Finding("A005", f"{what} can never apply", (here,), None, because, (rule.id,))
            )
            return
        self._joint(rule, v, selected, here, v.eligible, "A008", "can never all be met")

    # -- between rules -----------------------------------------------------------------------

    def overlaps(self, all_pairs: bool) -> None:
        benefits = [r for r in self.library.rules_by_id if r.kind == "benefit" and self.usable(r)]
        for i, a in enumerate(benefits):
            for b in benefits[i + 1 :]:
                if a.subject != b.subject or _related(a, b) or not (all_pairs or _alike(a, b)):
                    continue
                both = conj(
                    self.situation.final(a, "eligible"), self.situation.final(b, "eligible")
                )
                verdict = self.ask([both], [a, b])
                if self.settle(verdict, [a, b], f"{a.id} and {b.id} together") is not True:
                    continue
                found = self.witness(verdict, {a.id: ("eligible",), b.id: ("eligible",)})
                if found is None:
                    self.note(a, f"{a.id} and {b.id}: witness not confirmed; not reported")
                    continue
                message = (
                    f"{a.id} and {b.id} can both be paid for one case, and neither "
                    "overrides the other"
                )
                places = (Place(a.span, a.id), Place(b.span, b.id))
                self.found.append(Finding("A001", message, places, found, (), (a.id, b.id)))

    def overrides(self) -> None:
        for rule in self.library.rules_by_id:
            model = self.models.get(rule.id)
            if model is None:
                continue
            for v in model.versions:
                for target_id in v.version.overrides:
                    self._override(rule, model, v, target_id)

    def _override(self, rule: Rule, model: RuleModel, v: VersionModel, target_id: str) -> None:
        target = self.library.rule(target_id)
        other = self.models.get(target_id) if target is not None else None
        if target is None or other is None:
            return
        both = conj(model.present, v.selected, v.eligible, other.own("eligible"))
        what = f"{rule.id} overriding {target_id}"
        if self.settle(self.ask([both], [rule, target]), [rule, target], what) is not False:
            return
        if self.ask([model.present, v.selected, v.eligible], [rule]).unsat:
            return  # the overriding version never pays: already reported
        message = (
            f"{rule.id} version {v.version.number} overrides {target_id}, but whenever it "
            f"pays, {target_id} would not pay anyway: the override never applies"
        )
        places = (Place(v.version.span, f"overrides {target_id}"), Place(target.span, target_id))
        self.found.append(Finding("A002", message, places, None, (), (rule.id, target_id)))

    def gaps(self) -> None:
        groups: dict[tuple[str, str], list[Rule]] = defaultdict(list)
        for rule in self.library.rules_by_id:
            if rule.kind == "benefit" and self.usable(rule):
                groups[(rule.clause, rule.subject)].append(rule)
        for (clause, _), rules in sorted(groups.items()):
            if len(rules) >= 2:
                self._gap(clause, rules)

    def _gap(self, clause: str, rules: list[Rule]) -> None:
        texts = [{_text(c.expr.node) for c in v.conditions} for r in rules for v in r.versions]
        common = set.intersection(*texts)
        if not common:
            return  # no shared target group: failing every rule is no gap in the clause
        parts = []
        for rule in rules:
            model = self.models[rule.id]
            assert model is not None
            options = []
            for v in model.versions:
                conds = [c for c in v.checks if c.role == "condition"]
                distinct = [c for c in conds if _text(c.condition.expr.node) not in common]
                if not distinct:
                    return  # this rule covers every case the others distinguish
                options.append(
                    conj(
                        v.selected,
                        *(c.term.known for c in v.checks),
                        *(c.true for c in conds if c not in distinct),
                        disj(*(c.false for c in distinct)),
                    )
                )
            parts.append(conj(model.present, disj(*options)))
        verdict = self.ask(parts, rules)
        if self.settle(verdict, rules, f"the case distinctions of clause {clause}") is not True:
            return
        found = self.witness(verdict, {r.id: ("ineligible",) for r in rules})
        if found is None:
            self.note(rules[0], f"clause {clause}: gap witness not confirmed; not reported")
            return
        names = ", ".join(r.id for r in rules)
        message = (
            f"the case distinctions of clause {clause} ({names}) leave a case undecided: "
            "it meets their common conditions and no rule of the clause applies"
        )
        places = tuple(Place(r.span, r.id) for r in rules)
        self.found.append(Finding("A006", message, places, found, (), tuple(r.id for r in rules)))

    def time_gaps(self) -> None:
        for rule in self.library.rules_by_id:
            windows = sorted(
                (
                    v
                    for v in rule.versions
                    if not (v.window.start and v.window.end and v.window.start > v.window.end)
                ),
                key=lambda v: v.window.start or date.min,
            )
            force = self.library.in_force(rule)
            for earlier, later in itertools.pairwise(windows):
                end, start = earlier.window.end, later.window.start
                if end is None or start is None or (start - end).days <= 1:
                    continue
                first = end + timedelta(days=1)
                if not force.contains(first):
                    continue
                message = (
                    f"no version of {rule.id} is in force from {first} to "
                    f"{start - timedelta(days=1)}, inside its document's force"
                )
                places = (
                    Place(later.span, f"version {later.number} starts {start}"),
                    Place(earlier.span, f"version {earlier.number} ends {end}"),
                )
                self.found.append(Finding("A007", message, places, rules=(rule.id,)))


def _text(node: ast.Node) -> str:
    return ast.unparse(node)


def _related(a: Rule, b: Rule) -> bool:
    return any(b.id in v.overrides for v in a.versions) or any(
        a.id in v.overrides for v in b.versions
    )


def _alike(a: Rule, b: Rule) -> bool:
    """Rules that may pay for the same thing: one clause, or one `once` programme."""
    programs = [{v.once_program or r.id for v in r.versions if v.once} for r in (a, b)]
    return a.clause == b.clause or bool(programs[0] & programs[1])


def _read_by(rules: Sequence[Rule]) -> set[str]:
    out = set()
    for rule in rules:
        for v in rule.versions:
            exprs = [v.effective_date] if v.effective_date else []
            exprs += [c.expr for c in (*v.conditions, *v.unless, *v.requires)]
            for expr in exprs:
                out |= {
                    ".".join(n.keys)
                    for n in ast.walk(expr.node)
                    if isinstance(n, ast.Path) and n.root == "fact"
                }
            if v.once:
                out.add(f"{rule.subject}.grants")
    return out


def _core(run: _Analysis, selected: Z, checks: list[Check], duty: bool) -> list[Check]:
    """The checks that contradict each other (an unsat core; requirements for a duty)."""
    solver = z3.Solver()
    solver.set("timeout", 10_000)
    solver.add(*run.space.axioms, run.no_error, selected)
    literals = {}
    for i, c in enumerate(checks):
        literal = z3.Bool(f"core {i}")
        wanted = c.false if c.role == "unless" else c.true
        solver.add(z3.Implies(literal, wanted))
        literals[literal.get_id()] = (literal, c)
    if solver.check(*(lit for lit, _ in literals.values())) != z3.unsat:
        return []
    core = [literals[lit.get_id()][1] for lit in solver.unsat_core()]
    return sorted(core, key=lambda c: (c.condition.span.line, c.condition.span.col))


def _why_never(run: _Analysis, rule: Rule, v: VersionModel) -> str:
    window, force = v.version.window, run.library.in_force(rule)
    if window.start and window.end and window.start > window.end:
        return f"its window {window} ends before it starts"
    if not window.overlaps(force):
        return f"its window {window} lies outside the document's force ({force})"
    if v.version.effective_date is not None:
        return (
            f"its effective date `{v.version.effective_date.text}` never falls in {window} "
            "inside the document's force"
        )
    return f"no decision date falls in {window} inside the document's force ({force})"


__all__ = ["analyse"]
