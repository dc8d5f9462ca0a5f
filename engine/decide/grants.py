"""Grant history: whether a one-off or periodic benefit was already granted, three-valued.

In: a rule version's `once` (the programmes that count and the period: ever, per calendar
year, per N months, within fixed dates), the subject's grant records, the decision date and
the date that governs the case. Out: True (already granted, with the record that shows it),
False, or Unknown naming the facts that would settle it.

Rules (DESIGN "A rule": `once` for one-off benefits and periodic limits 每人每年):
- No grant history at all is unknown, never "none" (`grants: []` says none).
- A grant dated after the decision date had not happened on that date: it never counts.
- A record whose programme is missing might be this very benefit: unknown.
- With a period, a record of a counted programme without a date might fall in it: unknown.
- Per calendar year: a grant in the same year as the governing date counts. Per N months: a
  grant less than N months before or after the governing date counts (two grants must be N
  months apart). Within dates: a grant inside the window counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from clause.engine.decide.reasons import Reason, ReasonCode
from clause.engine.expr.values import Unknown
from clause.engine.model import OnceLimit, Period, Rule
from clause.engine.periods import add_months


@dataclass(frozen=True, slots=True)
class Earlier:
    """What the grant history says: `granted` (True, False or Unknown), and for True the
    programme and date of the grant that counted."""

    granted: bool | Unknown
    program: str = ""
    paid: date | None = None


#: An empty grant history: nothing was granted (the commonest case, made once).
NONE_GRANTED = Earlier(False)


def programs_of(rule: Rule, limit: OnceLimit) -> tuple[str, ...]:
    """The programmes whose grants count: `once.program` (one or a list), else the rule id."""
    return limit.programs or (rule.id,)


def in_period(paid: date, day: date, period: Period) -> bool:
    """Whether a grant paid on `paid` falls in the period around the governing date `day`.

    >>> in_period(date(2021, 1, 1), date(2021, 12, 31), Period("year"))
    True
    >>> in_period(date(2021, 1, 1), date(2022, 1, 1), Period("months", months=12))
    False
    """
    if period.kind == "year":
        return paid.year == day.year
    if period.kind == "months" and period.months is not None:
        return add_months(paid, period.months) > day and add_months(day, period.months) > paid
    return period.window is not None and period.window.contains(paid)


def earlier_grant(
    grants: Any, programs: Sequence[str], period: Period | None, on: date, day: date, path: str
) -> Earlier:
    """Whether `grants` (the subject's records; None: no history given) hold a grant of one
    of `programs`, paid on or before `on`, in `period` around `day` (None: ever)."""
    if not isinstance(grants, list | tuple):
        return Earlier(Unknown(frozenset({path})))
    if not grants:
        return NONE_GRANTED
    unknown: set[str] = set()
    for grant in grants:
        if (type(grant) is not dict and not isinstance(grant, Mapping)) or grant.get(
            "program"
        ) is None:
            unknown.add(f"{path}.program")  # it might be this very benefit
            continue
        paid = grant.get("date")
        if isinstance(paid, date) and paid > on:
            continue  # not yet paid on the decision date
        program = grant["program"]
        if program not in programs:
            continue
        if period is not None and not isinstance(paid, date):
            unknown.add(f"{path}.date")  # counted programme, but in the period?
            continue
        if period is None or (isinstance(paid, date) and in_period(paid, day, period)):
            return Earlier(True, str(program), paid if isinstance(paid, date) else None)
    return Earlier(Unknown(frozenset(unknown)) if unknown else False)


def earlier_reason(found: Earlier, limit: OnceLimit) -> Reason:
    """Why a benefit is refused for an earlier grant: ever, or in the same period."""
    paid = found.paid.isoformat() if found.paid else ""
    quote = limit.quote or ""
    if limit.period is None:
        return Reason.of(ReasonCode.EARLIER_GRANT, program=found.program, date=paid, quote=quote)
    return Reason.of(
        ReasonCode.EARLIER_GRANT_IN_PERIOD,
        program=found.program,
        date=paid,
        period=limit.period.text(),
        quote=quote,
    )


def check_text(programs: Sequence[str], period: Period | None, day: date, path: str) -> str:
    """The grant-history check as a trace shows it."""
    shown = (
        f'"{programs[0]}"'
        if len(programs) == 1
        else "[" + ", ".join(f'"{p}"' for p in programs) + "]"
    )
    text = f"{shown} in {path}.program"
    if period is None:
        return text
    if period.kind == "year":
        return f"{text}, paid in {day.year}"
    if period.kind == "months":
        return f"{text}, paid less than {period.months} months from {day.isoformat()}"
    return f"{text}, paid within {period.text()}"
