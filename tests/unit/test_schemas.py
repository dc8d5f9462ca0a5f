"""JSON Schemas: valid Draft 2020-12, documented in both languages, and strict on the files
officers write: good examples pass, each mistake is caught where it is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from clause.engine.load.loader import json_pointer, load_yaml
from clause.engine.load.validate import SCHEMA_DIR, SCHEMA_NAMES, schema_validator, to_json_data

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "policies" / "hubei" / "ehrs-2021-25"


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside a schema, with its pointer."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{pointer}/{i}")


def problems(name: str, text: str) -> list[tuple[str, str]]:
    """(validator keyword, JSON pointer) of every error validating YAML `text` against `name`."""
    data = to_json_data(load_yaml(text).data)
    errors = schema_validator(name).iter_errors(data)
    return sorted((str(e.validator), json_pointer(e.absolute_path)) for e in errors)


def test_every_format_has_a_schema() -> None:
    files = sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))
    assert files == sorted(SCHEMA_NAMES)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    document = schema(name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"urn:clause:schema:{name}"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_bilingual(name: str) -> None:
    document = schema(name)
    assert " / " in document["title"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in document["description"])
    assert any(ch.isascii() and ch.isalpha() for ch in document["description"])
    for pointer, node in walk(document):
        title = node.get("title")
        if isinstance(title, str) and "/properties/title" not in pointer + "/":
            assert " / " in title, f"{name}{pointer}: title {title!r} is not 中文 / English"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_unknown_keys_are_caught_everywhere(name: str) -> None:
    for pointer, node in walk(schema(name)):
        conditional = any(part in ("if", "then", "else") for part in pointer.split("/"))
        if conditional or pointer.endswith("/properties"):
            continue  # `if` tests and `then` additions only narrow the schema they sit in
        if isinstance(node.get("properties"), dict):
            assert node.get("additionalProperties") is False, f"{name}{pointer}"


# --- the shipped package -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "name"), [("document.yaml", "document"), ("notice.yaml", "notice-text")]
)
def test_shipped_files_are_valid_and_point_editors_at_their_schema(file: str, name: str) -> None:
    text = (PACKAGE / file).read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=../../../schemas/{name}.schema.json")
    assert problems(name, text) == []


# --- rule --------------------------------------------------------------------------------------

RULE = """\
id: c2-1-transport-cross-province
title: {zh: 跨省务工一次性交通补助, en: One-off transport subsidy for cross-province work}
document: 鄂人社发〔2021〕25号
clause: 二.（一）
subject: person
kind: benefit
versions:
  - version: 1
    enacted: {date: 2021-08-16, by: 鄂人社发〔2021〕25号}
    valid: {from: 2021-08-16, to: 2025-12-31}
    effective_date: person.departure_date
    conditions:
      - id: alleviated
        expr: person.poverty_alleviated
        quote: 脱贫人口
      - expr: trip.organised and trip.scope == "跨省"
        quote: 有组织跨省务工
    unless:
      - expr: person.grants.transport_cross_province
        quote: 一次性
    amount:
      cap: {max: 500, claimed: trip.cost, quote: 按每人不超过500元标准}
    funding:
      - fund: central_bridging_fund
        quota: county.bridging_quota_remaining
        quote: 可在到县的中央财政衔接推进乡村振兴补助资金“脱贫人口跨省就业”支持方向额度内列支
      - fund: employment_subsidy_fund
        quote: 不足部分统筹就业补助资金落实
    once: {program: transport_subsidy}
    overrides: [c2-1-transport-in-province]
"""

OBLIGATION = """\
id: c2-5-labour-remuneration-share
title: {zh: 以工代赈劳务报酬比例, en: Share of labour remuneration in work-relief projects}
document: 鄂人社发〔2021〕25号
clause: 二.（五）
subject: project
kind: obligation
versions:
  - version: 1
    enacted: {date: 2021-08-16, by: 鄂人社发〔2021〕25号}
    valid: {from: 2021-08-16, to: null}
    conditions:
      - {expr: project.work_relief, quote: 以工代赈方式}
    requires:
      - expr: project.labour_remuneration >= project.funds * 0.15
        quote: 劳务报酬发放比例不低于项目资金的15%
