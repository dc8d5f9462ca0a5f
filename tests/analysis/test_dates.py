"""The solver's short date shift (add_days by at most 28 days, computed from the parts without
inverting an ordinal) gives the calendar's year, month and day across month ends, year ends
and leap days, for every shift the encoding uses it for (free dates: the property tests of
tests/property/test_solver_agrees.py, which shift by -40..40 days)."""

from __future__ import annotations

from datetime import date, timedelta

import z3

from clause.engine.analysis import dates


def test_a_short_shift_gives_the_calendar_date_in_every_part() -> None:
    starts = [date(2020, 2, 28), date(2021, 2, 28), date(2021, 12, 31), date(2022, 1, 1)]
    starts += [date(2000, 3, 1), date(1900, 3, 1), date(2021, 8, 16), date(2024, 1, 31)]
    for start in starts:
        term = dates.const_date(start)
        for n in range(-28, 29):
            shifted = dates.shift_days(term, n)
            parts = [z3.simplify(p).as_long() for p in (shifted.year, shifted.month, shifted.day)]
            want = start + timedelta(days=n)
            assert parts == [want.year, want.month, want.day], (start, n)
            assert z3.simplify(shifted.ordinal).as_long() == want.toordinal()
