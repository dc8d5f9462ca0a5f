"""Documents in layers decide as each document would alone, and one benefit is paid once.

For generated cases (home and work places across the hierarchy, sometimes unknown; ages, sexes,
departure dates and grant histories around the county's window), a case decided under the whole
library gives, for every rule, the decision of the single package that rule belongs to (opened
with only the documents it relies on) — except where a lower document's rule carries the rule
out for that case: then the upper rule is not applicable and names the implementing rule (or is
undetermined while it is unknown whether the lower rule applies). And never do a rule and a rule
implementing it both pay.

Run on the shipped library (鄂人社发〔2021〕25号 and 竹溪县's implementation of it) and on the
invented two-level library of tests/fixtures/library (mini as the province).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clause.engine.api import open_library
from clause.engine.decide import Decision, decide
from clause.engine.decide.reasons import ReasonCode
from clause.engine.facts import normalize_facts
from clause.engine.library import Library

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Layers:
    """A library, and for each rule the library of its own package alone."""

    whole: Library
    alone: dict[str, Library]  # rule id -> its package's library

    @classmethod
    def open(cls, root: Path) -> Layers:
        whole = open_library(root)
        alone: dict[str, Library] = {}
        for package in whole.packages:
            single = open_library(root, [Path(package.root)])
            for rule in package.rules:
                alone[rule.id] = single
        return cls(whole, alone)


def _decided(library: Library, facts: dict[str, Any], on: date) -> dict[str, Decision]:
    return {d.rule.id: d for d in decide(library, normalize_facts(facts, library.env.facts), on)}


def _key(d: Decision) -> tuple[object, ...]:
    return (
        d.outcome.value,
        d.reason.code,
        d.amount.amount if d.amount else None,
        tuple((s.fund, s.amount) for s in d.funding),
        d.missing,
    )


def assert_layers_hold(layers: Layers, facts: dict[str, Any], on: date) -> None:
    whole = _decided(layers.whole, facts, on)
    alone_cache: dict[int, dict[str, Decision]] = {}
    for rule_id, got in whole.items():
        single = layers.alone[rule_id]
        if id(single) not in alone_cache:
            alone_cache[id(single)] = _decided(single, facts, on)
        own = alone_cache[id(single)][rule_id]
        if got.reason.code == ReasonCode.IMPLEMENTED:
            by = whole[str(got.superseded_by)]
            assert by.rule.implements == rule_id
            assert by.version is not None, "superseded by a rule with no version in force"
            assert got.reason.arg("was") == own.outcome.value
        elif got.reason.code == ReasonCode.MAYBE_IMPLEMENTED:
            assert got.outcome.value == "undetermined"
            assert own.outcome.value in ("eligible", "undetermined")
        else:
            assert _key(got) == _key(own), f"{rule_id}: library {got} != alone {own}"
    for lower in whole.values():
        upper = lower.rule.implements
        if upper is not None and upper in whole:
            assert not (lower.paid and whole[upper].paid), f"{lower.rule.id} and {upper} both pay"


# -- the shipped library: 湖北省 and 竹溪县 ----------------------------------------------------

HUBEI = Layers.open(REPO / "policies")

# (province, city, county): 竹溪县 and its neighbours, elsewhere in Hubei, another province
homes = st.sampled_from(
    [
        ("湖北省", "十堰市", "竹溪县"),
        ("湖北省", "十堰市", "竹溪县"),
        ("湖北省", "十堰市", "竹山县"),
        ("湖北省", "武汉市", "洪山区"),
        ("湖南省", None, None),
    ]
)
works = st.sampled_from(
    [("湖北省", "洪山区"), ("湖北省", "竹溪县"), ("湖北省", "茅箭区"), ("广东省", None)]
)
hubei_dates = st.dates(min_value=date(2020, 11, 1), max_value=date(2022, 3, 1))
grant_programs = st.sampled_from(
    [
        "c2-1-transport-in-province",
        "zhuxi-2021-transport-in-province",
        "一次性交通补助",
        "务工奖补",
        "other",
    ]
)


@st.composite
def hubei_cases(draw: st.DrawFn) -> dict[str, Any]:
    province, city, county = draw(homes)
    work_province, work_county = draw(works)
    person: dict[str, Any] = {
        "home_province": province,
        "home_city": city,
        "home_county": county,
        "work_province": work_province,
        "work_county": work_county,
        "poverty_alleviated": draw(st.sampled_from([True, True, False])),
        "organised_work": draw(st.booleans()),
        "departure_date": draw(hubei_dates),
        "transport_cost": draw(st.integers(min_value=0, max_value=900)),
        "sex": draw(st.sampled_from(["男", "女"])),
        "birth_date": draw(st.dates(min_value=date(1955, 1, 1), max_value=date(2007, 1, 1))),
        "grants": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"program": grant_programs},
                    optional={
                        "date": st.dates(min_value=date(2014, 1, 1), max_value=date(2022, 1, 1))
                    },
                ),
                max_size=2,
            )
        ),
    }
    dropped = draw(st.lists(st.sampled_from(sorted(person)), max_size=2, unique=True))
    return {"person": {k: v for k, v in person.items() if v is not None and k not in dropped}}


@settings(max_examples=150)
@given(facts=hubei_cases(), on=st.dates(min_value=date(2021, 6, 1), max_value=date(2022, 6, 1)))
def test_shipped_library_decides_as_each_document_alone(facts: dict[str, Any], on: date) -> None:
    assert_layers_hold(HUBEI, facts, on)


def test_a_zhuxi_worker_is_paid_by_the_county_rule_only() -> None:
    """The generated property is not vacuous: a 竹溪 worker the province alone would pay is
    paid by the county rule, and the provincial rule names it."""
    facts = {
        "person": {
            "home_province": "湖北省",
            "home_city": "十堰市",
            "home_county": "竹溪县",
            "work_province": "湖北省",
            "work_county": "洪山区",
            "poverty_alleviated": True,
            "organised_work": True,
            "departure_date": date(2021, 9, 1),
            "transport_cost": 250,
            "sex": "女",
            "birth_date": date(1980, 1, 1),
            "grants": [],
        }
    }
    on = date(2021, 12, 1)
    whole = _decided(HUBEI.whole, facts, on)
    alone = _decided(HUBEI.alone["c2-1-transport-in-province"], facts, on)
    assert alone["c2-1-transport-in-province"].paid is not None
    assert whole["c2-1-transport-in-province"].superseded_by == "zhuxi-2021-transport-in-province"
    assert whole["zhuxi-2021-transport-in-province"].paid == 250
    assert_layers_hold(HUBEI, facts, on)


# -- the invented library: mini as the province, an invented county ----------------------------


@pytest.fixture(scope="module")
def invented() -> Layers:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lib"
        shutil.copytree(REPO / "tests" / "fixtures" / "library", root)
        shutil.copytree(REPO / "tests" / "fixtures" / "mini", root / "province")
        yield Layers.open(root)  # type: ignore[misc]


invented_homes = st.sampled_from(
    [
        ("示例省", "示例市", "示例县"),
        ("示例省", "示例市", "邻县"),
        ("示例省", None, None),
        (None, None, None),
    ]
)
mini_dates = st.dates(min_value=date(2030, 1, 1), max_value=date(2033, 1, 1))


@st.composite
def invented_cases(draw: st.DrawFn) -> dict[str, Any]:
    province, city, county = draw(invented_homes)
    person: dict[str, Any] = {
        "home_province": province,
        "home_city": city,
        "home_county": county,
        "poverty_alleviated": draw(st.sampled_from([True, True, False])),
        "organised": draw(st.sampled_from([True, True, False])),
        "scope": draw(st.sampled_from(["跨省", "跨省", "省内县外"])),
        "departure_date": draw(mini_dates),
        "transport_cost": draw(st.integers(min_value=0, max_value=900)),
        "grants": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"program": st.sampled_from(["transport", "county-transport", "other"])},
                    optional={"date": mini_dates},
                ),
                max_size=2,
            )
        ),
    }
    dropped = draw(st.lists(st.sampled_from(sorted(person)), max_size=2, unique=True))
    return {"person": {k: v for k, v in person.items() if v is not None and k not in dropped}}


@settings(max_examples=150)
@given(facts=invented_cases(), on=st.dates(min_value=date(2030, 3, 1), max_value=date(2033, 1, 1)))
def test_invented_library_decides_as_each_document_alone(
    invented: Layers, facts: dict[str, Any], on: date
) -> None:
    assert_layers_hold(invented, facts, on)
