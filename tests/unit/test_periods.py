"""clause.engine.periods: statutory date reckoning (民法典 第二百零一条、第二百零二条).

A period of N months (or years) starting after day `a` ends on the corresponding day of the final
month, or on that month's last day when it has none. So a business licensed 2021-03-15 has run
"1年以上" on 2022-03-15, and one licensed 2020-02-29 on 2021-02-28.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clause.engine.periods import add_days, add_months, days_between, months_between, years_between

D = date.fromisoformat

ADD_MONTHS = [
    # start, months, result
    ("2021-03-15", 12, "2022-03-15"),
    ("2021-03-15", 0, "2021-03-15"),
    ("2021-01-31", 1, "2021-02-28"),  # no 31 February: the month's last day
    ("2020-01-31", 1, "2020-02-29"),  # leap year
    ("2021-01-31", 2, "2021-03-31"),  # clamping does not carry over to later months
    ("2021-01-30", 1, "2021-02-28"),
    ("2021-01-29", 1, "2021-02-28"),
    ("2020-01-29", 1, "2020-02-29"),
    ("2021-03-31", 1, "2021-04-30"),
    ("2021-08-31", 1, "2021-09-30"),
    ("2021-10-31", 2, "2021-12-31"),
    ("2021-11-30", 3, "2022-02-28"),
    ("2021-12-15", 1, "2022-01-15"),  # across a year end
    ("2020-02-29", 12, "2021-02-28"),
    ("2020-02-29", 48, "2024-02-29"),
    ("2020-02-29", 24, "2022-02-28"),
    ("2021-02-28", 12, "2022-02-28"),
    ("2019-02-28", 12, "2020-02-28"),  # not moved to the 29th in a leap year
    ("2021-03-31", -1, "2021-02-28"),
    ("2024-03-31", -1, "2024-02-29"),
    ("2021-05-31", -13, "2020-04-30"),
    ("2022-01-15", -1, "2021-12-15"),
    ("2024-02-29", -12, "2023-02-28"),
    ("0001-01-31", 1, "0001-02-28"),
    ("9999-11-30", 1, "9999-12-30"),
    ("2021-06-15", 1200, "2121-06-15"),
]


@pytest.mark.parametrize(("start", "months", "want"), ADD_MONTHS)
def test_add_months(start: str, months: int, want: str) -> None:
    assert add_months(D(start), months) == D(want)


@pytest.mark.parametrize(("start", "months"), [("9999-12-31", 1), ("0001-01-01", -1),
                                               ("2021-01-01", 12 * 8000)])  # fmt: skip
def test_add_months_outside_years_1_to_9999_raises_overflow(start: str, months: int) -> None:
    with pytest.raises(OverflowError):
        add_months(D(start), months)


ADD_DAYS = [
    ("2021-12-31", 1, "2022-01-01"),
    ("2020-02-28", 1, "2020-02-29"),
    ("2021-02-28", 1, "2021-03-01"),
    ("2021-03-01", -1, "2021-02-28"),
    ("2020-03-01", -1, "2020-02-29"),
    ("2021-01-01", 0, "2021-01-01"),
    ("2021-01-01", 365, "2022-01-01"),
    ("2020-01-01", 366, "2021-01-01"),
]


@pytest.mark.parametrize(("start", "days", "want"), ADD_DAYS)
def test_add_days(start: str, days: int, want: str) -> None:
    assert add_days(D(start), days) == D(want)


@pytest.mark.parametrize(("start", "days"), [("9999-12-31", 1), ("0001-01-01", -1)])
def test_add_days_outside_years_1_to_9999_raises_overflow(start: str, days: int) -> None:
    with pytest.raises(OverflowError):
        add_days(D(start), days)


MONTHS_BETWEEN = [
    # start, end, whole months, whole years
    ("2021-03-15", "2022-03-14", 11, 0),
    ("2021-03-15", "2022-03-15", 12, 1),  # licensed 2021-03-15: 1年以上 on 2022-03-15
    ("2021-03-15", "2022-03-16", 12, 1),
    ("2020-02-29", "2021-02-27", 11, 0),
    ("2020-02-29", "2021-02-28", 12, 1),  # licensed 2020-02-29: 1年以上 on 2021-02-28
    ("2020-02-29", "2021-03-01", 12, 1),
    ("2020-02-29", "2024-02-28", 47, 3),  # 2024 has a 29 February: not yet 4 years
    ("2020-02-29", "2024-02-29", 48, 4),
    ("2021-01-31", "2021-02-27", 0, 0),
    ("2021-01-31", "2021-02-28", 1, 0),
    ("2020-01-31", "2020-02-28", 0, 0),
    ("2020-01-31", "2020-02-29", 1, 0),
    ("2021-01-31", "2021-03-30", 1, 0),
    ("2021-01-31", "2021-03-31", 2, 0),
    ("2021-01-31", "2021-04-30", 3, 0),
    ("2021-02-28", "2021-03-28", 1, 0),
    ("2021-02-28", "2021-03-27", 0, 0),
    ("2021-08-31", "2021-09-30", 1, 0),
    ("2021-03-15", "2021-03-15", 0, 0),
    ("2021-03-15", "2021-04-14", 0, 0),
    ("2021-03-15", "2021-04-15", 1, 0),
    ("2021-12-15", "2022-01-15", 1, 0),
    ("2021-12-31", "2022-02-28", 2, 0),
    ("2004-02-29", "2020-02-28", 191, 15),  # born on a leap day: 16 on 2020-02-29
    ("2004-02-29", "2020-02-29", 192, 16),
    ("2004-02-29", "2021-02-28", 204, 17),
    ("2021-08-16", "2025-12-31", 52, 4),
]

# The same spans taken backwards: the same count, negative (toward zero in years).
NEGATIVE = [(end, start, -m, -y) for start, end, m, y in MONTHS_BETWEEN]


@pytest.mark.parametrize(("start", "end", "months", "years"), MONTHS_BETWEEN + NEGATIVE)
def test_months_and_years_between(start: str, end: str, months: int, years: int) -> None:
    assert months_between(D(start), D(end)) == months
    assert years_between(D(start), D(end)) == years


def test_negative_years_round_toward_zero() -> None:
    assert years_between(D("2022-03-14"), D("2021-03-15")) == 0  # -11 months
    assert years_between(D("2023-03-14"), D("2021-03-15")) == -1  # -23 months
    assert months_between(D("2022-03-14"), D("2021-03-15")) == -11


DAYS_BETWEEN = [
    ("2021-01-01", "2021-12-31", 364),
    ("2020-01-01", "2021-01-01", 366),
    ("2020-02-28", "2020-03-01", 2),
    ("2021-02-28", "2021-03-01", 1),
    ("2021-03-01", "2021-02-28", -1),
    ("2021-03-15", "2021-03-15", 0),
]


@pytest.mark.parametrize(("start", "end", "days"), DAYS_BETWEEN)
def test_days_between(start: str, end: str, days: int) -> None:
    assert days_between(D(start), D(end)) == days
    assert days_between(D(end), D(start)) == -days


def _days(first: str, last: str) -> list[date]:
    start, end = D(first), D(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_months_between_is_the_largest_completed_period() -> None:
    """For every start in a leap and a common year and every end up to 26 months later:
    months_between is the largest m with add_months(start, m) <= end (the definition)."""
    for start in _days("2019-12-01", "2020-03-31") + _days("2021-01-25", "2021-03-05"):
        m = 0
        for end in [start + timedelta(days=i) for i in range(0, 800, 3)]:
            while add_months(start, m + 1) <= end:
                m += 1
            assert months_between(start, end) == m, (start, end)


def test_adding_then_counting_gives_the_count_back() -> None:
    for start in _days("2019-12-25", "2021-03-05"):
        for n in range(-25, 26):
            assert months_between(start, add_months(start, n)) == n, (start, n)
            assert days_between(start, add_days(start, n)) == n


def test_months_between_never_decreases_as_the_end_moves_on() -> None:
    start = D("2020-01-31")
    counts = [months_between(start, end) for end in _days("2019-01-01", "2022-12-31")]
    assert counts == sorted(counts)
