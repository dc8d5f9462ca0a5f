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


# -- the language-forms package (tests/fixtures/forms): decided around 2031 ------------------

# mostly inside the list's year (2031), sometimes on either side of it
forms_dates = st.one_of(
    st.dates(min_value=date(2031, 1, 1), max_value=date(2031, 12, 31)),
    st.sampled_from([date(2030, 12, 31), date(2032, 1, 1)]),
)
grant_dates = st.dates(min_value=date(2014, 1, 1), max_value=date(2032, 2, 1))
forms_person_fields = {
    "poverty_alleviated": mostly_true,
    "gender": st.sampled_from(["男", "女"]),
    "birth_date": st.one_of(
        st.dates(min_value=date(1966, 1, 1), max_value=date(2010, 12, 31)),
        st.dates(min_value=date(1960, 1, 1), max_value=date(2016, 12, 31)),
    ),
    "work_scope": st.sampled_from(["省内县外", "省内县外", "跨省", "县内"]),
    "departure_date": forms_dates,
    "transport_cost": st.integers(min_value=0, max_value=600),
    # mostly in November, so the window's 上旬 boundary (the 10th and 11th) is reached
    "applied_on": st.one_of(
        st.builds(date, st.sampled_from([2031, 2031, 2031, 2030]), st.just(11), st.integers(1, 12)),
        forms_dates,
    ),
    "training": st.fixed_dictionaries(
        {},
        optional={
            "completed": mostly_true,
            "end_date": forms_dates,
            "certificate": mostly_true,
            "fee": st.integers(min_value=0, max_value=3000),
        },
    ),
    "grants": st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "program": st.sampled_from(
                    ["外出务工交通补助", "一次性交通补助", "务工奖补", "技能培训补贴", "其他"]
                ),
                "date": grant_dates,
            },
        ),
        max_size=2,
    ).map(lambda grants: grants[: len(grants) // 2 + 1] if grants else grants),
}
forms_job_fields = {
    "locality": st.sampled_from(["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"]),
    "in_post": mostly_true,
    "accident_insurance": mostly_true,
    "contract_months": st.integers(min_value=6, max_value=18),
}
forms_cases = st.fixed_dictionaries(
    {}, optional={"person": entity(forms_person_fields), "job": entity(forms_job_fields)}
)
# a township standard set for the case (as a policy test may), or the package's own values
forms_params = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"job.township_standard": st.sampled_from([700, 900, 1600, 1800, 1801, 1900, None])}
    ),
)


# -- the shipped library's layers: the provincial transport rules and 竹溪县's implementation --

layer_dates = st.one_of(
    st.dates(min_value=date(2020, 11, 1), max_value=date(2022, 3, 1)),
    st.sampled_from([date(2020, 12, 31), date(2021, 1, 1), date(2021, 12, 31), date(2022, 1, 1)]),
)
layer_person_fields = {
    "home_province": st.sampled_from(["湖北省", "湖北省", "湖北省", "福建省"]),
    "home_city": st.sampled_from(["十堰市", "十堰市", "武汉市"]),
    "home_county": st.sampled_from(["竹溪县", "竹溪县", "竹山县", "洪山区"]),
    "work_province": st.sampled_from(["湖北省", "湖北省", "广东省"]),
    "work_county": st.sampled_from(["洪山区", "竹溪县", "竹山县"]),
    "poverty_alleviated": mostly_true,
    "organised_work": mostly_true,
    "departure_date": layer_dates,
    "transport_cost": money,
    "sex": st.sampled_from(["男", "女"]),
    "birth_date": st.dates(min_value=date(1955, 1, 1), max_value=date(2007, 1, 1)),
    "grants": st.lists(
        st.fixed_dictionaries(
            {
                "program": st.sampled_from(
                    ["一次性交通补助", "务工奖补", "c2-1-transport-in-province", "以工代训"]
                )
            },
            optional={"date": st.dates(min_value=date(2014, 6, 1), max_value=date(2022, 3, 1))},
        ),
        max_size=2,
    ),
}
#: a person only (the rules of the other subjects are not decided), up to three facts dropped
layer_cases = st.fixed_dictionaries({"person": entity(layer_person_fields)})
