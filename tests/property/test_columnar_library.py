"""Differential tests on the shipped library: the columnar backend decides as the core does.

The library is every package under policies/ (鄂人社发〔2021〕25号 and 竹溪县's county rule that
implements its clause 二（一）), with jurisdictions: a person registered outside a document's
place is not applicable, one whose place is not known finely enough is undetermined, and the
county rule supersedes the provincial one it implements (or leaves it undetermined while its
own version cannot be chosen). Hypothesis draws cases from the library's own facts schema
(every entity and field, places at each level of the hierarchy, grant histories naming the
programs the `once` limits count, dates around the documents' windows) and decision dates
before, inside and after them. The record backend (`decide` itself) is the oracle, row for
row; both packages' policy test cases are decided the same way too. Every rule compiles: the
columnar plan leaves none of them to the record path.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from clause.engine.api import open_library
from clause.engine.batch.backend import BackendConfig, RecordBackend
from clause.engine.columnar.backend import ColumnarBackend
from clause.engine.facts import normalize_facts
from clause.engine.library import Library

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
LIBRARY: Library = open_library(POLICIES)
SCHEMA = LIBRARY.facts_schema
DAYS = [date(2020, 12, 31), date(2021, 6, 30), date(2021, 12, 31), date(2022, 12, 31)]

#: places at each level, inside and outside the documents' places (湖北省 > 十堰市 > 竹溪县)
PLACES = {
    "province": ["湖北省", "河南省"],
    "city": ["十堰市", "武汉市"],
    "county": ["竹溪县", "郧西县", "洪山区"],
}
#: where a person works: the same province and county as home, or elsewhere
WORK = {"work_province": ["湖北省", "广东省"], "work_county": ["竹溪县", "洪山区", "南山区"]}
#: what earlier grants are recorded under: the programs the `once` limits count, and others
PROGRAMS = sorted(
    {r.id for r in LIBRARY.rules_by_id}
    | {p for r in LIBRARY.rules_by_id for v in r.versions for lim in v.once_limits
       for p in lim.programs}
    | {"以工代训"}
)  # fmt: skip


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {**SCHEMA["$defs"][ref.removeprefix("#/$defs/")], **node}
    return node


#: birth dates wide enough for every age limit, grants as far back as the limits look, other
#: dates around the documents' windows
DATES = {
    "birth": (date(1955, 1, 1), date(2008, 12, 31)),
    "grant": (date(2014, 6, 1), date(2023, 6, 30)),
    "other": (date(2020, 10, 1), date(2023, 3, 31)),
}


def _dates(kind: str) -> st.SearchStrategy[str]:
    lo, hi = DATES[kind]
    return st.dates(min_value=lo, max_value=hi).map(date.isoformat)


def _leaf(name: str, node: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values for one field of the schema, by its type (places and programs by the library)."""
    node = _resolve(node)
    if "x-place" in node:
        return st.sampled_from(PLACES[node["x-place"]])
    if name in WORK:
        return st.sampled_from(WORK[name])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(0, 40)
    if kind == "number":
        return st.one_of(
            st.integers(0, 3000).map(Decimal),
            st.integers(0, 300_000).map(lambda n: Decimal(n).scaleb(-2)),
            st.sampled_from([Decimal("299.995"), Decimal("300"), Decimal("0")]),
        )
    if kind == "string" and node.get("format") == "date":
        return _dates("birth" if "birth" in name else "other")
    if kind == "string":
        return st.sampled_from(["甲", "乙"])
    if kind == "array":
        grant = st.fixed_dictionaries(
            {}, optional={"program": st.sampled_from(PROGRAMS), "date": _dates("grant")}
        )
        return st.lists(grant, max_size=2)
    if kind == "object":
        return _entity(node)
    raise AssertionError(f"no strategy for {name}: {node}")


