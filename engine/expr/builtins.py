"""The function table: name, arity, typing rule and implementation, shared by every backend.

Implementations receive known values only; both evaluators turn an unknown argument into an
unknown result before calling them. `exists` and `outcome` are special forms handled by the
evaluators (and `outcome` typed by the checker, from the rules of the library).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, DecimalException, InvalidOperation
from typing import Any

from clause.engine import periods
from clause.engine.expr.runtime import arith_error
from clause.engine.expr.types import BOOL, DATE, ERROR, NUMBER, ListType, compatible
from clause.engine.expr.values import DECIMAL, EvalError

#: A typing rule returns the result type, or (index of the bad argument, message).
TypingRule = Callable[[Sequence[Any]], "Any | tuple[int, str]"]


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    min_args: int
    max_args: int  # -1: any number
    typing: TypingRule
    impl: Callable[..., Any]
    doc: str


def _want(types: Sequence[Any], *wanted: Any) -> tuple[int, str] | None:
    for i, (got, want) in enumerate(zip(types, wanted, strict=False)):
        if got != ERROR and not compatible(got, want):
            return i, f"expected {want}, found {got}"
    return None


def _fixed(result: Any, *params: Any) -> TypingRule:
    def rule(types: Sequence[Any]) -> Any:
        return _want(types, *params) or result

    return rule


def _extremum(types: Sequence[Any]) -> Any:
    """min/max: several numbers or dates of one type, or a single list of them."""
    if len(types) == 1 and isinstance(types[0], ListType):
        item = types[0].item
        if item is None or item in (NUMBER, DATE, ERROR):
            return item if item is not None else NUMBER
        return 0, f"expected a list of numbers or dates, found {types[0]}"
    first = next((t for t in types if t != ERROR), ERROR)
    if first not in (NUMBER, DATE, ERROR):
        return types.index(first), f"expected a number or a date, found {first}"
    for i, t in enumerate(types):
        if t != ERROR and t != first:
            return i, f"all arguments must have the same type: expected {first}, found {t}"
    return first


def _round_typing(types: Sequence[Any]) -> Any:
    return _want(types, NUMBER, NUMBER) or NUMBER


def _list_of(item: Any, result: Any) -> TypingRule:
    def rule(types: Sequence[Any]) -> Any:
        t = types[0]
        if t == ERROR:
            return result
        if not isinstance(t, ListType):
            return 0, f"expected a list, found {t}"
        if item is not None and t.item is not None and not compatible(t.item, item):
            return 0, f"expected a list of {item}, found {t}"
        return result

    return rule


def _whole(value: Decimal, what: str) -> int:
    if value != value.to_integral_value():
        raise EvalError("E303", f"{what} must be a whole number, got {value}")
    if abs(value) > 1_000_000:
        raise EvalError("E304", f"{what} out of range: {value}")
    return int(value)


def _min(*args: Any) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
    if not values:
        raise EvalError("E305", "min() of an empty list")
    return min(values)


def _max(*args: Any) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
    if not values:
        raise EvalError("E305", "max() of an empty list")
    return max(values)


def _round(value: Decimal, digits: Decimal = Decimal(0)) -> Decimal:
    """Half-up rounding (四舍五入) to `digits` decimal places."""
    places = _whole(digits, "round() digits")
    if not 0 <= places <= 10:
        raise EvalError("E304", f"round() digits must be between 0 and 10, got {places}")
    try:
        return value.quantize(Decimal(1).scaleb(-places), context=DECIMAL)
    except InvalidOperation:
        raise EvalError("E302", "number too large to round") from None


def _sum(values: tuple[Decimal, ...]) -> Decimal:
    total = Decimal(0)
    try:
        for v in values:
            total = DECIMAL.add(total, v)
    except DecimalException as exc:
        raise arith_error(exc, None) from None
    return total


def _date(year: Decimal, month: Decimal, day: Decimal) -> date:
    try:
        return date(_whole(year, "year"), _whole(month, "month"), _whole(day, "day"))
    except ValueError:
        raise EvalError("E306", f"{year}-{month}-{day} is not a calendar date") from None


def _shift(fn: Callable[[date, int], date], what: str) -> Callable[[date, Decimal], date]:
    def shifted(start: date, amount: Decimal) -> date:
        try:
            return fn(start, _whole(amount, what))
        except OverflowError:
            raise EvalError("E306", "date out of range (years 1 to 9999)") from None

    return shifted


def _part(name: str) -> Callable[[date], Decimal]:
    def part(day: date) -> Decimal:
        return Decimal(getattr(day, name))

    return part


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin("min", 1, -1, _extremum, _min, "smallest of numbers or dates, or of one list"),
        Builtin("max", 1, -1, _extremum, _max, "largest of numbers or dates, or of one list"),
        Builtin("abs", 1, 1, _fixed(NUMBER, NUMBER), DECIMAL.abs, "absolute value"),
        Builtin("round", 1, 2, _round_typing, _round, "round half up to N places (default 0)"),
        Builtin("count", 1, 1, _list_of(None, NUMBER), lambda v: Decimal(len(v)), "list length"),
        Builtin("sum", 1, 1, _list_of(NUMBER, NUMBER), _sum, "sum of a list of numbers"),
        Builtin("any", 1, 1, _list_of(BOOL, BOOL), lambda v: any(v), "true if any item is true"),
        Builtin("all", 1, 1, _list_of(BOOL, BOOL), lambda v: all(v), "true if every item is"),
        Builtin("exists", 1, 1, lambda t: BOOL, lambda v: True, "true if the fact is given"),
        Builtin(
            "months_between",
            2,
            2,
            _fixed(NUMBER, DATE, DATE),
            lambda a, b: Decimal(periods.months_between(a, b)),
            "whole months from the first date to the second (民法典 第二百零二条)",
        ),
        Builtin(
            "years_between",
            2,
            2,
            _fixed(NUMBER, DATE, DATE),
            lambda a, b: Decimal(periods.years_between(a, b)),
            "whole years from the first date to the second",
        ),
        Builtin(
            "days_between",
            2,
            2,
            _fixed(NUMBER, DATE, DATE),
            lambda a, b: Decimal(periods.days_between(a, b)),
            "days from the first date to the second",
        ),
        Builtin(
            "add_days",
            2,
            2,
            _fixed(DATE, DATE, NUMBER),
            _shift(periods.add_days, "days"),
            "the date N days later",
        ),
        Builtin(
            "add_months",
            2,
            2,
            _fixed(DATE, DATE, NUMBER),
            _shift(periods.add_months, "months"),
            "the corresponding day N months later (month end if none)",
        ),
        Builtin(
            "add_years",
            2,
            2,
            _fixed(DATE, DATE, NUMBER),
            _shift(lambda d, n: periods.add_months(d, 12 * n), "years"),
            "the corresponding day N years later (month end if none)",
        ),
        Builtin(
            "date", 3, 3, _fixed(DATE, NUMBER, NUMBER, NUMBER), _date, "date(year, month, day)"
        ),
        Builtin("year", 1, 1, _fixed(NUMBER, DATE), _part("year"), "the year of a date (当年)"),
        Builtin("month", 1, 1, _fixed(NUMBER, DATE), _part("month"), "the month of a date, 1-12"),
        Builtin("day", 1, 1, _fixed(NUMBER, DATE), _part("day"), "the day of the month, 1-31"),
        Builtin(
            "outcome",
            1,
            1,
            lambda t: ERROR,  # typed by the checker from the library's rules
            lambda v: v,
            'another rule\'s outcome: outcome("rule-id") == "eligible"',
        ),
    )
}