"""

QUALITATIVE = """\
id: c2-4-labour-brands
clause: 二.（四）
status: qualitative
reason: 培育劳务品牌的工作要求，没有可计算的后果
"""


def test_rule_examples_are_valid() -> None:
    assert problems("rule", RULE) == []
    assert problems("rule", OBLIGATION) == []
    assert problems("rule", QUALITATIVE) == []
    referential = QUALITATIVE.replace("qualitative", "referential") + "refers_to: 社会保险补贴\n"
    assert problems("rule", referential) == []


@pytest.mark.parametrize(
    "amount",
    [
        "{fixed: {value: 2000, quote: 补贴2000元}}",
        "{fixed: {value: '2000.00', quote: 补贴2000元}}",
        "{fixed: {value: 2000.50, quote: 补贴2000元}}",
        "{per_unit: {rate: {param: training.monthly_rate}, count: person.months, max_count: 6,"
        " unit: month, quote: 最长不超过6个月}}",
        "{percentage: {of: training.standard_subsidy, percent: 120, quote: 提高20%}}",
        "{parameter: {param: public_welfare_job.local_urban_level,"
        " quote: 当地城镇公益性岗位补贴水平}}",
        "{per_other_regulation: {quote: 可按规定给予就业创业服务补助}}",
        "{cap: {max: {param: public_welfare_job.local_urban_level}, claimed: job.subsidy,"
        " quote: 原则上不高于当地城镇公益性岗位补贴水平}}",
    ],
)
def test_every_kind_of_amount(amount: str) -> None:
    text = RULE.replace(
        "      cap: {max: 500, claimed: trip.cost, quote: 按每人不超过500元标准}\n", ""
    ).replace("    amount:\n", f"    amount: {amount}\n")
    assert problems("rule", text) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("kind: benefit", "kind: benifit", [("enum", "/kind")]),
        ("version: 1", "version: 0", [("minimum", "/versions/0/version")]),
        ("to: 2025-12-31", "to: '2025-13-31'", [("anyOf", "/versions/0/valid/to")]),
        ("        quote: 脱贫人口\n", "", [("required", "/versions/0/conditions/0")]),
        ("cap: {max: 500,", "cap: {max: -500,", [("anyOf", "/versions/0/amount/cap/max")]),
        ("cap: {max: 500,", "cap: {max: '5O0',", [("anyOf", "/versions/0/amount/cap/max")]),
        ("overrides:", "overides:", [("additionalProperties", "/versions/0")]),
        ("id: alleviated", "id: Alleviated", [("pattern", "/versions/0/conditions/0/id")]),
        (
            "fund: employment_subsidy_fund",
            "fund: 就业补助资金",
            [("pattern", "/versions/0/funding/1/fund")],
        ),
        ("subject: person", "subject: 人员", [("pattern", "/subject")]),
        ("clause: 二.（一）\n", "", [("required", "")]),
    ],
)
def test_rule_mistakes_are_caught(old: str, new: str, expected: list[tuple[str, str]]) -> None:
    assert old in RULE
    assert problems("rule", RULE.replace(old, new)) == expected


def test_an_amount_is_exactly_one_kind() -> None:
    text = RULE.replace(
        "      cap: {max: 500,", "      fixed: {value: 500, quote: x}\n      cap: {max: 500,"
    )
    assert problems("rule", text) == [("maxProperties", "/versions/0/amount")]


def test_an_obligation_states_its_requirements() -> None:
    text = OBLIGATION.split("    requires:")[0]
    assert problems("rule", text) == [("required", "/versions/0")]


def test_a_qualitative_entry_cannot_carry_versions() -> None:
    assert problems("rule", QUALITATIVE + "versions: []\n") == [("additionalProperties", "")]
    assert problems("rule", QUALITATIVE.replace("reason:", "why:")) == [
        ("additionalProperties", ""),
        ("required", ""),
    ]


# --- document, notice text, parameter, funds ---------------------------------------------------


def test_document_mistakes() -> None:
    good = (PACKAGE / "document.yaml").read_text(encoding="utf-8")
    assert problems("document", good.replace("level: province", "level: provincial")) == [
        ("enum", "/jurisdiction/level")
    ]
    assert problems("document", good.replace("issued: 2021-08-16", "issued: '2021-8-16'")) == [
        ("format", "/issued"),
        ("pattern", "/issued"),
    ]
    assert problems("document", good.replace('code: "420000"', 'code: "4200"')) == [
        ("pattern", "/jurisdiction/code")
    ]
    assert problems("document", good.replace("text: notice.yaml", "txt: notice.yaml")) == [
        ("additionalProperties", ""),
        ("required", ""),
    ]


def test_notice_text_mistakes() -> None:
    text = (
        "document: x\nclauses:\n  - {id: 一, kind: provision, heading: 目标任务, text: 一、目标}\n"
    )
    assert problems("notice-text", text) == []
    assert problems("notice-text", text.replace("provision", "article")) == [
        ("enum", "/clauses/0/kind")
    ]
    assert problems("notice-text", text.replace(", text: 一、目标", "")) == [
        ("required", "/clauses/0")
    ]
    assert problems("notice-text", text.replace("id: 一", "id: 一 二")) == [
        ("pattern", "/clauses/0/id")
    ]


PARAMETER = """\
id: public_welfare_job.local_urban_level
title: {zh: 当地城镇公益性岗位补贴水平, en: Local urban public-welfare job subsidy level}
set_by: locality
citation:
  document: 鄂人社发〔2021〕25号
  clause: 二.（九）
  quote: 原则上不高于当地城镇公益性岗位补贴水平
