"""The values a why-not proposal shows: the nearest that works, the range that works, and the
conditions each change satisfies.

In: a symbolic case (Situation) with the goal "the benefit is paid", the set of facts chosen to
change. Out: for each, its old and new value (the closest to the old one; the earliest later
decision date), the lowest and highest values that work with the other changes held, or for
text and yes/no facts every value that works; and, from traced decisions before and after,
the conditions (with their quotes) that the change turns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.outcome import Situation
from clause.engine.analysis.space import Slot, _decimal_of, _lookup, read_value
from clause.engine.analysis.terms import BOOL, DATE, NUMBER, STRING, Z, neg
from clause.engine.decide import Decision, Role, TraceSink, decide
from clause.engine.expr.types import EnumType
from clause.engine.library import Library
from clause.engine.model import Rule

DECISION_DATE = "decision_date"


@dataclass(frozen=True)
class Tie:
    """A condition a change turns: for the benefit, now passed; for a rule that would replace
    it, no longer applies; or the version now in force."""

    rule: str
    id: str
    role: str
    expr: str
    quote: str
    paths: tuple[str, ...]
    by_date: bool
    effect: str  # satisfied | no_longer_applies | version


def _objective(slot: Slot) -> Z | None:
    if slot.kind == NUMBER:
        return slot.value
    if slot.kind == DATE:
        return slot.value.ordinal
    return None


class Probe:
    """Incremental solvers for one goal: can it hold, can it fail, how far can a value go."""

    def __init__(self, axioms: list[Z], goal: Z) -> None:
        self.holds, self.fails, self.opt = z3.Solver(), z3.Solver(), z3.Optimize()
        for engine in (self.holds, self.fails, self.opt):
            engine.set("timeout", 10_000)
        self.holds.add(*axioms, goal)
        self.fails.add(*axioms, neg(goal))
        self.opt.add(*axioms, goal)

    def possible(self, extra: list[Z]) -> bool:
        self.holds.push()
        self.holds.add(*extra)
        found = self.holds.check() == z3.sat
        self.holds.pop()
        return bool(found)

    def can_fail(self, extra: list[Z]) -> bool:
        self.fails.push()
        self.fails.add(*extra)
        found = self.fails.check() != z3.unsat
        self.fails.pop()
        return bool(found)

    def optimum(self, extra: list[Z], objectives: list[tuple[Z, bool]]) -> tuple[Any, list[Any]]:
        """A model with `extra` held and the objectives (term, lowest) met in order."""
        self.opt.push()
        self.opt.add(*extra)
        handles = [self.opt.minimize(t) if low else self.opt.maximize(t) for t, low in objectives]
        model, values = None, []
        if self.opt.check() == z3.sat:
            model, values = self.opt.model(), [h.value() for h in handles]
        self.opt.pop()
        return model, values


def nearest(
    situation: Situation,
    probe: Probe,
    flags: Mapping[str, Z],
    chosen: list[str],
    later: dates.DateTerm,
    search: Any,
    found: Any,
) -> dict[str, dict[str, Any]]:
    """New values for the chosen facts, as close to the old ones as the goal allows (the
    values of `found`, the model the search found, if the optimiser gives up)."""
    space = situation.space
    held = [flags[n] if n in chosen else neg(flags[n]) for n in flags]
    objectives: list[tuple[Z, bool]] = []
    for name in chosen:
        if name == DECISION_DATE:
            objectives.append((later.ordinal, True))
            continue
        slot = space.slots[name]
        if slot.kind in ("record", "list"):
            objectives.append((slot.value.length, True))  # the shortest list that works
            continue
        term, old = _objective(slot), _lookup(search.facts, name)
        if term is None or old is None:
            continue
        target = old.toordinal() if isinstance(old, date) else z3.RealVal(str(old))
        objectives.append((z3.If(term >= target, term - target, target - term), True))
    model, _ = probe.optimum(held, objectives)
    model = model if model is not None else found
    out: dict[str, dict[str, Any]] = {}
    for name in chosen:
        if name == DECISION_DATE:
            value = date.fromordinal(model.eval(later.ordinal, model_completion=True).as_long())
            out[name] = {"before": search.on, "after": value}
            continue
        slot = space.slots[name]
        out[name] = {"before": _lookup(search.facts, name), "after": _read(model, slot, space)}
    for name in chosen:
        others = [_pin(space, n, out[n]["after"], later) for n in chosen if n != name]
        out[name].update(bounds_of(situation, probe, held + others, name, later))
        ends = out[name].get("range")
        if out[name]["before"] is None and ends and name != DECISION_DATE:
            chosen_end = ends[1] if ends[1] is not None else ends[0]
            out[name]["after"] = chosen_end if chosen_end is not None else out[name]["after"]
    return out


def _read(model: Any, slot: Slot, space: Any) -> Any:
    if slot.kind == "record":
        return space._read(model, slot)
    value = read_value(model, slot.kind, slot.value, space.strings)
    return tuple(value) if isinstance(value, list) else value


def _pin(space: Any, name: str, value: Any, later: dates.DateTerm) -> Z:
    """A constraint holding a changed fact at its chosen value."""
    if name == DECISION_DATE:
        return later.ordinal == value.toordinal()
    slot = space.slots[name]
    if slot.kind == NUMBER:
        return slot.value == z3.RealVal(str(value))
    if slot.kind == DATE:
        return slot.value.ordinal == value.toordinal()
    if slot.kind == BOOL:
        return slot.value == z3.BoolVal(value)
    if slot.kind == STRING:
        return slot.value == space.strings.id(value)
    return z3.BoolVal(True)  # lists: left free; they are shown by value only


def bounds_of(
    situation: Situation, probe: Probe, held: list[Z], name: str, later: dates.DateTerm
) -> dict[str, Any]:
    """The range (numbers, dates) or the set (text, yes/no) of values of one changed fact that
    work with the other changes held; empty when the values that work are not one range."""
    space = situation.space
    if name == DECISION_DATE:
        term, kind = later.ordinal, DATE
    else:
        slot = space.slots[name]
        kind = slot.kind
        if kind in (BOOL, STRING):
            return {"allowed": _allowed(situation, probe, held, name, slot)}
        term = _objective(slot)
    if term is None:
        return {}
    ends = [_extreme(space, probe, held, term, kind, lowest) for lowest in (True, False)]
    inside = [term >= e for e in ends[:1] if e is not None] + [
        term <= e for e in ends[1:] if e is not None
    ]
    if probe.can_fail(held + inside):
        return {}  # the values that work are not one range: only the value is shown
    return {"range": tuple(None if e is None else _shown(kind, e) for e in ends)}


def _extreme(space: Any, probe: Probe, held: list[Z], term: Z, kind: str, lowest: bool) -> Any:
    _, values = probe.optimum(held, [(term, lowest)])
    if not values:
        return None
    value = values[0]
    if not (z3.is_int_value(value) or z3.is_rational_value(value)):
        return None  # unbounded (oo) or an infinitesimal bound
    return None if _domain_end(space, kind, value, lowest) else value


def _domain_end(space: Any, kind: str, value: Any, lowest: bool) -> bool:
    """Whether the extreme is only the edge of the analysis domain (an open end)."""
    if kind == DATE:
        edge = dates.MIN_ORDINAL if lowest else dates.MAX_ORDINAL
        return bool(abs(value.as_long() - edge) < 366 * 50)
    magnitude = 10**space.domain.magnitude
    number = (
        Fraction(value.as_long())
        if z3.is_int_value(value)
        else Fraction(value.numerator_as_long(), value.denominator_as_long())
    )
    return bool(number <= -magnitude) if lowest else bool(number >= magnitude)


def _shown(kind: str, value: Any) -> Any:
    if kind == DATE:
        return date.fromordinal(value.as_long())
    if z3.is_int_value(value):
        return _decimal_of(Fraction(value.as_long()))
    return _decimal_of(Fraction(value.numerator_as_long(), value.denominator_as_long()))


def _allowed(situation: Situation, probe: Probe, held: list[Z], name: str, slot: Slot) -> list[Any]:
    space = situation.space
    info = space.fields.get(name)
    if slot.kind == BOOL:
        options: list[Any] = [True, False]
    elif info is not None and isinstance(info.type, EnumType):
        options = list(info.type.values)
    else:
        return []
    out = []
    for option in options:
        pinned = slot.value == (
            z3.BoolVal(option) if slot.kind == BOOL else z3.IntVal(space.strings.id(option))
        )
        if probe.possible([*held, pinned]):
            out.append(option)
    return out


def ties(
    library: Library,
    rule: Rule,
    facts: Mapping[str, Any],
    on: date,
    changed: Mapping[str, Any],
    on_after: date,
) -> list[Tie]:
    """The conditions of `rule` (and of the rules that would replace it) that the change turns."""
    before, after = _traced(library, facts, on), _traced(library, changed, on_after)
    out: list[Tie] = []
    target = after.get(rule.id)
    if target is None:
        return out
    earlier = before.get(rule.id)
    if (
        earlier is not None
        and target.version is not None
        and (earlier.version is None or earlier.version.number != target.version.number)
    ):
        out.append(
            Tie(
                rule.id,
                f"version {target.version.number}",
                "version",
                str(target.version.window),
                target.version.window_quote or "",
                (),
                True,
                "version",
            )
        )
    old = {(c.role, c.id): c for c in (earlier.conditions if earlier else ())}
    for check in target.conditions:
        was = old.get((check.role, check.id))
        if check.passed is True and (was is None or was.passed is not True):
            out.append(_tie(rule.id, check, "satisfied"))
    for other in library.rules_by_id:
        if other.id == rule.id or not any(rule.id in v.overrides for v in other.versions):
            continue
        now, then = after.get(other.id), before.get(other.id)
        prior = {(c.role, c.id): c for c in (then.conditions if then else ())}
        for check in now.conditions if now else ():
            was = prior.get((check.role, check.id))
            if check.passed is False and (was is None or was.passed is not False):
                out.append(_tie(other.id, check, "no_longer_applies"))
    return out


def _tie(rule: str, check: Any, effect: str) -> Tie:
    paths = tuple(r.path for r in check.facts)
    role = "once" if check.role is Role.ONCE else str(check.role)
    return Tie(
        rule, check.id, role, check.expr, check.quote, paths, "decision_date" in paths, effect
    )


def _traced(library: Library, facts: Mapping[str, Any], on: date) -> dict[str, Decision]:
    return {d.rule.id: d for d in decide(library, facts, on, sink=TraceSink())}
