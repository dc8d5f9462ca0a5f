"""Schema findings: each at the key or value it is about, saying what to write instead."""

from __future__ import annotations

from datetime import date

from clause.engine.diagnostics import Diagnostic, format_diagnostic
from clause.engine.load.loader import load_yaml
from clause.engine.load.validate import to_json_data, validate_loaded

RULE = """\
id: c2-3-hiring-award
title: {zh: 吸纳就业奖补, en: Hiring award}
document: 鄂人社发〔2021〕25号
clause: 二.（三）
subject: employer
kind: benefit
versions:
  - version: 1
    enacted: {date: 2021-08-16, by: 鄂人社发〔2021〕25号}
    valid: {from: 2021-08-16, to: 2025-12-31}
    conditions:
      - expr: hire.contract_months >= 12
        quote: 签订1年以上劳动合同
    amount:
      per_unit: {rate: 2000, count: employer.hires, quote: 按每吸纳1人补贴2000元的标准}
"""


def check(text: str, schema: str = "rule") -> list[Diagnostic]:
    return validate_loaded(load_yaml(text, file="r.yaml"), schema)


def brief(text: str, schema: str = "rule") -> list[tuple[str, int, int, str, str]]:
    return [(d.code, d.span.line, d.span.col, d.message, d.help) for d in check(text, schema)]


def test_valid_rule_has_no_findings() -> None:
    assert check(RULE) == []


def test_unknown_key_points_at_the_key_and_suggests_the_right_one() -> None:
    (finding,) = check(RULE.replace("    conditions:", "    condtions:"))
    assert (finding.code, str(finding.span)) == ("S001", "r.yaml:11:5")
    assert finding.message == "unknown key `condtions`"
    assert finding.help == "did you mean `conditions`?"
    assert "    condtions:" in format_diagnostic(finding)


def test_unknown_key_without_a_near_match_lists_the_allowed_keys() -> None:
    (finding,) = check(RULE.replace("subject: employer", "subject: employer\nxyz: 1"))
    assert finding.help.startswith("allowed keys: clause, document, id, implements, kind")


def test_missing_keys_are_each_reported_at_their_mapping() -> None:
    text = RULE.replace("        quote: 签订1年以上劳动合同\n", "").replace(
        "clause: 二.（三）\n", ""
    )
    assert brief(text) == [
        ("S002", 1, 1, "missing required key `clause`", "add `clause:` (条款 / Clause)"),
        ("S002", 11, 9, "missing required key `quote`", "add `quote:` (原文 / Quote)"),
    ]


def test_wrong_type() -> None:
    ((code, line, col, message, _),) = brief(RULE.replace("version: 1", "version: 1.5"))
    assert (code, line, col, message) == ("S003", 8, 14, "expected a whole number, found `1.5`")


def test_enum_value_gets_a_suggestion() -> None:
    assert brief(RULE.replace("kind: benefit", "kind: Benefit")) == [
        ("S004", 6, 7, "`Benefit` is not an allowed value", "did you mean `benefit`?")
    ]


def test_invalid_date_text_is_placed_on_the_value() -> None:
    assert brief(RULE.replace("to: 2025-12-31", "to: '2025-02-30'")) == [
        (
            "S005",
            10,
            35,
            "`2025-02-30` is not a valid date",
            "write a calendar date as YYYY-MM-DD, e.g. 2021-08-16",
        )
    ]


def test_money_that_is_not_a_decimal() -> None:
    ((code, line, col, message, help_text),) = brief(RULE.replace("rate: 2000", "rate: 2000元"))
    assert (code, line, col, message) == ("S005", 15, 24, "`2000元` is not a valid amount (yuan)")
    assert "decimal" in help_text


def test_pattern_with_examples() -> None:
    ((code, line, _, message, help_text),) = brief(RULE.replace("id: c2-3", "id: C2-3"))
    assert (code, line, message) == ("S005", 1, "`C2-3-hiring-award` is not a valid rule id")
    assert help_text == "e.g. c2-1-transport-cross-province"


def test_value_fitting_no_alternative() -> None:
    ((code, line, col, message, _),) = brief(
        RULE.replace("    amount:", "    once: maybe\n    amount:")
    )
    assert (code, line, col, message) == ("S006", 14, 11, "`maybe` is not a valid one-off")


def test_bad_key_name_is_placed_on_the_key() -> None:
    cases = (
        "- name: x\n  date: 2021-09-01\n  facts: {}\n  expect:\n    交通补助: {outcome: eligible}\n"
    )
    ((code, line, col, message, _),) = brief(cases, "policy-test")
    assert (code, line, col, message) == ("S005", 5, 5, "key `交通补助` is not a valid name here")


def test_several_findings_come_sorted() -> None:
    text = RULE.replace("kind: benefit", "kind: benfit").replace("version: 1", "version: 0")
    assert [(d.code, d.span.line) for d in check(text)] == [("S004", 6), ("S005", 8)]


def test_dates_are_validated_as_iso_text() -> None:
    assert to_json_data([{"d": date(2021, 8, 16)}]) == [{"d": "2021-08-16"}]


def test_an_event_without_the_date_it_dates_is_named_at_the_event() -> None:
    text = RULE.replace(
        "    conditions:\n",
        "    event: {expr: employer.hired, quote: 吸纳脱贫人口就业}\n    conditions:\n",
    )
    assert brief(text) == [
        (
            "S002",
            11,
            5,
            "`event` needs `effective_date` beside it",
            "add `effective_date:` to this mapping, or remove `event`",
        )
    ]
    dated = text.replace("    event:", "    effective_date: employer.hire_date\n    event:")
    assert check(dated) == []
