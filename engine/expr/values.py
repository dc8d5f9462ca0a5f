"""Runtime values: the Unknown marker, the exact decimal context, and value display.

Values are bool, Decimal, str, datetime.date, tuple (lists), or Unknown. Unknown carries the
fact paths whose absence made it unknown, so the evaluator can say which facts would settle it.
"""

from __future__ import annotations

from datetime import date
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

from clause.engine.diagnostics import Diagnostic
from clause.engine.messages import Text
from clause.engine.source import Span

#: Every arithmetic operation goes through this context: 34 significant digits, half-up
#: rounding (四舍五入), and errors instead of infinities or NaNs.
DECIMAL = Context(
    prec=34,
    rounding=ROUND_HALF_UP,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


class Unknown:
    """A value that could not be determined because facts were missing.

    >>> Unknown(frozenset({"person.age"}))
    Unknown(['person.age'])
    """

    __slots__ = ("paths",)

    def __init__(self, paths: frozenset[str]) -> None:
        self.paths = paths

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.paths == self.paths

    def __hash__(self) -> int:
        return hash(self.paths)

    def __repr__(self) -> str:
        return f"Unknown({sorted(self.paths)})"


def merge_unknown(*values: object) -> Unknown:
    """One Unknown holding the paths of every Unknown among `values`."""
    paths: set[str] = set()
    for v in values:
        if type(v) is Unknown:
            paths |= v.paths
    return Unknown(frozenset(paths))


class EvalError(Exception):
    """A runtime error in an expression (division by zero, a date out of range…), with its span.
    `reason` is the message in both languages (engine.messages), `message` its English text."""

    def __init__(self, code: str, message: Text, span: Span | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.reason = message
        self.message = str(message)
        self.span = span

    def diagnostic(self) -> Diagnostic:
        """The error as a finding, at its span (or the start of the expression)."""
        span = self.span or Span("<expr>", 1, 1, 1, 1)
        return Diagnostic.make(self.code, self.reason, span)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EvalError) and (other.code, other.message) == (
            self.code,
            self.message,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.message))


def show_value(value: object) -> str:
    """Text for a value as an officer would write it back in the language.

    >>> show_value(Decimal("1.50")), show_value(True), show_value(("a", Decimal(2)))
    ('1.50', 'true', '["a", 2]')
    """
    if type(value) is Unknown:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return repr(value)


def json_value(value: object) -> object:
    """A JSON-ready form: decimals and dates as strings, unknown as None."""
    if value is None or type(value) is Unknown:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    return str(value)
