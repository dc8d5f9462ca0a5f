"""Type unquoted YAML scalars the way an officer means them, refusing the YAML 1.1 traps.

In: the text of a plain (unquoted, untagged) scalar. Out: None, bool, int, Decimal, date or
str, or a `ScalarProblem` (code, message, help) when the text is ambiguous: `yes`/`no`/`on`/`off`
/`y`/`n` and capitalised booleans (L008), octal-, hex- and base-60-looking numbers, `1_000`,
`.inf` (L009), and dates that are not plain valid YYYY-MM-DD (L010). Numbers with a fraction or
an exponent become `Decimal` built from the text itself, so `0.1` is exactly one tenth.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any


class ScalarProblem(Exception):
    """Why a plain scalar is refused: a stable L code, a message and a hint."""

    def __init__(self, code: str, message: str, help: str) -> None:
        super().__init__(message)
        self.code, self.message, self.help = code, message, help


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
    """The value of an unquoted scalar, or ScalarProblem for the YAML 1.1 traps.

    >>> [resolve_plain(t) for t in ("true", "12", "0.5", "2021-08-16", "~", "500元")]
    [True, 12, Decimal('0.5'), datetime.date(2021, 8, 16), None, '500元']
    """
    if text in _NULLS:
        return None
    if text in ("true", "false"):
        return text == "true"
    _reject_booleans(text)
    if _INT.fullmatch(text):
        return int(text)
    _reject_numbers(text)
    if _DECIMAL.fullmatch(text):
        return Decimal(text)
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ScalarProblem(
                "L010",
                f"`{text}` is not a valid date",
                "dates are written YYYY-MM-DD, e.g. 2021-08-16",
            ) from None
    if _DATE_LIKE.fullmatch(text):
        raise ScalarProblem(
            "L010",
            f"`{text}` is not a plain YYYY-MM-DD date",
            "write the date alone as YYYY-MM-DD (e.g. 2021-08-16), or quote it if it is text",
        )
    return text


def _reject_booleans(text: str) -> None:
    if text.lower() in _YES_NO:
        raise ScalarProblem(
            "L008",
            f"`{text}` is not a boolean here",
            f"write true or false for a yes/no value, or quote it ('{text}') if you mean the text",
        )
    if text.lower() in ("true", "false"):
        raise ScalarProblem(
            "L008",
            f"`{text}` is not a boolean here: booleans are lower case",
            f"write {text.lower()}, or quote it ('{text}') if you mean the text",
        )


def _reject_numbers(text: str) -> None:
    if _LEADING_ZERO.fullmatch(text):
        raise ScalarProblem(
            "L009",
            f"`{text}` looks like an octal number",
            f"write the decimal number without leading zeros, or quote it "
            f"('{text}') if it is a code such as a postcode or an ID",
        )
    if _RADIX.fullmatch(text):
        raise ScalarProblem(
            "L009",
            f"`{text}` is a hexadecimal, octal or binary number",
            f"write the decimal number, or quote it ('{text}') if it is text",
        )
    if _GROUPED.fullmatch(text):
        raise ScalarProblem(
            "L009",
            f"`{text}` would be read as a number in an old YAML form",
            f"write the number without `_` or `:`, or quote it ('{text}') if it is text",
        )
    if _SPECIAL.fullmatch(text):
        raise ScalarProblem(
            "L009",
            f"`{text}` is not a number a policy can use",
            "write a decimal number, or quote it if it is text",
        )