unit: yuan_per_month
values:
  - {from: 2021-08-16, to: 2025-12-31, value: null}
  - {from: 2021-08-16, to: 2025-12-31, value: "1800.00", locality: 武汉市}
"""


def test_parameter_examples() -> None:
    assert problems("parameter", PARAMETER) == []
    assert problems("parameter", PARAMETER.replace("value: null", "value: 1800")) == []
    assert problems("parameter", PARAMETER.replace("value: null", "value: 一千八")) == [
        ("anyOf", "/values/0/value")
    ]
    assert problems("parameter", PARAMETER.replace("  clause: 二.（九）\n", "")) == [
        ("required", "/citation")
    ]
    assert problems("parameter", PARAMETER.replace("values:\n", "values: []\nx:\n")) == [
        ("additionalProperties", ""),
        ("minItems", "/values"),
    ]


def test_funds_examples() -> None:
    good = """\
funds:
  - id: employment_subsidy_fund
    name: {zh: 就业补助资金, en: Employment subsidy fund}
    level: province
  - id: central_bridging_fund
    name: {zh: 中央财政衔接推进乡村振兴补助资金, en: Central bridging fund for rural revitalisation}
    direction: 脱贫人口跨省就业
"""
    assert problems("funds", good) == []
    assert problems("funds", good.replace("en: Employment subsidy fund", "english: x")) == [
        ("additionalProperties", "/funds/0/name"),
        ("required", "/funds/0/name"),
    ]
    assert problems("funds", good.replace("id: employment", "id: Employment")) == [
        ("pattern", "/funds/0/id")
    ]


# --- policy tests, facts schemas, traces -------------------------------------------------------

CASES = """\
- name: 跨省务工，交通补助封顶500元
  date: 2021-09-01
  facts:
    person: {poverty_alleviated: true}
    trip: {organised: true, scope: 跨省, cost: 620}
  expect:
    c2-1-transport-cross-province:
      outcome: eligible
      amount: 500
      amount_kind: cap
      funding: [central_bridging_fund]
- name: missing facts
  date: 2021-09-01
  facts: {person: {}}
  expect:
    c2-1-transport-cross-province:
      outcome: undetermined
      amount: null
      missing: [person.poverty_alleviated, trip.organised]
      funding: [{fund: employment_subsidy_fund, amount: "120.00"}]
