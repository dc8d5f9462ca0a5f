"""Parameters and windows in the solver: `library.params_on(day, locality)` as formulas.

In: a parameter id and type, the (symbolic) effective date and the subject's locality. Out:
the parameter's term — a locality's own value first, then the general one, each the first in
force on the day; unknown when no value is configured — and `within`, a day inside a window.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.space import const_value, kind_of
from clause.engine.analysis.terms import (
    NUMBER,
    STRING,
    Digits,
    Term,
    Unsupported,
    Z,
    conj,
    false,
    ite,
)
from clause.engine.expr.types import BOOL as T_BOOL
from clause.engine.expr.types import DATE as T_DATE
from clause.engine.messages import msg
from clause.engine.model import Window


def within(window: Window, day: dates.DateTerm) -> Z:
    parts = []
    if window.start is not None:
        parts.append(day.ordinal >= window.start.toordinal())
    if window.end is not None:
        parts.append(day.ordinal <= window.end.toordinal())
    return conj(*parts)


def missing_param(t: Any) -> Term:
    kind = kind_of(t)
    placeholder = {"bool": false(), "number": z3.RealVal(0), "string": z3.IntVal(0)}
    if kind not in placeholder:
        raise Unsupported(msg("what.solver.param_in_date", type=str(t)))
    return Term(kind, placeholder[kind], false(), false(), True, Digits(1, 0))


def parameter(situation: Any, pid: str, t: Any, day: dates.DateTerm, locality: Term | None) -> Term:
    """library.params_on(effective date, locality)[pid]: a locality's own value first, then
    the general one, each the first in force on the day; missing when not configured."""
    param = situation.library.parameters.get(pid)
    kind = kind_of(t)
    if t in (T_DATE, T_BOOL) or kind not in (NUMBER, STRING) or param is None:
        raise Unsupported(msg("what.solver.param_type", param=pid, type=str(t)))
    strings = situation.space.strings
    known, value, digits = false(), missing_param(t).value, Digits(1, 0)
    general = [pv for pv in param.values if pv.locality is None]
    specific = [pv for pv in param.values if pv.locality is not None]
    for pv in reversed(general):
        applies = within(pv.window, day)
        known, value = (
            ite(applies, z3.BoolVal(pv.value is not None), known),
            ite(applies, _param_value(kind, pv.value, strings, value), value),
        )
        digits = _digits(pv.value, digits)
    for pv in reversed(specific):
        if locality is None:
            break
        place = z3.IntVal(strings.id(str(pv.locality)))
        applies = conj(within(pv.window, day), locality.known, locality.value == place)
        known, value = (
            ite(applies, z3.BoolVal(pv.value is not None), known),
            ite(applies, _param_value(kind, pv.value, strings, value), value),
        )
        digits = _digits(pv.value, digits)
    return Term(kind, value, known, false(), True, digits)


def _param_value(kind: str, raw: Any, strings: Any, fallback: Z) -> Z:
    if raw is None:
        return fallback
    if (kind == NUMBER) != (not isinstance(raw, str)):
        raise Unsupported(msg("what.solver.param_value", value=repr(raw)))
    return const_value(kind, raw, strings)


def _digits(raw: Any, digits: Digits) -> Digits:
    return digits.join(Digits.of(raw)) if isinstance(raw, Decimal) else digits
