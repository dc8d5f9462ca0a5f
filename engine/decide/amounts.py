"""Amounts: a rule version's amount form, the parameters in force and the facts in; a sum out.

One function per form of the rule file (`fixed`, `parameter`, `cap`, `floor`, `per_unit`,
`percentage`, `computed`, `per_other_regulation`), registered in FORMS. A new form is a
function here, a branch of the rule schema, a builder in engine.load.rules and a row in the
officers' guide. Sums are exact
decimals rounded half up to 0.01 yuan (分); a parameter with no value yields "not configured",
never an invented number. The computation text is made only when a trace is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from clause.engine.decide.reasons import Reason, ReasonCode
from clause.engine.decide.results import AmountResult
from clause.engine.expr.values import DECIMAL, show_value
from clause.engine.model import Amount, Expr, Money

CENT = Decimal("0.01")
ZERO = Decimal(0)

#: Evaluates an expression of the amount (the claim, the count, the base) with the parameters.
Evaluate = Callable[[Expr, Mapping[str, Any]], Any]


def cents(value: Decimal) -> Decimal:
    """Round half up to 0.01 yuan (分).

    >>> cents(Decimal("2.345")), cents(Decimal("-0"))
    (Decimal('2.35'), Decimal('0.00'))
    """
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP, context=DECIMAL)
    return rounded if rounded else abs(rounded)  # never "-0.00"


def amount_of(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """The amount a version pays, in its form."""
    return FORMS[amount.kind](amount, params, evaluate, trace)


def _money(money: Money | None, params: Mapping[str, Any]) -> Decimal | None:
    """A literal, or a parameter's value (at `percent` % of it when given); None: no value."""
    if money is None:
        return None
    if money.value is not None:
        return money.value
    value = params.get(money.param or "")
    if not isinstance(value, Decimal):
        return None
    if money.percent is None:
        return value
    return DECIMAL.divide(DECIMAL.multiply(value, money.percent), Decimal(100))


def _shown(money: Money | None, value: Decimal | None) -> str:
    if money is None:
        return ""
    if money.value is not None:
        return show_value(money.value)
    known = show_value(value) if value is not None else "?"
    if money.percent is not None:
        return f"param.{money.param} × {show_value(money.percent)}% = {known}"
    return f"param.{money.param} = {known}"


def _param(amount: Amount) -> str | None:
    return amount.value.param if amount.value else None


def _text(expr: Expr | None) -> str:
    return expr.text if expr is not None else ""


def _not_configured(amount: Amount, computation: str) -> AmountResult:
    """An amount whose parameter has no value for the date or locality: say so."""
    param = _param(amount)
    note = Reason.of(ReasonCode.NOT_CONFIGURED, param=param)
    return AmountResult(amount.kind, None, amount.quote, computation, None, param, False, note)


