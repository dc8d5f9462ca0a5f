"""Models back to facts: what a solver model says the facts of a case are.

In: a model of a FactSpace's formulas. Out: plain facts as a facts file holds them (exact
decimals, dates, text, lists, records), the case's own facts with the changes applied when the
space was bound to a case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import z3

from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import BOOL, DATE, LIST, NUMBER, STRING, Unsupported, Z
from clause.engine.messages import msg

if TYPE_CHECKING:
    from clause.engine.analysis.space import FactSpace, Slot


def facts_of(space: FactSpace, model: Any) -> dict[str, Any]:
    """The facts a model describes (the case's own facts with the changes, in bound mode)."""
    facts: dict[str, Any] = _copy(space.current) if space.current is not None else {}
    for entity, present in space.entities.items():
        if z3.is_true(model.eval(present, model_completion=True)):
            facts.setdefault(entity, {})
    for path, slot in sorted(space.slots.items()):
        if path.startswith(("param.", "decision_date")) or "." not in path:
            continue
        if space.current is not None and not _true(model, slot.changed):
            continue
        if not _true(model, slot.present):
            continue
        _put(facts, path.split("."), read_slot(space, model, slot))
    return facts


def read_slot(space: FactSpace, model: Any, slot: Slot) -> Any:
    """A slot's value in a model (a list of records as a list of dicts)."""
    if slot.kind == "record":
        length = model.eval(slot.value.length, model_completion=True).as_long()
        rows: list[dict[str, Any]] = [{} for _ in range(length)]
        for name, (presents, values) in space.columns(slot.path).items():
            info = space.fields.get(f"{slot.path}.{name}")
            kind = space.kind_of_field(info)
            for i in range(length):
                if _true(model, presents[i]):
                    names = name == "program"  # a grant's programme names a rule or programme
                    rows[i][name] = read_value(model, kind, values[i], space.strings, names)
        return rows
    return read_value(model, slot.kind, slot.value, space.strings)


def read_value(model: Any, kind: str, value: Any, strings: Strings, names: bool = False) -> Any:
    """The Python value (as facts hold it) of a solver value in a model; `names`: the value
    may be a programme's name."""
    ev: Callable[[Z], Any] = lambda term: model.eval(term, model_completion=True)  # noqa: E731
    if kind == BOOL:
        return z3.is_true(ev(value))
    if kind == NUMBER:
        number = ev(value)
        fraction = Fraction(number.numerator_as_long(), number.denominator_as_long())
        return decimal_of(fraction)
    if kind == DATE:
        return date.fromordinal(ev(value.ordinal).as_long())
    if kind == STRING:
        return strings.text(ev(value).as_long(), names)
    if kind == LIST:
        length = ev(value.length).as_long()
        items = value.items[:length]
        return [read_value(model, value.item_kind, v, strings, names) for v in items]
    raise Unsupported(msg("what.solver.read_kind", kind=kind))


def decimal_of(fraction: Fraction) -> Decimal:
    """The exact decimal of a fraction whose denominator divides a power of ten."""
    places, scale = 0, 1
    while scale % fraction.denominator and places < 64:
        places, scale = places + 1, scale * 10
    if scale % fraction.denominator:
        raise Unsupported(msg("what.solver.inexact_number", value=str(fraction)))
    return Decimal(f"{fraction.numerator * (scale // fraction.denominator)}E-{places}")


def _true(model: Any, term: Z) -> bool:
    return bool(z3.is_true(model.eval(term, model_completion=True)))


def lookup(facts: Mapping[str, Any], path: str) -> Any:
    value: Any = facts
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            return None
    return value


def _put(facts: dict[str, Any], keys: list[str], value: Any) -> None:
    target = facts
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value
