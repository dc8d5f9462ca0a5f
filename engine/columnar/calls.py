"""Built-in functions (engine.expr.builtins) as Polars expressions over known arguments.

In: the compiler, the call node and its compiled arguments. Out: a Col whose value is right
wherever every argument is known (the compiler nulls the rest). Periods follow engine.periods:
months count by the corresponding day of the final month, clamped to its last day (民法典
第二百零二条). Argument checks the reference makes (whole numbers, dates in years 1..9999,
non-empty lists) become risk conditions: such rows are decided on the record path.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from clause.engine.columnar.exprs import (
    Col,
    Compiler,
    Unsupported,
    align,
    whole_risk,
    year_risk,
)
from clause.engine.expr import ast


def _extremum(which: str) -> Callable[[Compiler, ast.Call, list[Col]], Col]:
    def call(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
        if len(args) == 1 and args[0].kind == "list":
            arg = args[0]
            c.risk(arg.value.list.len() == 0)
            value = arg.value.list.min() if which == "min" else arg.value.list.max()
            kind = arg.item
            return Col(value, None, kind, arg.scale if kind == "number" else 0, arg.bound)
        if args[0].kind == "number":
            args = align(*args)
        values = [a.value for a in args]
        value = pl.min_horizontal(values) if which == "min" else pl.max_horizontal(values)
        bound = max(a.bound for a in args)
        return Col(value, None, args[0].kind, args[0].scale, bound)

    return call


def _abs(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    a = args[0]
    return Col(a.value.abs(), None, "number", a.scale, a.bound)


def _round(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    a = args[0]
    places = 0
    if len(node.args) == 2:
        digits = node.args[1]
        if not isinstance(digits, ast.Literal) or args[1].scale != 0:
            raise Unsupported("round_digits")
        places = int(str(digits.value))
        if not 0 <= places <= 10:
            raise Unsupported("round_range")
    if places >= a.scale:
        return a
    step = 10 ** (a.scale - places)
    half = step // 2
    magnitude = (a.value.abs() + half) // step * step
    value = pl.when(a.value < 0).then(-magnitude).otherwise(magnitude)
    return Col(value, None, "number", a.scale, a.bound + step)


def _count(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    return Col(args[0].value.list.len().cast(pl.Int64), None, "number", 0, 10**9)


def _quantifier(which: str) -> Callable[[Compiler, ast.Call, list[Col]], Col]:
    def call(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
        values = args[0].value
        return Col(values.list.any() if which == "any" else values.list.all(), None, "bool")

    return call


def _sum(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    raise Unsupported("sum")


def months_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole months from start to end (negative when end is earlier), as periods.months_between."""
    lo = pl.min_horizontal(start, end)
    hi = pl.max_horizontal(start, end)
    months = (hi.dt.year().cast(pl.Int64) - lo.dt.year().cast(pl.Int64)) * 12 + (
        hi.dt.month().cast(pl.Int64) - lo.dt.month().cast(pl.Int64)
    )
    # add_months(lo, months) lands in hi's month on min(lo's day, that month's last day)
    landed = pl.min_horizontal(lo.dt.day(), hi.dt.month_end().dt.day()).cast(pl.Int64)
    months = months - (landed > hi.dt.day().cast(pl.Int64)).cast(pl.Int64)
    return pl.when(end < start).then(-months).otherwise(months)


def add_months(start: pl.Expr, months: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The corresponding day `months` later, clamped to the month's end; and the rows whose
    result leaves years 1..9999 (an error in the reference)."""
    index = start.dt.year().cast(pl.Int64) * 12 + start.dt.month().cast(pl.Int64) - 1 + months
    year = index // 12
    month = index % 12 + 1
    risk = (year < 1) | (year > 9999)
    safe_year = year.clip(1, 9999)
    first = pl.date(safe_year, month, 1)
    day = pl.min_horizontal(start.dt.day().cast(pl.Int64), first.dt.month_end().dt.day())
    return pl.date(safe_year, month, day), risk


def _whole(c: Compiler, col: Col, limit: int = 1_000_000) -> pl.Expr:
    c.risk(whole_risk(col, limit))
    whole: pl.Expr = col.value // 10**col.scale
    return whole


def _months_between(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    return Col(months_between(args[0].value, args[1].value), None, "number", 0, 10**6)


def _years_between(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    months = months_between(args[0].value, args[1].value)
    years = pl.when(months >= 0).then(months // 12).otherwise(-((-months) // 12))
    return Col(years, None, "number", 0, 10**5)


def _days_between(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    days = (args[1].value - args[0].value).dt.total_days().cast(pl.Int64)
    return Col(days, None, "number", 0, 4 * 10**6)


def _add_days(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    days = _whole(c, args[1])
    value = args[0].value + pl.duration(days=days)
    c.risk(year_risk(value))
    return Col(value, None, "date")


def _add_months(factor: int) -> Callable[[Compiler, ast.Call, list[Col]], Col]:
    def call(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
        months = _whole(c, args[1]) * factor
        value, risk = add_months(args[0].value, months)
        c.risk(risk)
        return Col(value, None, "date")

    return call


def _date(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
    year, month, day = (_whole(c, a) for a in args)
    month_ok = (month >= 1) & (month <= 12)
    safe_year, safe_month = year.clip(1, 9999), month.clip(1, 12)
    last = pl.date(safe_year, safe_month, 1).dt.month_end().dt.day()
    valid = (year >= 1) & (year <= 9999) & month_ok & (day >= 1) & (day <= last)
    c.risk(~valid)
    return Col(pl.date(safe_year, safe_month, day.clip(1, last)), None, "date")


def _part(name: str) -> Callable[[Compiler, ast.Call, list[Col]], Col]:
    """year(), month(), day(): a part of a date, a whole number."""

    def call(c: Compiler, node: ast.Call, args: list[Col]) -> Col:
        value = getattr(args[0].value.dt, name)().cast(pl.Int64)
        return Col(value, None, "number", 0, 9999)

    return call


CALLS: dict[str, Callable[[Compiler, ast.Call, list[Col]], Col]] = {
    "min": _extremum("min"),
    "max": _extremum("max"),
    "abs": _abs,
    "round": _round,
    "count": _count,
    "sum": _sum,
    "any": _quantifier("any"),
    "all": _quantifier("all"),
    "months_between": _months_between,
    "years_between": _years_between,
    "days_between": _days_between,
    "add_days": _add_days,
    "add_months": _add_months(1),
    "add_years": _add_months(12),
    "date": _date,
    "year": _part("year"),
    "month": _part("month"),
    "day": _part("day"),
}