def _fixed(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """`fixed` (a literal sum) and `parameter` (a sum set by a parameter)."""
    value = _money(amount.value, params)
    shown = _shown(amount.value, value) if trace else ""
    if value is None:
        return _not_configured(amount, shown)
    return AmountResult(amount.kind, cents(value), amount.quote, shown, param=_param(amount))


def _cap(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """不超过: the claim, at most the cap; "up to the cap" when the claim is unknown."""
    cap = _money(amount.value, params)
    shown = _shown(amount.value, cap) if trace else ""
    claim_text = _text(amount.claimed)
    if cap is None:
        return _not_configured(amount, f"min({claim_text or '?'}, {shown})" if trace else "")
    claimed = evaluate(amount.claimed, params) if amount.claimed else None
    if not isinstance(claimed, Decimal):
        computation = f"min({claim_text} = ?, {shown})" if trace else ""
        note = Reason.of(ReasonCode.CLAIM_UNKNOWN, cap=show_value(cents(cap)))
        return AmountResult(
            "cap", None, amount.quote, computation, cents(cap), _param(amount), note=note
        )
    computation = f"min({claim_text} = {show_value(claimed)}, {shown})" if trace else ""
    paid = cents(max(min(claimed, cap), ZERO))
    return AmountResult("cap", paid, amount.quote, computation, cents(cap), _param(amount))


def _floor(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """不低于: the claimed or set amount, at least the floor; "at least the floor" when the
    claim is unknown (then nothing is known but the least that is due)."""
    floor = _money(amount.value, params)
    shown = _shown(amount.value, floor) if trace else ""
    claim_text = _text(amount.claimed)
    if floor is None:
        return _not_configured(amount, f"max({claim_text or '?'}, {shown})" if trace else "")
    claimed = evaluate(amount.claimed, params) if amount.claimed else None
    if not isinstance(claimed, Decimal):
        computation = f"max({claim_text} = ?, {shown})" if trace else ""
        note = Reason.of(ReasonCode.CLAIM_UNKNOWN_FLOOR, floor=show_value(cents(floor)))
        return AmountResult(
            "floor",
            None,
            amount.quote,
            computation,
            None,
            _param(amount),
            floor=cents(floor),
            note=note,
        )
    computation = f"max({claim_text} = {show_value(claimed)}, {shown})" if trace else ""
    paid = cents(max(claimed, floor, ZERO))
    return AmountResult("floor", paid, amount.quote, computation, param=_param(amount))


def _computed(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """An amount an expression computes from the facts (a standard set locally, say)."""
    value = evaluate(amount.claimed, params) if amount.claimed else None
    text = _text(amount.claimed)
    if not isinstance(value, Decimal):
        note = Reason(ReasonCode.VALUE_UNKNOWN)
        return AmountResult(
            "computed", None, amount.quote, f"{text} = ?" if trace else "", note=note
        )
    computation = f"{text} = {show_value(value)}" if trace else ""
    return AmountResult("computed", cents(max(value, ZERO)), amount.quote, computation)


def _per_unit(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """A rate × a number of units (months, people…), at most `max_count` units."""
    rate = _money(amount.value, params)
    shown = _shown(amount.value, rate) if trace else ""
    count_text = _text(amount.count) or amount.unit or "unit"
    if rate is None:
        return _not_configured(amount, f"{shown} × {count_text}" if trace else "")
    count = evaluate(amount.count, params) if amount.count else None
    top = Decimal(amount.max_count) if amount.max_count else None
    if not isinstance(count, Decimal):
        cap = cents(DECIMAL.multiply(rate, top)) if top is not None else None
        computation = f"{shown} × ({count_text} = ?)" if trace else ""
        note = Reason(ReasonCode.COUNT_UNKNOWN)
        return AmountResult(
            "per_unit", None, amount.quote, computation, cap, _param(amount), note=note
        )
    used = min(count, top) if top is not None else count
    limit = f", {amount.max_count}" if amount.max_count else ""
    computation = (
        f"{shown} × min({_text(amount.count)} = {show_value(count)}{limit})" if trace else ""
    )
    paid = cents(DECIMAL.multiply(rate, max(used, ZERO)))
    return AmountResult("per_unit", paid, amount.quote, computation, param=_param(amount))


def _percentage(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """A percentage of another amount (the base, an expression)."""
    base = evaluate(amount.of, params) if amount.of else None
    percent = amount.percent or ZERO
    base_text = _text(amount.of)
    if not isinstance(base, Decimal):
        computation = f"({base_text} = ?) × {show_value(percent)}%" if trace else ""
        note = Reason(ReasonCode.BASE_UNKNOWN)
        return AmountResult("percentage", None, amount.quote, computation, note=note)
    value = DECIMAL.divide(DECIMAL.multiply(base, percent), Decimal(100))
    computation = f"{base_text} = {show_value(base)} × {show_value(percent)}%" if trace else ""
    return AmountResult("percentage", cents(value), amount.quote, computation)


def _per_other_regulation(
    amount: Amount, params: Mapping[str, Any], evaluate: Evaluate, trace: bool
) -> AmountResult:
    """按规定: the sum is set by another regulation; paid only when a parameter configures it."""
    value = _money(amount.value, params)
    shown = _shown(amount.value, value) if trace else ""
    param = _param(amount)
    if value is not None:
        return AmountResult("per_other_regulation", cents(value), amount.quote, shown, param=param)
    note = Reason.of(ReasonCode.PER_OTHER_REGULATION, who=amount.refers_to or "", param=param or "")
    return AmountResult("per_other_regulation", None, amount.quote, shown, None, param, False, note)


Form = Callable[[Amount, Mapping[str, Any], Evaluate, bool], AmountResult]

#: Amount forms by the name used in rule files.
FORMS: dict[str, Form] = {
    "fixed": _fixed,
    "parameter": _fixed,
    "cap": _cap,
    "floor": _floor,
    "per_unit": _per_unit,
    "percentage": _percentage,
    "computed": _computed,
    "per_other_regulation": _per_other_regulation,
}