def _entity(node: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An entity with every field (half the time: more rules decided) or some of them."""
    fields = {k: _leaf(k, v) for k, v in _resolve(node)["properties"].items()}

    @st.composite
    def draw_entity(draw: Any) -> dict[str, Any]:
        every = draw(st.booleans())
        chosen = sorted(fields) if every else sorted(draw(st.sets(st.sampled_from(sorted(fields)))))
        return {k: draw(fields[k]) for k in chosen}

    return draw_entity()


ENTITIES = {name: _entity(node) for name, node in SCHEMA["properties"].items()}


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    """One case: a few of the library's entities (a person most of the time)."""
    names = sorted(ENTITIES)
    chosen = set(draw(st.sets(st.sampled_from(names), max_size=3)))
    if draw(st.integers(0, 3)) > 0:
        chosen.add("person")
    raw = {name: draw(ENTITIES[name]) for name in sorted(chosen)}
    return normalize_facts(raw, LIBRARY.env.facts)


def test_the_whole_library_compiles() -> None:
    """Both packages, the county rule implementing the provincial one included: no rule is
    left to the record path."""
    backend = ColumnarBackend(LIBRARY, BackendConfig(date(2021, 12, 31)))
    assert backend.plan.fallback == {}
    assert len(backend.plan.rules) == len(LIBRARY.rules_by_id)
    assert any(r.implements for r in LIBRARY.rules_by_id), "the county rule implements one"


@settings(max_examples=120, deadline=None)
@given(register=st.lists(cases(), min_size=1, max_size=30), on=st.sampled_from(DAYS),
       chains=st.booleans())  # fmt: skip
def test_columnar_decides_the_library_as_the_core(
    register: list[dict[str, Any]], on: date, chains: bool
) -> None:
    config = BackendConfig(on, chains=chains)
    batch = [(f"C{i}", facts) for i, facts in enumerate(register)]
    want = RecordBackend(LIBRARY, config).decide(batch)
    got = ColumnarBackend(LIBRARY, config).decide(batch)
    for (_, facts), mine, theirs in zip(batch, got, want, strict=True):
        assert mine == theirs, f"facts: {facts}"


def _policy_cases() -> list[tuple[str, date, dict[str, Any]]]:
    out = []
    for path in sorted(POLICIES.glob("*/*/tests/*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            facts = normalize_facts(case["facts"], LIBRARY.env.facts)
            out.append((f"{path.parent.parent.name}:{case['name']}", case["date"], facts))
    return out


POLICY_CASES = _policy_cases()


@pytest.mark.parametrize("chains", [False, True])
def test_the_policy_test_cases_decide_as_the_core(chains: bool) -> None:
    """Every case of both packages' tests, each on its own date: the same rows."""
    assert any(name.startswith("zhuxi") for name, _, _ in POLICY_CASES)
    by_day: dict[date, list[tuple[str, Any]]] = {}
    for name, day, facts in POLICY_CASES:
        by_day.setdefault(day, []).append((name, facts))
    for day, batch in sorted(by_day.items()):
        config = BackendConfig(day, chains=chains)
        backend = ColumnarBackend(LIBRARY, config)
        assert backend.decide(batch) == RecordBackend(LIBRARY, config).decide(batch)
        assert backend.stats["rows on the record path (whole)"] == 0


def test_the_county_rule_supersedes_the_provincial_one_columnar() -> None:
    """The behaviour the tests above compare, shown once: for a person of 竹溪县 the county
    rule decides and the provincial one is not applicable (IMPLEMENTED); with the departure
    date missing the county rule cannot choose its version and the provincial one is
    undetermined, listing the county rule's missing facts before its own
    (MAYBE_IMPLEMENTED); for a person of 郧西县 the county rule is not applicable (outside
    its place); with no county known it is undetermined for want of it."""
    person = {
        "home_province": "湖北省", "home_city": "十堰市", "home_county": "竹溪县",
        "work_province": "湖北省", "work_county": "洪山区", "poverty_alleviated": True,
        "organised_work": True, "departure_date": "2021-09-01", "transport_cost": 280,
        "grants": [], "sex": "男", "birth_date": "1970-01-01",
    }  # fmt: skip
    variants = {
        "zhuxi": person,
        "no-date": {k: v for k, v in person.items() if k != "departure_date"},
        "yunxi": {**person, "home_county": "郧西县"},
        "no-county": {k: v for k, v in person.items() if k != "home_county"},
    }
    batch = [(k, normalize_facts({"person": v}, LIBRARY.env.facts)) for k, v in variants.items()]
    config = BackendConfig(date(2021, 12, 31))
    got = ColumnarBackend(LIBRARY, config).decide(batch)
    assert got == RecordBackend(LIBRARY, config).decide(batch)
    shown = {
        (row.case_id, row.rule): (row.outcome, row.missing)
        for rows in got
        if isinstance(rows, list)
        for row in rows
    }
    county, province = "zhuxi-2021-transport-in-province", "c2-1-transport-in-province"
    assert shown[("zhuxi", county)][0] == "eligible"
    assert shown[("zhuxi", province)][0] == "not_applicable"
    assert shown[("no-date", province)][0] == "undetermined"
    assert shown[("no-date", province)][1][0] == "person.departure_date"
    assert shown[("yunxi", county)][0] == "not_applicable"
    assert shown[("yunxi", province)][0] == "eligible"
    assert shown[("no-county", county)] == ("undetermined", ("person.home_county",))
