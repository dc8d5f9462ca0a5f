"""Operations shared by both evaluators, so they cannot disagree on a value or an error.

Fact lookup (through arrays of objects), exact arithmetic with errors mapped to E codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, DecimalException, DivisionByZero, InvalidOperation, Overflow
from typing import Any

from clause.engine.expr.values import DECIMAL, EvalError, Unknown
from clause.engine.messages import msg
from clause.engine.source import Span

ARITH: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": DECIMAL.add,
    "-": DECIMAL.subtract,
    "*": DECIMAL.multiply,
    "/": DECIMAL.divide,
}


def arith_error(exc: DecimalException, span: Span | None) -> EvalError:
    """The E diagnostic for a failed decimal operation."""
    if isinstance(exc, DivisionByZero) or (
        isinstance(exc, InvalidOperation) and "division" in repr(exc.args).lower()
    ):
        return EvalError("E301", msg("E301"), span)
    if isinstance(exc, Overflow):
        return EvalError("E302", msg("E302"), span)
    return EvalError("E301", msg("E301"), span)


def arith(op: str, left: Decimal, right: Decimal, span: Span | None) -> Decimal:
    try:
        return ARITH[op](left, right)
    except DecimalException as exc:
        raise arith_error(exc, span) from None


def negate(value: Decimal, span: Span | None) -> Decimal:
    return DECIMAL.minus(value)


#: Where the decision core puts the outcome of a rule that an expression reads with
#: `outcome("id")`: in the parameters mapping, under a key no parameter id can have.
OUTCOME_PREFIX = "outcome:"


def outcome_path(rule_id: str) -> str:
    """How a read of `outcome("id")` is named in traces and unknown lists."""
    return f'outcome("{rule_id}")'


def read_outcome(params: Mapping[str, Any], rule_id: str) -> Any:
    """The outcome of rule `rule_id` as the decision core supplied it: its word, or an
    Unknown carrying the facts that would settle it; Unknown when none was supplied."""
    value = params.get(OUTCOME_PREFIX + rule_id)
    return Unknown(frozenset({outcome_path(rule_id)})) if value is None else value


def lookup_fact(facts: Mapping[str, Any], keys: tuple[str, ...], dotted: str) -> Any:
    """The value at `keys`, mapping over arrays of objects; Unknown when any part is missing.

    >>> lookup_fact({"p": {"grants": [{"kind": "a"}, {"kind": "b"}]}}, ("p", "grants", "kind"), "")
    ('a', 'b')
    """
    value: Any = facts
    for i, key in enumerate(keys):
        if isinstance(value, list | tuple):
            return _project(value, keys[i:], dotted)
        value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            return Unknown(frozenset((dotted,)))
    if isinstance(value, list):
        return tuple(value)
    return value


def _project(items: list[Any] | tuple[Any, ...], keys: tuple[str, ...], dotted: str) -> Any:
    out: list[Any] = []
    for item in items:
        got = lookup_fact(item, keys, dotted)
        if type(got) is Unknown:
            return got
        if isinstance(got, tuple):
            out.extend(got)
        else:
            out.append(got)
    return tuple(out)
