"""Numbers in quotes: an amount or a condition must use the numbers its own quote states.

In: a built rule, its loaded file and the package's parameters. Out: R019 diagnostics, one per
number a quote states that the amount or condition it is attached to does not use: `max: 600`
under 「按每人不超过500元标准…」 is caught here, where the quote check (R003) is satisfied.

What is compared (docs/codes.md, R019):
- numbers in the quote with a unit: 元 and 万元 (money), 个月/月, 年, 天/日, 人/名, 岁, % and ％;
  digits (full-width too) or Chinese numerals (五百, 一千二, 两万). A year such as 2021年 is a
  date, not a number of years, and is skipped.
- an amount uses its money (fixed `value`, cap `max`, per_unit `rate`, or every value of the
  parameter it names), per_unit's `max_count`, and percentage's `percent`. Only the units the
  form deals in are compared: money for fixed, cap and parameter amounts; money and counts
  (months, years, days, people) for per_unit; percentages for percentage.
- a condition uses the number literals of its expression; a condition with none (the quote is
  context, e.g. 「正常经营1年以上的脱贫人口」 on `person.poverty_alleviated`) is not compared.
- units convert: N年 matches N or 12N (a period in months); N% matches N, N/100 (a fraction),
  100+N and 100-N ("提高20%" is `percent: 120`); 万元 multiplies by 10,000.

When the difference is intended, say why beside the quote: `differs_from_quote: <reason>` on the
condition or in the amount's form; the check then leaves that quote alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from clause.engine.diagnostics import Diagnostic
from clause.engine.expr import ast
from clause.engine.load.loader import Loaded
from clause.engine.model import Amount, Condition, Parameter, Rule

DIFFERS = "differs_from_quote"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_NUMERAL = r"(?:[0-9]+(?:\.[0-9]+)?|[零一二两三四五六七八九十百千万]+)"
_UNITS = {
    "万元": "money",
    "元": "money",
    "个月": "months",
    "月": "months",
    "年": "years",
    "天": "days",
    "日": "days",
    "人": "people",
    "名": "people",
    "岁": "age",
    "%": "percent",
    "％": "percent",
}
_QUOTED_NUMBER = re.compile(
    rf"({_NUMERAL})\s*(万元|元|个月|月|年|天|日|人|名|岁|%|％)(?![0-9零一二三四五六七八九十])"
)
_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_POWERS = {"十": 10, "百": 100, "千": 1000}

#: The kinds of number each amount form deals in.
_FORM_UNITS = {
    "fixed": {"money"},
    "cap": {"money"},
    "parameter": {"money"},
    "per_unit": {"money", "months", "years", "days", "people"},
    "percentage": {"percent"},
    "per_other_regulation": set(),
}


def chinese_number(text: str) -> Decimal | None:
    """The value of a Chinese numeral, or None when it is not one.

    >>> [str(chinese_number(t)) for t in ("五百", "一千二百", "两万", "十二")]
    ['500', '1200', '20000', '12']
    """
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _POWERS:
            section += (1 if digit is None else digit) * _POWERS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
        else:
            return None
    return Decimal(total + section + (digit or 0))


def quoted_numbers(quote: str) -> list[tuple[Decimal, str, str]]:
    """(value, kind, as written) for each number with a unit in a quote.

    >>> [(str(v), k, w) for v, k, w in quoted_numbers("按每人不超过500元标准，6个月")]
    [('500', 'money', '500元'), ('6', 'months', '6个月')]
    """
    out = []
    for match in _QUOTED_NUMBER.finditer(quote.translate(_FULL_WIDTH)):
        number, unit = match.groups()
        value = _number(number)
        if value is None:
            continue
        if unit == "年" and value >= 1900 and value == value.to_integral_value():
            continue  # 2021年: a year, not a number of years
        if unit == "万元":
            value *= 10_000
        out.append((value, _UNITS[unit], match.group()))
    return out


def _number(text: str) -> Decimal | None:
    if text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return chinese_number(text)


def _matches(value: Decimal, kind: str, used: set[Decimal]) -> bool:
    """Whether a quoted number of `kind` is among the numbers used, units converted."""
    candidates = {value}
    if kind == "years":
        candidates.add(value * 12)
    elif kind == "percent":
        candidates |= {value / 100, 100 + value, 100 - value}
    return any(c == u for c in candidates for u in used)


def check_quote_numbers(
    rule: Rule, loaded: Loaded, parameters: Mapping[str, Parameter]
) -> list[Diagnostic]:
    """R019 for every number a quote of `rule` states that its amount or condition ignores."""
    out: list[Diagnostic] = []
    for i, version in enumerate(rule.versions):
        base = f"/versions/{i}"
        amount = version.amount
        if amount is not None:
            pointer = f"{base}/amount/{amount.kind}"
            kinds = _FORM_UNITS.get(amount.kind, set())
            used = set(_amount_numbers(amount, parameters))
            out.extend(_compare(loaded, pointer, amount.quote, used, kinds, "amount"))
        for role, conditions in _conditions(version):
            for j, condition in enumerate(conditions):
                used = set(_literals(condition))
                if used:
                    pointer = f"{base}/{role}/{j}"
                    out.extend(_compare(loaded, pointer, condition.quote, used, None, "condition"))
    return out


def _conditions(version: Any) -> Iterator[tuple[str, tuple[Condition, ...]]]:
    yield "conditions", version.conditions
    yield "unless", version.unless
    yield "requires", version.requires


def _compare(
    loaded: Loaded,
    pointer: str,
    quote: str,
    used: set[Decimal],
    kinds: set[str] | None,
    what: str,
) -> Iterator[Diagnostic]:
    raw = loaded.value_at(pointer)
    if isinstance(raw, Mapping) and raw.get(DIFFERS):
        return
    shown = ", ".join(sorted(format(u.normalize(), "f") for u in used)) or "-"
    for value, kind, written in quoted_numbers(quote):
        if kinds is not None and kind not in kinds:
            continue
        if not _matches(value, kind, used):
            yield loaded.finding(
                f"R019/{what}", f"{pointer}/quote", written=written, used=shown, key=DIFFERS
            )


def _amount_numbers(amount: Amount, parameters: Mapping[str, Parameter]) -> Iterator[Decimal]:
    money = amount.value
    if money is not None and money.value is not None:
        yield money.value
    if money is not None and money.param is not None and money.param in parameters:
        for pv in parameters[money.param].values:
            if isinstance(pv.value, Decimal):
                yield pv.value
    if amount.max_count is not None:
        yield Decimal(amount.max_count)
    if amount.percent is not None:
        yield amount.percent


def _literals(condition: Condition) -> Iterator[Decimal]:
    for node in ast.walk(condition.expr.node):
        if isinstance(node, ast.Literal) and isinstance(node.value, Decimal):
            yield node.value
