"""The values a why-not proposal shows: the nearest that works, and every value that works.

In: a set of changes the solver found (one model), the case, and the goal as formulas. Out:
for each changed fact its new value — moved as close to the old one as still works (the
earliest later decision date; a collected number or date at an end of its range) — and the
range of values that work with the other changes held (`range`), or for yes/no and enum facts
every value that works (`allowed`).

Values are found by deciding the changed case (the decision core is the judge, so each value
shown works), searching outwards and bisecting along the fact's axis (days, or steps of the
domain's grid). A range is shown only once the solver proves every value inside it works;
otherwise only the value is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.readback import lookup, read_slot
from clause.engine.analysis.space import FactSpace, Slot
from clause.engine.analysis.terms import BOOL, DATE, NUMBER, STRING, Z, neg, real
from clause.engine.decide import Outcome, decide
from clause.engine.expr.types import EnumType
from clause.engine.expr.values import EvalError
from clause.engine.library import Library

DECISION_DATE = "decision_date"
_OPEN = 366 * 50  # an end this close to the domain's edge is shown as open


class Probe:
    """Incremental solvers for one goal: can it hold, can it fail."""

    def __init__(self, axioms: list[Z], goal: Z) -> None:
        self.holds, self.fails = z3.Solver(), z3.Solver()
        for solver in (self.holds, self.fails):
            solver.set("timeout", 10_000)
        self.holds.add(*axioms, goal)
        self.fails.add(*axioms, neg(goal))

    def can_fail(self, extra: list[Z]) -> bool:
        self.fails.push()
        self.fails.add(*extra)
        found = self.fails.check() != z3.unsat
        self.fails.pop()
        return bool(found)


def apply(facts: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The facts with fact paths set to new values (records and lists as given)."""
    out: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in facts.items()}
    for path, value in values.items():
        keys = path.split(".")
        target = out
        for key in keys[:-1]:
            nxt = target.get(key)
            nxt = dict(nxt) if isinstance(nxt, Mapping) else {}
            target[key] = nxt
            target = nxt
        target[keys[-1]] = value
    return out


@dataclass
class Trial:
    """Deciding the case with changed values: whether the benefit is then paid."""

    library: Library
    facts: Mapping[str, Any]
    on: date
    rule: str

    def works(self, values: Mapping[str, Any]) -> bool:
        day = values.get(DECISION_DATE, self.on)
        changed = apply(self.facts, {p: v for p, v in values.items() if p != DECISION_DATE})
        try:
            decisions = decide(self.library, changed, day)
        except EvalError:
            return False
        return any(d.rule.id == self.rule and d.outcome is Outcome.ELIGIBLE for d in decisions)


@dataclass(frozen=True)
class Axis:
    """A fact's values as integers: days, or steps of the domain's grid, within limits."""

    to_int: Callable[[Any], int]
    of_int: Callable[[int], Any]
    low: int
    high: int
    term: Z  # the solver's value of the fact, on the same integer scale
    is_date: bool
    edge: int = 0  # numbers: the domain's bound; an end there is shown as open

    def open_low(self, end: int) -> bool:
        if self.is_date:
            return end - dates.MIN_ORDINAL < _OPEN
        return end <= -self.edge

    def open_high(self, end: int) -> bool:
        if self.is_date:
            return dates.MAX_ORDINAL - end < _OPEN
        return end >= self.edge


def _axis(space: FactSpace, name: str, slot: Slot | None, later: dates.DateTerm, on: date) -> Axis:
    if name == DECISION_DATE:
        return Axis(date.toordinal, date.fromordinal, on.toordinal() + 1, dates.MAX_ORDINAL,
                    later.ordinal, True)  # fmt: skip
    assert slot is not None
    if slot.kind == DATE:
        return Axis(date.toordinal, date.fromordinal, dates.MIN_ORDINAL, dates.MAX_ORDINAL,
                    slot.value.ordinal, True)  # fmt: skip
    info = space.fields.get(name)
    places = 0 if info is not None and info.integer else space.domain.places
    step = Decimal(1).scaleb(-places)
    bound = 10 ** (space.domain.magnitude + places)
    low = -bound if info is None or info.minimum is None else int(info.minimum / step)
    high = bound if info is None or info.maximum is None else int(info.maximum / step)
    return Axis(lambda v: int(Decimal(v) / step), lambda i: _number(i, places), low, high,
                slot.value * 10**places, False, bound)  # fmt: skip


def _number(steps: int, places: int) -> Decimal:
    value = Decimal(steps).scaleb(-places)
    return value.normalize() if value != value.to_integral_value() else Decimal(int(value))


def _boundary(works: Callable[[int], bool], good: int, bad: int) -> int:
    """The good point nearest `bad` on the segment (works(good), not works(bad))."""
    while abs(bad - good) > 1:
        mid = (good + bad) // 2
        if works(mid):
            good = mid
        else:
            bad = mid
    return good


def _end(works: Callable[[int], bool], start: int, limit: int) -> int:
    """How far from `start` towards `limit` values keep working (at most the limit)."""
    sign = 1 if limit > start else -1
    step, good = 1, start
    while good != limit:
        probe = start + sign * step
        if (probe - limit) * sign >= 0:
            return limit if works(limit) else _boundary(works, good, limit)
        if not works(probe):
            return _boundary(works, good, probe)
        good, step = probe, step * 2
    return good


