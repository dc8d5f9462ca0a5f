"""Grant history in the solver: whether a `once` limit was reached, as engine/decide/grants.py
decides it, three-valued.

In: a version's `once` limits (programmes, and a period: ever, per calendar year, per N months,
within fixed dates), the subject's grant records as solver columns, the decision date and the
effective date. Out: (granted, unknown) formulas: some limit holds a counted grant; or none
does and the history leaves it open (no history at all, a record without its programme, or a
counted record without the date a period needs). Grants dated after the decision date never
count. A limit reached makes the benefit ineligible; an open one, undetermined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.params import within
from clause.engine.analysis.terms import STRING, Unsupported, Z, below, conj, disj, false, neg
from clause.engine.expr.types import DATE as T_DATE
from clause.engine.messages import msg
from clause.engine.model import Period, Rule, Version

if TYPE_CHECKING:
    from clause.engine.analysis.space import FactSpace


def granted(
    space: FactSpace,
    rule: Rule,
    version: Version,
    today: dates.DateTerm,
    effective: dates.DateTerm,
) -> tuple[Z, Z, Z]:
    """(some limit is reached, none is and one is open, the check fails) for the version's
    `once` limits. It fails where the decision core would: a period of N months reaching past
    the year 9999 from a grant's date or the effective date."""
    if not version.once:
        return false(), false(), false()
    path = f"{rule.subject}.grants"
    info = space.fields.get(f"{path}.program")
    if info is None:
        raise Unsupported(msg("what.solver.once_history", path=path))
    records = space.fact(tuple(path.split(".")), None)
    length = records.value.length
    p_present, p_value = space.record_column(path, "program", info.type, STRING, info)
    date_info = space.fields.get(f"{path}.date")
    has_dates = date_info is not None and date_info.type == T_DATE
    if has_dates:
        d_present, d_value = space.record_column(path, "date", T_DATE, "date", date_info)
    rows = range(len(p_present))
    here = [below(i, length) for i in rows]
    paid = [conj(d_present[i]) if has_dates else false() for i in rows]
    future = [
        conj(paid[i], d_value[i].ordinal > today.ordinal) if has_dates else false() for i in rows
    ]
    holes = disj(*(conj(here[i], neg(p_present[i])) for i in rows))
    reached, open_, fails = [], [neg(records.known), holes], []
    for limit in version.once_limits:
        programs = limit.programs or (rule.id,)
        wanted = [z3.IntVal(space.strings.name(p)) for p in programs]
        counted = [
            conj(here[i], p_present[i], disj(*(p_value[i] == w for w in wanted)), neg(future[i]))
            for i in rows
        ]
        if limit.period is None:
            reached += counted
            continue
        earlier: list[Z] = []  # a record before this one already counted in this limit
        for i in rows:
            if not has_dates:
                open_.append(counted[i])
                continue
            inside, overflow = _in_period(d_value[i], effective, limit.period)
            reached.append(conj(counted[i], paid[i], inside))
            open_.append(conj(counted[i], neg(paid[i])))
            fails.append(conj(counted[i], paid[i], overflow, neg(disj(*earlier))))
            earlier.append(reached[-1])
    hit = conj(records.known, disj(*reached))
    return hit, conj(neg(hit), disj(*open_)), conj(records.known, disj(*fails))


def _in_period(paid: dates.DateTerm, day: dates.DateTerm, period: Period) -> tuple[Z, Z]:
    """grants.in_period: the grant falls in the period around the governing date; and
    whether reckoning it overflows the calendar."""
    if period.kind == "year":
        return paid.year == day.year, false()
    if period.kind == "months" and period.months is not None:
        later_paid, over_paid = dates.add_months(paid, period.months)
        later_day, over_day = dates.add_months(day, period.months)
        inside = conj(later_paid.ordinal > day.ordinal, later_day.ordinal > paid.ordinal)
        return inside, disj(over_paid, over_day)
    if period.kind == "during" and period.window is not None:
        return within(period.window, paid), false()
    raise Unsupported(msg("what.solver.form", form=f"once.per: {period.kind}"))