"""


def test_policy_test_examples() -> None:
    assert problems("policy-test", CASES) == []
    assert problems("policy-test", CASES.replace("outcome: eligible", "outcome: eligable")) == [
        ("enum", "/0/expect/c2-1-transport-cross-province/outcome")
    ]
    assert problems("policy-test", CASES.replace("  date: 2021-09-01\n", "", 1)) == [
        ("required", "/0")
    ]
    assert problems("policy-test", CASES.replace("amount: 500", "amount: -500")) == [
        ("anyOf", "/0/expect/c2-1-transport-cross-province/amount")
    ]
    assert problems("policy-test", CASES.replace("c2-1-transport-cross-province:", "跨省:", 1)) == [
        ("pattern", "/0/expect")  # jsonschema reports propertyNames by the failing keyword
    ]


FACTS = """\
title: 事实 / Facts
type: object
properties:
  person:
    title: 人员 / Person
    x-alias: 人员
    type: object
    properties:
      poverty_alleviated: {title: 脱贫人口 / Poverty-alleviated, type: boolean, x-alias: 脱贫人口}
      contract_months:
        title: 合同期限（月） / Contract length (months)
        type: [integer, "null"]
        x-alias: [合同期限月, 合同月数]
        x-unit: month
        minimum: 0
      departure_date: {title: 外出日期 / Departure date, type: string, format: date}
      scope: {title: 务工范围 / Work scope, type: string, enum: [跨省, 省内县外]}
      grants:
        title: 已领补贴 / Grants received
        type: array
        items: {$ref: "#/$defs/grant"}
$defs:
  grant:
    type: object
    properties:
      program: {title: 项目 / Program, type: string}
      date: {title: 日期 / Date, type: string, format: date}
"""


def test_facts_schema_convention() -> None:
    assert problems("facts", FACTS) == []
    person = "/properties/person/properties"
    cases = [
        (
            "title: 脱贫人口 / Poverty-alleviated",
            "title: 脱贫人口",
            [("pattern", f"{person}/poverty_alleviated/title")],
        ),
        (
            "Departure date, type: string, format: date}",
            "Departure date, type: string, format: date-time}",
            [("const", f"{person}/departure_date/format")],
        ),
        (
            "enum: [跨省, 省内县外]",
            "enum: [1, 2]",
            [("type", f"{person}/scope/enum/0"), ("type", f"{person}/scope/enum/1")],
        ),
        ("  contract_months:", "  合同期限:", [("pattern", person)]),  # propertyNames
        ('        items: {$ref: "#/$defs/grant"}\n', "", [("required", f"{person}/grants")]),
        ("type: boolean", "type: 'null'", [("anyOf", f"{person}/poverty_alleviated/type")]),
        (
            "x-unit: month",
            "x-units: month",
            [("additionalProperties", f"{person}/contract_months")],
        ),
    ]
    for old, new, expected in cases:
        assert old in FACTS
        assert problems("facts", FACTS.replace(old, new)) == expected, new


TRACE = """\
trace_version: 5
date: 2021-09-01
lang: zh
document: 鄂人社发〔2021〕25号
ruleset_digest: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
facts_digest: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
engine_version: 0.1.0
decisions:
  - rule: c2-1-transport-cross-province
    title: {zh: 跨省务工交通补助, en: Cross-province transport subsidy}
    kind: benefit
    document: 鄂人社发〔2021〕25号
    clause: 二.（一）
    version: 1
    window: {from: 2021-08-16, to: 2025-12-31}
    effective_date: 2021-09-01
    outcome: eligible
    outcome_label: 符合条件
    reason: 全部条件满足
    amount: "500"
    amount_kind: cap
    amount_cap: "500.00"
    notes: []
    funding:
      - {fund: central_bridging_fund, amount: "500", shortfall: false, quote: 额度内列支}
    missing: []
    superseded_by: null
    conditions:
      - expr: person.poverty_alleviated
        value: true
        quote: 脱贫人口
        facts: [{path: person.poverty_alleviated, value: true}]
"""


def test_trace_examples() -> None:
    assert problems("trace", TRACE) == []
    assert problems("trace", TRACE.replace('amount: "500"\n', "amount: 500\n")) == [
        ("anyOf", "/decisions/0/amount")
    ]
    assert problems("trace", TRACE.replace("outcome: eligible", "outcome: yes_")) == [
        ("enum", "/decisions/0/outcome")
    ]
    assert problems("trace", TRACE.replace("    missing: []\n", "")) == [
        ("required", "/decisions/0")
    ]
