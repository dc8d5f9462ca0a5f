"""Statutory date reckoning: periods in months and years as the Civil Code counts them.

民法典 第二百零一条: the day an event happens is not counted; the period starts the next day.
民法典 第二百零二条: a period in months or years ends on the corresponding day of its final month,
or on that month's last day when it has no such day. 第一千二百五十九条: "以上", "以下", "不超过"
include the number itself.

So "operated 1年以上" from a licence dated 2021-03-15 holds on 2022-03-15, and from 2020-02-29
on 2021-02-28:

    >>> from datetime import date
    >>> months_between(date(2021, 3, 15), date(2022, 3, 15))
    12
    >>> months_between(date(2020, 2, 29), date(2021, 2, 28))
    12
    >>> months_between(date(2021, 1, 31), date(2021, 2, 28))
    1
    >>> add_months(date(2021, 1, 31), 1)
    datetime.date(2021, 2, 28)
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(start: date, months: int) -> date:
    """The corresponding day `months` later (or earlier), clamped to the month's last day.

    Raises OverflowError when the result falls outside years 1..9999.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last))


def add_days(start: date, days: int) -> date:
    """`days` days later; raises OverflowError outside years 1..9999."""
    return start + timedelta(days=days)


def months_between(start: date, end: date) -> int:
    """Whole months completed from `start` to `end`: the largest m with add_months(start, m) <= end.

    Negative when `end` is before `start` (the same count, taken backwards).
    """
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def years_between(start: date, end: date) -> int:
    """Whole years completed from `start` to `end` (twelve months each, reckoned as above).

    >>> years_between(date(2021, 3, 15), date(2022, 3, 14))
    0
    """
    months = months_between(start, end)
    return months // 12 if months >= 0 else -((-months) // 12)


def days_between(start: date, end: date) -> int:
    """Calendar days from `start` to `end` (negative when `end` is earlier)."""
    return (end - start).days
