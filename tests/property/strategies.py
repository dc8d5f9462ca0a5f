"""Generators of cases for the mini fixture package (tests/fixtures/mini), shared by the
property tests: nearly complete entities with up to three facts dropped, grant histories dated
before and after the decision date, localities with their own parameter values."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

dates = st.dates(min_value=date(2029, 12, 1), max_value=date(2033, 2, 1))
money = st.integers(min_value=0, max_value=2000)
mostly_true = st.sampled_from([True, True, True, False])
person_fields = {
    "poverty_alleviated": mostly_true,
    "organised": mostly_true,
    "scope": st.sampled_from(["跨省", "跨省", "省内县外", "县内"]),
    "departure_date": dates,
    "transport_cost": money,
    "first_business": mostly_true,
    "returned_home": st.booleans(),
    "licence_date": dates,
    "training_months": st.integers(min_value=0, max_value=12),
    "locality": st.sampled_from(["甲市", "乙市", "丙市"]),
    "grants": st.lists(
        st.fixed_dictionaries(
            {"program": st.sampled_from(["transport", "startup", "training", "other"])},
            optional={"date": dates},
        ),
        max_size=2,
    ),
}
site_fields = {
    "residents": st.integers(min_value=780, max_value=820),
    "has_station": mostly_true,
    "full_time_staff": st.integers(min_value=0, max_value=2),
}


@st.composite
def entity(draw: st.DrawFn, fields: dict[str, Any]) -> dict[str, Any]:
    """Every field, then up to three dropped: most cases are nearly complete, so the
    decisive paths (eligible, ineligible, superseded, violation) are all reached."""
    full = draw(st.fixed_dictionaries(fields))
    dropped = draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True))
    return {k: v for k, v in full.items() if k not in dropped}


cases = st.fixed_dictionaries(
    {}, optional={"person": entity(person_fields), "site": entity(site_fields)}
)