def values_of(
    space: FactSpace,
    probe: Probe,
    trial: Trial,
    model: Any,
    chosen: list[str],
    held: list[Z],
    later: dates.DateTerm,
) -> dict[str, dict[str, Any]]:
    """New value, range or allowed values for each chosen fact (see the module docstring)."""
    out: dict[str, dict[str, Any]] = {}
    for name in chosen:
        if name == DECISION_DATE:
            found = date.fromordinal(model.eval(later.ordinal, model_completion=True).as_long())
            out[name] = {"before": trial.on, "after": found}
        else:
            read = _read(model, space.slots[name], space)
            out[name] = {"before": lookup(trial.facts, name), "after": read}
    for name in chosen:
        slot = space.slots.get(name)
        if name == DECISION_DATE or (slot is not None and slot.kind in (NUMBER, DATE)):
            _place(space, probe, trial, out, name, slot, held, later)
        elif slot is not None and slot.kind in (BOOL, STRING):
            out[name]["allowed"] = _allowed(space, trial, out, name, slot)
    return out


def _place(
    space: FactSpace,
    probe: Probe,
    trial: Trial,
    out: dict[str, dict[str, Any]],
    name: str,
    slot: Slot | None,
    held: list[Z],
    later: dates.DateTerm,
) -> None:
    axis = _axis(space, name, slot, later, trial.on)
    current = {n: c["after"] for n, c in out.items()}

    def works(i: int) -> bool:
        return axis.low <= i <= axis.high and trial.works({**current, name: axis.of_int(i)})

    start = axis.to_int(out[name]["after"])
    before = out[name]["before"]
    if name == DECISION_DATE:
        start = _boundary(works, start, trial.on.toordinal())  # the earliest later date
    elif before is not None and not works(_toward(axis, before, start)):
        start = _boundary(works, start, _toward(axis, before, start))
    lowest, highest = _end(works, start, axis.low), _end(works, start, axis.high)
    low = None if axis.open_low(lowest) else lowest
    high = None if axis.open_high(highest) else highest
    if before is None and name != DECISION_DATE:  # collected: show an end of its range
        start = high if high is not None else low if low is not None else start
    out[name]["after"] = axis.of_int(start)
    others = [_pin(space, n, c["after"], later) for n, c in out.items() if n != name]
    pins = [pin for pin in others if pin is not None]
    if len(pins) < len(others):
        return  # another change cannot be held in the solver: show the value only
    inside = [axis.term >= v for v in (low,) if v is not None]
    inside += [axis.term <= v for v in (high,) if v is not None]
    if not probe.can_fail([*held, *pins, *inside]):
        ends = (low, high)
        out[name]["range"] = tuple(None if e is None else axis.of_int(e) for e in ends)


def _toward(axis: Axis, old: Any, start: int) -> int:
    """The old value on the axis (rounded towards the new one when off the grid)."""
    exact = Decimal(old.toordinal()) if isinstance(old, date) else Decimal(old) / (
        Decimal(axis.of_int(1)) if not axis.is_date else 1)  # fmt: skip
    return int(exact.to_integral_value(rounding="ROUND_CEILING" if start > exact
                                       else "ROUND_FLOOR"))  # fmt: skip


def _read(model: Any, slot: Slot, space: FactSpace) -> Any:
    value = read_slot(space, model, slot)
    return tuple(value) if isinstance(value, list) and slot.kind != "record" else value


def _pin(space: FactSpace, name: str, value: Any, later: dates.DateTerm) -> Z | None:
    """A constraint holding a changed fact at its chosen value (None: not expressible)."""
    if name == DECISION_DATE:
        return later.ordinal == value.toordinal()
    slot = space.slots[name]
    if slot.kind == NUMBER:
        return slot.value == real(value)
    if slot.kind == DATE:
        return slot.value.ordinal == value.toordinal()
    if slot.kind == BOOL:
        return slot.value == z3.BoolVal(value)
    if slot.kind == STRING:
        return slot.value == space.strings.id(value)
    if not value:  # an empty list or list of records
        return slot.value.length == 0
    return None


def _allowed(
    space: FactSpace, trial: Trial, out: dict[str, dict[str, Any]], name: str, slot: Slot
) -> list[Any]:
    info = space.fields.get(name)
    if slot.kind == BOOL:
        options: list[Any] = [True, False]
    elif info is not None and isinstance(info.type, EnumType):
        options = list(info.type.values)
    elif name.endswith(".locality"):  # the places the parameters name, for a readable value
        options = _localities(trial.library)
    else:
        return []
    current = {n: c["after"] for n, c in out.items()}
    works = [o for o in options if trial.works({**current, name: o})]
    if slot.kind == STRING and works and out[name]["after"] not in works:
        out[name]["after"] = works[0]  # a place that exists rather than any other text
    return works if slot.kind != STRING or len(works) > 1 else []


def _localities(library: Library) -> list[str]:
    return sorted(
        {
            str(v.locality)
            for p in library.parameters.values()
            for v in p.values
            if v.locality is not None
        }
    )
