"""Calendar dates in the solver: a day ordinal tied to its year, month and day, reckoned as
engine/periods.py reckons them (民法典 第二百零一、二百零二条).

In: z3 integer terms (a date's parts), Python dates for constants. Out: z3 terms for the
ordinal of a date, the last day of its month, `months_between`, `years_between` and
`add_months`, each exactly as the evaluator computes it; constants fold to constants. z3 ships
no type information, so its terms are typed `Z` (Any) here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import z3

#: A z3 term (z3 has no type stubs).
Z = Any

MIN_ORDINAL = date.min.toordinal()
MAX_ORDINAL = date.max.toordinal()
_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


@dataclass(frozen=True)
class DateTerm:
    """A date as the solver sees it: ordinal (date.toordinal()), year, month and day.

    The parts are tied to the ordinal by axioms made where the term is made (see `fresh_date`);
    for a date that may be out of range, those axioms hold only when it is in range.
    """

    ordinal: Z
    year: Z
    month: Z
    day: Z


def as_int(term: Z) -> int | None:
    """The Python int of an integer numeral, else None."""
    if isinstance(term, int):
        return term
    simplified = z3.simplify(term) if z3.is_expr(term) else term
    return simplified.as_long() if z3.is_int_value(simplified) else None


def const_date(day: date) -> DateTerm:
    return DateTerm(
        z3.IntVal(day.toordinal()), z3.IntVal(day.year), z3.IntVal(day.month), z3.IntVal(day.day)
    )


def as_date(term: DateTerm) -> date | None:
    """The Python date of a constant date term, else None."""
    ordinal = as_int(term.ordinal)
    if ordinal is None or not MIN_ORDINAL <= ordinal <= MAX_ORDINAL:
        return None
    return date.fromordinal(ordinal)


def leap(year: Z) -> Z:
    return z3.And(year % 4 == 0, z3.Or(year % 100 != 0, year % 400 == 0))


def last_day(year: Z, month: Z) -> Z:
    """The number of days in the month (calendar.monthrange(year, month)[1])."""
    thirty = z3.Or(month == 4, month == 6, month == 9, month == 11)
    return z3.If(month == 2, z3.If(leap(year), 29, 28), z3.If(thirty, 30, 31))


def ordinal_of(year: Z, month: Z, day: Z) -> Z:
    """date(year, month, day).toordinal() for a valid date."""
    y = year - 1
    before = z3.IntVal(0)
    for m in range(12, 1, -1):  # days in the months before `month`
        before = z3.If(month == m, _DAYS_BEFORE_MONTH[m - 1], before)
    extra = z3.If(z3.And(month > 2, leap(year)), 1, 0)
    return 365 * y + y / 4 - y / 100 + y / 400 + before + extra + day


def valid_parts(year: Z, month: Z, day: Z) -> Z:
    """Whether year-month-day is a calendar date in years 1..9999."""
    return z3.And(
        year >= 1, year <= 9999, month >= 1, month <= 12, day >= 1, day <= last_day(year, month)
    )


def in_range(ordinal: Z) -> Z:
    return z3.And(ordinal >= MIN_ORDINAL, ordinal <= MAX_ORDINAL)


def fresh_date(name: str, axioms: list[Z]) -> DateTerm:
    """A date variable: any calendar date in years 1..9999 (its parts are the variables)."""
    year, month, day = z3.Ints(f"{name}.y {name}.m {name}.d")
    axioms.append(valid_parts(year, month, day))
    return DateTerm(ordinal_of(year, month, day), year, month, day)


def from_ordinal(ordinal: Z, name: str, axioms: list[Z]) -> DateTerm:
    """The date with this ordinal; its parts are defined only when the ordinal is in range."""
    known = as_int(ordinal)
    if known is not None and MIN_ORDINAL <= known <= MAX_ORDINAL:
        return const_date(date.fromordinal(known))
    year, month, day = z3.Ints(f"{name}.y {name}.m {name}.d")
    axioms.append(
        z3.Implies(
            in_range(ordinal),
            z3.And(valid_parts(year, month, day), ordinal_of(year, month, day) == ordinal),
        )
    )
    return DateTerm(ordinal, year, month, day)


def shift_days(start: DateTerm, days: int) -> DateTerm:
    """The date `days` later (|days| <= 28: at most one month boundary is crossed), its parts
    from the start's without inverting an ordinal; meaningful when the ordinal is in range."""
    assert abs(days) <= 28
    day = start.day + days
    if days >= 0:
        last = last_day(start.year, start.month)
        over = day > last
        december = start.month == 12
        year = z3.If(z3.And(over, december), start.year + 1, start.year)
        month = z3.If(over, z3.If(december, 1, start.month + 1), start.month)
        return DateTerm(start.ordinal + days, year, month, z3.If(over, day - last, day))
    under = day < 1
    january = start.month == 1
    prev_year = z3.If(january, start.year - 1, start.year)
    prev_month = z3.If(january, 12, start.month - 1)
    year = z3.If(under, prev_year, start.year)
    month = z3.If(under, prev_month, start.month)
    return DateTerm(
        start.ordinal + days, year, month, z3.If(under, last_day(prev_year, prev_month) + day, day)
    )


def ite(cond: Z, a: DateTerm, b: DateTerm) -> DateTerm:
    return DateTerm(
        z3.If(cond, a.ordinal, b.ordinal),
        z3.If(cond, a.year, b.year),
        z3.If(cond, a.month, b.month),
        z3.If(cond, a.day, b.day),
    )


def _forward_months(start: DateTerm, end: DateTerm) -> Z:
    """Whole months from start to end when start <= end (periods.months_between)."""
    months = 12 * (end.year - start.year) + (end.month - start.month)
    short = z3.If(
        start.day < last_day(end.year, end.month), start.day, last_day(end.year, end.month)
    )
    return months - z3.If(short > end.day, 1, 0)


def months_between(start: DateTerm, end: DateTerm) -> Z:
    return z3.If(
        end.ordinal < start.ordinal, -_forward_months(end, start), _forward_months(start, end)
    )


def years_between(start: DateTerm, end: DateTerm) -> Z:
    months = months_between(start, end)
    return z3.If(months >= 0, months / 12, -((-months) / 12))


def add_months(start: DateTerm, months: Z) -> tuple[DateTerm, Z]:
    """The corresponding day `months` later, and whether the result falls outside 1..9999."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = index / 12, index % 12 + 1
    last = last_day(year, month)
    day = z3.If(start.day < last, start.day, last)
    out_of_range = z3.Or(year < 1, year > 9999)
    return DateTerm(ordinal_of(year, month, day), year, month, day), out_of_range
