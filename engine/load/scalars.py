"""Type unquoted YAML scalars the way an officer means them, refusing the YAML 1.1 traps.

In: the text of a plain (unquoted, untagged) scalar. Out: None, bool, int, Decimal, date or
str, or a `ScalarProblem` (a catalog key and arguments) when the text is ambiguous:
`yes`/`no`/`on`/`off`/`y`/`n` and capitalised booleans (L008), octal-, hex- and
base-60-looking numbers, `1_000`, `.inf` (L009), and dates that are not plain valid
YYYY-MM-DD (L010). Numbers with a fraction or an exponent become `Decimal` built from the
text itself, so `0.1` is exactly one tenth; a number out of the bounds of engine.numbers (a
thousand digits, `1e999999999`) is refused (L016).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from clause.engine.messages import msg
from clause.engine.numbers import NumberError, decimal_from_text, int_from_text


class ScalarProblem(Exception):
    """Why a plain scalar is refused: a catalog key (engine.messages) and its arguments."""

    def __init__(self, key: str, /, **args: object) -> None:
        super().__init__(str(msg(key, **args)))
        self.key, self.params = key, args


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YES_NO = frozenset({"yes", "no", "on", "off", "y", "n"})
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9:. +Zz-]*)?")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")
_RADIX = re.compile(r"[-+]?0[xXoObB][0-9a-fA-F_]*")
_GROUPED = re.compile(r"[-+]?[0-9][0-9_]*(?:(?::[0-5]?[0-9])+|_[0-9_]*)(?:\.[0-9_]*)?")
_SPECIAL = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar, or ScalarProblem for the YAML 1.1 traps and for
    numbers out of bounds (engine.numbers).

    >>> [resolve_plain(t) for t in ("true", "12", "0.5", "2021-08-16", "~", "500元")]
    [True, 12, Decimal('0.5'), datetime.date(2021, 8, 16), None, '500元']
    """
    if text in _NULLS:
        return None
    if text in ("true", "false"):
        return text == "true"
    _reject_booleans(text)
    try:
        if _INT.fullmatch(text):
            return int_from_text(text)
        _reject_numbers(text)
        if _DECIMAL.fullmatch(text):
            return decimal_from_text(text)
    except NumberError as err:
        raise ScalarProblem(err.reason.key, **dict(err.reason.args)) from None
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ScalarProblem("L010/invalid", text=text) from None
    if _DATE_LIKE.fullmatch(text):
        raise ScalarProblem("L010/form", text=text)
    return text


def _reject_booleans(text: str) -> None:
    if text.lower() in _YES_NO:
        raise ScalarProblem("L008/word", text=text)
    if text.lower() in ("true", "false"):
        raise ScalarProblem("L008/case", text=text, lower=text.lower())


def _reject_numbers(text: str) -> None:
    if _LEADING_ZERO.fullmatch(text):
        raise ScalarProblem("L009/octal", text=text)
    if _RADIX.fullmatch(text):
        raise ScalarProblem("L009/radix", text=text)
    if _GROUPED.fullmatch(text):
        raise ScalarProblem("L009/grouped", text=text)
    if _SPECIAL.fullmatch(text):
        raise ScalarProblem("L009/special", text=text)
