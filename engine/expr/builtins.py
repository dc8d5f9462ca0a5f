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
from clause.engine.messages import Both, Msg, Text, msg

#: A typing rule returns the result type, or (index of the bad argument, message).
TypingRule = Callable[[Sequence[Any]], "Any | tuple[int, Msg]"]


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    min_args: int
    max_args: int  # -1: any number
    typing: TypingRule
    impl: Callable[..., Any]
    doc: Text  # a label under the call: what the function does, in both languages


def _want(types: Sequence[Any], *wanted: Any) -> tuple[int, Msg] | None:
    for i, (got, want) in enumerate(zip(types, wanted, strict=False)):
        if got != ERROR and not compatible(got, want):
            return i, msg("T210/expected", want=str(want), found=str(got))
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
        return 0, msg("T210/extremum_list", found=str(types[0]))
    first = next((t for t in types if t != ERROR), ERROR)
    if first not in (NUMBER, DATE, ERROR):
        return types.index(first), msg("T210/extremum", found=str(first))
    for i, t in enumerate(types):
        if t != ERROR and t != first:
            return i, msg("T210/same", first=str(first), found=str(t))
    return first


def _round_typing(types: Sequence[Any]) -> Any:
    return _want(types, NUMBER, NUMBER) or NUMBER


def _list_of(item: Any, result: Any) -> TypingRule:
    def rule(types: Sequence[Any]) -> Any:
        t = types[0]
        if t == ERROR:
            return result
        if not isinstance(t, ListType):
            return 0, msg("T210/list", found=str(t))
        if item is not None and t.item is not None and not compatible(t.item, item):
            return 0, msg("T210/list_of", item=str(item), found=str(t))
        return result

    return rule


def _whole(value: Decimal, what: Text) -> int:
    if value != value.to_integral_value():
        raise EvalError("E303", msg("E303", what=what, value=value))
    if abs(value) > 1_000_000:
        raise EvalError("E304", msg("E304", what=what, value=value))
    return int(value)


def _min(*args: Any) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
    if not values:
        raise EvalError("E305", msg("E305/min"))
    return min(values)


def _max(*args: Any) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
    if not values:
        raise EvalError("E305", msg("E305/max"))
    return max(values)


def _round(value: Decimal, digits: Decimal = Decimal(0)) -> Decimal:
    """Half-up rounding (四舍五入) to `digits` decimal places."""
    places = _whole(digits, Both("round() digits", "round() 的位数"))
    if not 0 <= places <= 10:
        raise EvalError("E304", msg("E304/round", places=places))
    try:
        return value.quantize(Decimal(1).scaleb(-places), context=DECIMAL)
    except InvalidOperation:
        raise EvalError("E302", msg("E302/round")) from None


def _sum(values: tuple[Decimal, ...]) -> Decimal:
    total = Decimal(0)
    try:
        for v in values:
            total = DECIMAL.add(total, v)
    except DecimalException as exc:
        raise arith_error(exc, None) from None
    return total


_YEAR, _MONTH, _DAY = Both("year", "年"), Both("month", "月"), Both("day", "日")


def _date(year: Decimal, month: Decimal, day: Decimal) -> date:
    try:
        return date(_whole(year, _YEAR), _whole(month, _MONTH), _whole(day, _DAY))
    except ValueError:
        raise EvalError("E306", msg("E306", date=f"{year}-{month}-{day}")) from None


def _shift(fn: Callable[[date, int], date], what: Text) -> Callable[[date, Decimal], date]:
    def shifted(start: date, amount: Decimal) -> date:
        try:
            return fn(start, _whole(amount, what))
        except OverflowError:
            raise EvalError("E306", msg("E306/range")) from None

    return shifted


def _part(name: str) -> Callable[[date], Decimal]:
    def part(day: date) -> Decimal:
        return Decimal(getattr(day, name))

    return part


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin(
            "min",
            1,
            -1,
            _extremum,
            _min,
            Both(
                "smallest of numbers or dates, or of one list",
                "若干数字或日期（或一个列表）中的最小值",
            ),
        ),
        Builtin(
            "max",
            1,
            -1,
            _extremum,
            _max,
            Both(
                "largest of numbers or dates, or of one list",
                "若干数字或日期（或一个列表）中的最大值",
            ),
        ),
        Builtin("abs", 1, 1, _fixed(NUMBER, NUMBER), DECIMAL.abs, Both("absolute value", "绝对值")),
        Builtin(
            "round",
            1,
            2,
            _round_typing,
            _round,
            Both("round half up to N places (default 0)", "四舍五入到 N 位小数（默认 0 位）"),
        ),
        Builtin(
            "count",
            1,
            1,
            _list_of(None, NUMBER),
            lambda v: Decimal(len(v)),
            Both("list length", "列表的项数"),
        ),
        Builtin(
            "sum",
            1,
            1,
            _list_of(NUMBER, NUMBER),
            _sum,
            Both("sum of a list of numbers", "数字列表之和"),
        ),
        Builtin(
            "any",
            1,
            1,
            _list_of(BOOL, BOOL),
            lambda v: any(v),
            Both("true if any item is true", "任一项为真则为真"),
        ),
        Builtin(
            "all",
            1,
            1,
            _list_of(BOOL, BOOL),
            lambda v: all(v),
            Both("true if every item is", "每一项都为真则为真"),
        ),
        Builtin(
            "exists",
            1,
            1,
            lambda t: BOOL,
            lambda v: True,
            Both("true if the fact is given", "给出了该事实则为真"),
        ),
        Builtin(
            "months_between",
            2,
            2,
            _fixed(NUMBER, DATE, DATE),
            lambda a, b: Decimal(periods.months_between(a, b)),
            Both(
                "whole months from the first date to the second (民法典 第二百零二条)",
                "从第一个日期到第二个日期的整月数（民法典 第二百零二条）",
            ),
        ),
        Builtin(
            "years_between",
            2,
            2,
            _fixed(NUMBER, DATE, DATE),
            lambda a, b: Decimal(periods.years_between(a, b)),
            Both(
                "whole years from the first date to the second", "从第一个日期到第二个日期的整年数"
            ),
        ),
        Builtin(
            "days_between",
            2,
            2,
            _fixed(NUMBER, DATE, DATE),
            lambda a, b: Decimal(periods.days_between(a, b)),
            Both("days from the first date to the second", "从第一个日期到第二个日期的天数"),
        ),
        Builtin(
            "add_days",
            2,
            2,
            _fixed(DATE, DATE, NUMBER),
            _shift(periods.add_days, Both("days", "天数")),
            Both("the date N days later", "N 天后的日期"),
        ),
        Builtin(
            "add_months",
            2,
            2,
            _fixed(DATE, DATE, NUMBER),
            _shift(periods.add_months, Both("months", "月数")),
            Both(
                "the corresponding day N months later (month end if none)",
                "N 个月后的对应日（没有对应日则为月末）",
            ),
        ),
        Builtin(
            "add_years",
            2,
            2,
            _fixed(DATE, DATE, NUMBER),
            _shift(lambda d, n: periods.add_months(d, 12 * n), Both("years", "年数")),
            Both(
                "the corresponding day N years later (month end if none)",
                "N 年后的对应日（没有对应日则为月末）",
            ),
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
