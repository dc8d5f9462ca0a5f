"""The language's functions in the solver, one builder per entry of engine/expr/builtins.py.

In: the encoded arguments of a call (their values; known-ness and errors are combined by the
caller). Out: the result's value and the function's own failure on known arguments, as the
implementation in builtins.py computes and raises them: min/max of an empty list (E305), a
count that is not whole or out of range (E303, E304), a date outside years 1..9999 (E306).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.terms import (
    BOOL,
    DATE,
    LIST,
    NUMBER,
    PRECISION,
    Digits,
    ListValue,
    Term,
    Unsupported,
    Z,
    below,
    conj,
    disj,
    false,
    ite,
    ite_value,
    join_digits,
    neg,
    real,
    true,
)
from clause.engine.expr import ast
from clause.engine.messages import msg

_SMALL = Digits(7, 0)  # day and month counts
_BIG_COUNT = Decimal(1_000_000)  # builtins._whole's range


class Encoding(Protocol):
    """What a builder needs from the encoder: fresh names and a place for axioms."""

    def fresh(self, stem: str) -> str: ...

    @property
    def axioms(self) -> list[Z]: ...


# Each builder returns a Term whose `error` is the function's own failure on known arguments;
# _Call adds the arguments' errors and unknowns.

Builder = Callable[[Encoding, ast.Call, list[Term]], Term]


def _result(kind: str, value: Any, error: Z = None, digits: Digits | None = None) -> Term:
    return Term(kind, value, true(), false() if error is None else error, True, digits)


def _items(args: list[Term]) -> tuple[str, ListValue, list[Digits]]:
    """The values an extremum ranges over: one list argument, or the arguments themselves."""
    if len(args) == 1 and args[0].kind == LIST:
        listed: ListValue = args[0].value
        digits = [args[0].item_digits] if args[0].item_digits else []
        return listed.item_kind, listed, digits
    values = tuple(a.value for a in args)
    digits = [a.digits for a in args if a.digits is not None]
    return args[0].kind, ListValue(z3.IntVal(len(values)), values, args[0].kind), digits


def _extremum(smaller: bool) -> Builder:
    def build(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
        kind, listed, digits = _items(args)
        if not listed.items:
            return _result(kind, _placeholder(kind), true())
        best = listed.items[0]
        for i, item in enumerate(listed.items[1:], start=1):
            a, b = (item.ordinal, best.ordinal) if kind == DATE else (item, best)
            better = a < b if smaller else a > b
            best = ite_value(kind, conj(below(i, listed.length), better), item, best)
        return _result(kind, best, listed.length == 0, join_digits(digits))

    return build


def _placeholder(kind: str) -> Any:
    return dates.const_date(date(1, 1, 1)) if kind == DATE else real(0)


def _abs(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
    v = args[0].value
    return _result(NUMBER, z3.If(v < 0, -v, v), false(), args[0].digits)


def _round(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
    places = Decimal(0)
    if len(args) == 2:
        simplified = z3.simplify(args[1].value)
        if not z3.is_rational_value(simplified):
            raise Unsupported(msg("what.solver.round_places"), node.span)
        places = Decimal(simplified.numerator_as_long()) / Decimal(simplified.denominator_as_long())
    if places != places.to_integral_value() or not 0 <= places <= 10:
        return _result(NUMBER, real(0), true())  # E303 / E304 on every input
    scale = 10 ** int(places)
    v = args[0].value
    up = z3.ToReal(z3.ToInt(v * scale + real(Decimal("0.5")))) / scale
    down = -z3.ToReal(z3.ToInt(-v * scale + real(Decimal("0.5")))) / scale
    base = args[0].digits
    digits = Digits(base.whole + 1, int(places)) if base is not None else None
    term = _result(NUMBER, z3.If(v >= 0, up, down), false(), digits)
    return replace(term, exact=digits is not None and digits.total <= PRECISION)


def _count(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
    return _result(NUMBER, z3.ToReal(args[0].value.length), false(), Digits(2, 0))


def _sum(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
    listed: ListValue = args[0].value
    total = real(0)
    for i, item in enumerate(listed.items):
        total = total + ite(below(i, listed.length), item, real(0))
    base = args[0].item_digits
    digits = Digits(base.whole + 1, base.frac) if base is not None else Digits(1, 0)
    term = _result(NUMBER, total, false(), digits)
    return replace(term, exact=base is not None and digits.total <= PRECISION)


def _quantifier(every: bool) -> Builder:
    def build(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
        listed: ListValue = args[0].value
        if every:
            parts = [z3.Implies(below(i, listed.length), v) for i, v in enumerate(listed.items)]
            return _result(BOOL, conj(*parts))
        return _result(
            BOOL, disj(*(conj(below(i, listed.length), v) for i, v in enumerate(listed.items)))
        )

    return build


def _between(fn: Callable[[dates.DateTerm, dates.DateTerm], Z]) -> Builder:
    def build(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
        return _result(NUMBER, z3.ToReal(fn(args[0].value, args[1].value)), false(), _SMALL)

    return build


def _days(a: dates.DateTerm, b: dates.DateTerm) -> Z:
    return b.ordinal - a.ordinal


def _whole(value: Z) -> tuple[Z, Z]:
    """builtins._whole: the integer, and whether it is not whole or out of range."""
    bad = disj(neg(z3.IsInt(value)), value > real(_BIG_COUNT), value < -real(_BIG_COUNT))
    return z3.ToInt(value), bad


def _add_days(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
    start: dates.DateTerm = args[0].value
    n, bad = _whole(args[1].value)
    ordinal = start.ordinal + n
    small = dates.as_int(z3.simplify(n))
    if small is not None and abs(small) <= 28:  # add_days(d, -1): parts without division
        out = dates.shift_days(start, small)
    else:
        out = dates.from_ordinal(ordinal, enc.fresh("add_days"), enc.axioms)
    return _result(DATE, out, disj(bad, neg(dates.in_range(ordinal))))


def _shift_months(factor: int) -> Builder:
    def build(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
        n, bad = _whole(args[1].value)
        out, out_of_range = dates.add_months(args[0].value, n * factor)
        return _result(DATE, out, disj(bad, out_of_range))

    return build


def _make_date(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
    parts = [_whole(a.value) for a in args]
    year, month, day = (p[0] for p in parts)
    bad = disj(*(p[1] for p in parts), neg(dates.valid_parts(year, month, day)))
    value = dates.DateTerm(dates.ordinal_of(year, month, day), year, month, day)
    return _result(DATE, value, bad)


def _part(name: str) -> Builder:
    """year(), month(), day(): a part of a date (builtins._part)."""

    def build(enc: Encoding, node: ast.Call, args: list[Term]) -> Term:
        day: dates.DateTerm = args[0].value
        return _result(NUMBER, z3.ToReal(getattr(day, name)), false(), Digits(4, 0))

    return build


CALLS: dict[str, Builder] = {
    "min": _extremum(True),
    "max": _extremum(False),
    "abs": _abs,
    "round": _round,
    "count": _count,
    "sum": _sum,
    "any": _quantifier(False),
    "all": _quantifier(True),
    "months_between": _between(dates.months_between),
    "years_between": _between(dates.years_between),
    "days_between": _between(_days),
    "add_days": _add_days,
    "add_months": _shift_months(1),
    "add_years": _shift_months(12),
    "date": _make_date,
    "year": _part("year"),
    "month": _part("month"),
    "day": _part("day"),
}
