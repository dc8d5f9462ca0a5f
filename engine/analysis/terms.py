"""What an expression is to the solver: a value, whether it is known, whether evaluating it fails.

In: nothing (plain data and small z3 helpers). Out: `Term` (one per expression node), the
value shapes of each type (bool, number, date, string, list), equality and `if` on them, and
`Digits`, the static bound that tells when decimal arithmetic is exact.

Three-valued logic is kept as two formulas: `known` (the value is not Unknown) and `error`
(evaluation raises an EvalError). A value is only meaningful where it is known and no error
is raised; the encoder never reads it elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import z3

from clause.engine.analysis.dates import DateTerm
from clause.engine.analysis.dates import as_int as _as_int
from clause.engine.analysis.dates import ite as date_ite
from clause.engine.messages import Msg, msg
from clause.engine.source import Span

Z = Any  # a z3 term

BOOL, NUMBER, DATE, STRING, LIST, RECORD = "bool", "number", "date", "string", "list", "record"

#: Decimal arithmetic is exact while a result has at most this many significant digits
#: (engine/expr/values.py DECIMAL: prec=34).
PRECISION = 34


class Unsupported(Exception):
    """A construct the solver does not encode: the analysis says "not analysed", never guesses.
    `what` names it, in both languages (a catalog message, engine.messages)."""

    def __init__(self, what: Msg, span: Span | None = None) -> None:
        super().__init__(str(what))
        self.what = what
        self.span = span


@dataclass(frozen=True)
class Digits:
    """An upper bound on the integer and fractional decimal digits of a number's value."""

    whole: int
    frac: int

    @property
    def total(self) -> int:
        return self.whole + self.frac

    @staticmethod
    def of(value: Decimal) -> Digits:
        _sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        frac = max(0, -exponent)
        return Digits(max(len(digits) + exponent, 1), frac)

    def plus(self, other: Digits) -> Digits:
        return Digits(max(self.whole, other.whole) + 1, max(self.frac, other.frac))

    def times(self, other: Digits) -> Digits:
        return Digits(self.whole + other.whole, self.frac + other.frac)

    def join(self, other: Digits) -> Digits:
        return Digits(max(self.whole, other.whole), max(self.frac, other.frac))


@dataclass(frozen=True)
class ListValue:
    """A list of at most len(items) items; `length` says how many are there."""

    length: Z  # z3 Int
    items: tuple[Any, ...]  # item values (z3 terms or DateTerm), by position
    item_kind: str


@dataclass(frozen=True)
class Term:
    """An expression to the solver. `kind` is one of BOOL NUMBER DATE STRING LIST RECORD."""

    kind: str
    value: Any
    known: Z
    error: Z
    exact: bool = True  # False: arithmetic the encoding only approximates (see Digits)
    digits: Digits | None = None  # numbers only
    item_digits: Digits | None = None  # lists of numbers only


def true() -> Z:
    return z3.BoolVal(True)


def false() -> Z:
    return z3.BoolVal(False)


_ARITH = "smt.arith.solver"


@contextmanager
def fresh_context() -> Iterator[None]:
    """Run with a new z3 context: every term made inside is numbered from scratch, so the
    solver's choices (and so the witnesses and values shown) do not depend on what else the
    process asked z3 before. Nothing made inside may be used outside."""
    saved = z3.z3._main_ctx
    arith = z3.get_param(_ARITH)
    z3.z3._main_ctx = z3.Context()
    z3.set_param(_ARITH, 2)  # the simplex-based arithmetic: several times faster on dates here
    try:
        yield
    finally:
        z3.z3._main_ctx = saved
        z3.set_param(_ARITH, arith)


def real(value: Decimal | Fraction | int) -> Z:
    fraction = Fraction(value)
    return z3.RealVal(f"{fraction.numerator}/{fraction.denominator}")


def conj(*parts: Z) -> Z:
    """And, folding constants so formulas about known facts stay small."""
    kept = []
    for part in parts:
        if z3.is_false(part):
            return false()
        if not z3.is_true(part):
            kept.append(part)
    return kept[0] if len(kept) == 1 else z3.And(*kept) if kept else true()


def disj(*parts: Z) -> Z:
    kept = []
    for part in parts:
        if z3.is_true(part):
            return true()
        if not z3.is_false(part):
            kept.append(part)
    return kept[0] if len(kept) == 1 else z3.Or(*kept) if kept else false()


def neg(part: Z) -> Z:
    if z3.is_true(part):
        return false()
    if z3.is_false(part):
        return true()
    return z3.Not(part)


def ite(cond: Z, a: Z, b: Z) -> Z:
    if z3.is_true(cond):
        return a
    if z3.is_false(cond):
        return b
    return z3.If(cond, a, b)


def ite_value(kind: str, cond: Z, a: Any, b: Any) -> Any:
    """`if cond then a else b` for values of one kind."""
    if kind == DATE:
        return date_ite(cond, a, b)
    if kind in (LIST, RECORD):
        size = max(len(a.items), len(b.items))
        item_kind = a.item_kind if a.items else b.item_kind
        items = tuple(
            ite_value(item_kind, cond, _item(a, i, b), _item(b, i, a)) for i in range(size)
        )
        return ListValue(ite(cond, a.length, b.length), items, item_kind)
    return ite(cond, a, b)


def _item(value: ListValue, i: int, other: ListValue) -> Any:
    """Item i, or a stand-in (never read: it lies beyond the list's length)."""
    return value.items[i] if i < len(value.items) else other.items[i]


def equal(kind: str, a: Any, b: Any) -> Z:
    """Python `==` on two values of one kind (Decimal by value, lists item by item)."""
    if kind == DATE:
        return a.ordinal == b.ordinal
    if kind in (LIST, RECORD):
        if kind == RECORD or a.item_kind == RECORD:
            raise Unsupported(msg("what.solver.records_compare"))
        same = [a.length == b.length]
        for i in range(max(len(a.items), len(b.items))):
            if i < len(a.items) and i < len(b.items):
                same.append(z3.Implies(i < a.length, equal(a.item_kind, a.items[i], b.items[i])))
            else:  # one list cannot be that long
                longer = a if i < len(a.items) else b
                same.append(longer.length <= i)
        return conj(*same)
    return a == b


def is_date(value: Any) -> bool:
    return isinstance(value, DateTerm)


def below(i: int, length: Z) -> Z:
    """Whether position i is inside a list of `length` items (folded when the length is known)."""
    known = _as_int(length)
    return z3.BoolVal(i < known) if known is not None else z3.IntVal(i) < length


def join_digits(digits: list[Digits]) -> Digits | None:
    """A bound covering each of the bounds (None for none)."""
    if not digits:
        return None
    out = digits[0]
    for d in digits[1:]:
        out = out.join(d)
    return out
