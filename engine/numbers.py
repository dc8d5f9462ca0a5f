"""Numbers read from data: exact decimals within bounds, refused before anything costly is done.

In: the text of a number (a YAML scalar, a JSON token, a CSV cell) or a number already parsed
(an int, a float, a Decimal). Out: the Decimal (or int), or `NumberError` with a message in both
languages. Every reader converts through here, so no file can make `clause` compute with a
number of a billion digits: printing `1e999999999` in full, or `int()` of it, never ends.

The bounds (docs/codes.md, L016): at most MAX_TEXT characters of text, at most MAX_DIGITS
significant digits (the precision every computation uses, so an accepted number is exact), and
a size within 10^-MAX_EXPONENT .. 10^(MAX_EXPONENT+1), zero written with a small exponent too.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from clause.engine.messages import Msg, msg

MAX_TEXT = 100
MAX_DIGITS = 34
MAX_EXPONENT = 34
_RANGE = {"low": -MAX_EXPONENT, "high": MAX_EXPONENT + 1}
_MAX_BITS = 113  # 2**113 > 10**34: wider ints are refused without being turned into text


class NumberError(ValueError):
    """A number outside the bounds; `reason` says why, in both languages."""

    def __init__(self, reason: Msg) -> None:
        super().__init__(str(reason))
        self.reason = reason


def shown(text: str) -> str | Msg:
    """A number's text for a message: long ones cut, with their length.

    >>> str(shown("1" * 200))
    '11111111111111111111… (200 characters)'
    """
    return text if len(text) <= 40 else msg("hint.cut", head=text[:20], length=f"{len(text):,}")


def checked(value: Decimal, text: str | None = None) -> Decimal:
    """`value` when it is finite and within the bounds; NumberError otherwise.

    >>> checked(Decimal("500.00"))
    Decimal('500.00')
    >>> checked(Decimal("1e999999999")).reason.key
    Traceback (most recent call last):
    ...
    clause.engine.numbers.NumberError: number `1E+999999999` is out of range: ...
    """
    if not value.is_finite():
        raise NumberError(msg("L016/special", number=shown(text or str(value))))
    digits = len(value.as_tuple().digits)
    if digits > MAX_DIGITS:
        raise NumberError(
            msg("L016/digits", number=shown(text or str(value)), digits=digits, max=MAX_DIGITS)
        )
    if not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise NumberError(msg("L016/size", number=shown(text or str(value)), **_RANGE))
    return value


def decimal_from_text(text: str) -> Decimal:
    """An exact decimal from its text (already known to look like a number).

    >>> decimal_from_text("0.1")
    Decimal('0.1')
    """
    if len(text) > MAX_TEXT:
        raise NumberError(msg("L016/long", number=shown(text), max=MAX_TEXT))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise NumberError(msg("L016/special", number=shown(text))) from None
    return checked(value, text)


def int_from_text(text: str) -> int:
    """A whole number from its digits; never meets Python's 4,300-digit conversion limit."""
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise NumberError(
            msg("L016/digits", number=shown(text), digits=len(text.lstrip("+-")), max=MAX_DIGITS)
        )
    return int(text)


def checked_int(value: int) -> int:
    """A whole number within the bounds (checked by bit length first: cheap for any size)."""
    if value.bit_length() > _MAX_BITS:
        number = str(value) if value.bit_length() <= 400 else f"{value.bit_length():,} bits"
        raise NumberError(msg("L016/size", number=shown(number), **_RANGE))
    checked(Decimal(value))
    return value


def decimal_of(value: object) -> Decimal | None:
    """An exact decimal from an int, float (through its shortest text), Decimal or numeric
    text; None when `value` is not a number; NumberError when it is one out of bounds.

    A Decimal is taken as given (only NaN and infinities are refused): every reader of text
    already bounded it, and a Python caller may hand in any exact value it means.

    >>> decimal_of(0.1), decimal_of("500"), decimal_of(True), decimal_of("abc")
    (Decimal('0.1'), Decimal('500'), None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(checked_int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return checked(Decimal(repr(value)))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise NumberError(msg("L016/long", number=shown(text), max=MAX_TEXT))
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            return None
        return checked(parsed, text) if parsed.is_finite() else None
    return None
