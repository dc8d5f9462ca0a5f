"""Loader: what an officer writes is what the engine reads, and every mistake is placed."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from clause.engine.diagnostics import DiagnosticError, DiagnosticSet, format_diagnostic
from clause.engine.load.loader import (
    Limits,
    json_pointer,
    load_yaml,
    load_yaml_into,
    pointer_parts,
)
from clause.engine.source import Span


def errors(text: str | bytes, **kw: object) -> list[tuple[str, int, int]]:
    """(code, line, col) of every diagnostic loading `text` gives."""
    with pytest.raises(DiagnosticError) as caught:
        load_yaml(text, file="t.yaml", **kw)  # type: ignore[arg-type]
    return [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics]


def only(text: str | bytes, **kw: object) -> str:
    """The one diagnostic loading `text` gives, rendered."""
    with pytest.raises(DiagnosticError) as caught:
        load_yaml(text, file="t.yaml", **kw)  # type: ignore[arg-type]
    assert len(caught.value.diagnostics) == 1
    return format_diagnostic(caught.value.diagnostics[0])


# --- values ------------------------------------------------------------------------------------


def test_plain_values_are_typed_as_documented() -> None:
    doc = load_yaml(
        "a: true\nb: false\nc: 12\nd: -3\ne: 0.1\nf: 2021-08-16\ng: ~\nh:\ni: null\n"
        "j: 500元\nk: 0\nl: 1.5e3\n"
    )
    assert doc.data == {
        "a": True,
        "b": False,
        "c": 12,
        "d": -3,
        "e": Decimal("0.1"),
        "f": date(2021, 8, 16),
        "g": None,
        "h": None,
        "i": None,
        "j": "500元",
        "k": 0,
        "l": Decimal("1.5e3"),
    }


def test_fractions_are_exact_decimals_from_the_text_never_floats() -> None:
    doc = load_yaml("rate: 0.10\nbig: 123456789012345678901234567890.01\n")
    assert doc.data["rate"] == Decimal("0.10")
    assert str(doc.data["rate"]) == "0.10"  # the written precision is kept
    assert doc.data["big"] == Decimal("123456789012345678901234567890.01")
    assert not any(isinstance(v, float) for v in doc.data.values())


def test_quoted_values_are_always_text() -> None:
    doc = load_yaml("a: 'yes'\nb: \"010\"\nc: '2021-08-16'\nd: !!str 0x1F\ne: 'true'\n")
    assert doc.data == {"a": "yes", "b": "010", "c": "2021-08-16", "d": "0x1F", "e": "true"}


def test_keys_are_strings_as_written() -> None:
    doc = load_yaml("on: 2021-09-01\n2021: x\nyes: 1\n'q': 2\n")
    assert doc.data == {"on": date(2021, 9, 1), "2021": "x", "yes": 1, "q": 2}


def test_empty_file_is_none() -> None:
    doc = load_yaml("# only a comment\n", file="e.yaml")
    assert doc.data is None
    assert doc.span("") == Span("e.yaml", 1, 1, 1, 1)


# --- YAML 1.1 traps ----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF"])
def test_yes_no_words_are_not_booleans(word: str) -> None:
    assert errors(f"flag: {word}\n") == [("L008", 1, 7)]


@pytest.mark.parametrize("word", ["True", "FALSE", "False", "TRUE"])
def test_capitalised_booleans_are_refused(word: str) -> None:
    assert errors(f"flag: {word}\n") == [("L008", 1, 7)]


def test_yes_no_hint_says_what_to_write() -> None:
    text = only("eligible: yes\n")
    assert "t.yaml:1:11: L008 `yes` is not a boolean here" in text
    assert "write true or false" in text and "quote it ('yes')" in text


@pytest.mark.parametrize("number", ["010", "0777", "-01", "0x1F", "0o17", "0b101", "1_000", "1:30"])
def test_octal_hex_and_old_numbers_are_refused(number: str) -> None:
    assert errors(f"code: {number}\n") == [("L009", 1, 7)]


def test_octal_hint_mentions_quoting_codes() -> None:
    text = only("postcode: 010\n")
    assert "looks like an octal number" in text and "quote it ('010')" in text


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN"])
def test_infinity_and_nan_are_refused(value: str) -> None:
    assert errors(f"amount: {value}\n") == [("L009", 1, 9)]


@pytest.mark.parametrize(
    "value", ["2021-02-30", "2021-8-16", "2021-08-16 10:00:00", "2021-08-16T10:00"]
)
def test_dates_must_be_plain_valid_iso_dates(value: str) -> None:
    assert errors(f"from: {value}\n") == [("L010", 1, 7)]


def test_every_trap_in_a_file_is_reported_sorted() -> None:
    assert errors("a: yes\nb: 010\nc: 2021-13-01\nd: ok\n") == [
        ("L008", 1, 4),
        ("L009", 2, 4),
        ("L010", 3, 4),
    ]


# --- structure ---------------------------------------------------------------------------------


def test_duplicate_key_names_both_lines() -> None:
    text = only("id: a\ntitle: x\nid: b\n")
    assert text.startswith("t.yaml:3:1: L006 duplicate key `id` (lines 1 and 3)")
    assert "first written at t.yaml:1:1" in text


def test_duplicate_keys_in_nested_mappings_are_found() -> None:
    text = "versions:\n  - version: 1\n    valid: {from: 2021-08-16, from: 2021-09-01}\n"
    assert errors(text) == [("L006", 3, 31)]


def test_same_key_in_different_mappings_is_fine() -> None:
    doc = load_yaml("- {id: a}\n- {id: b}\n")
    assert doc.data == [{"id": "a"}, {"id": "b"}]


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !!set {x}\n",
        "a: !!binary aGk=\n",
        "a: !custom x\n",
        "a: !!float 1\n",
    ],
)
def test_tags_other_than_str_are_refused(text: str) -> None:
    assert [code for code, _, _ in errors(text)] == ["L007"]


def test_merge_keys_are_refused() -> None:
    assert errors("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n") == [("L014", 3, 3)]


def test_complex_keys_are_refused() -> None:
    assert errors("? [a, b]\n: 1\n") == [("L015", 1, 3)]


def test_aliases_within_limits_are_expanded() -> None:
    doc = load_yaml("q: &q 不超过500元\na: *q\nlist: &l [1, 2]\nb: *l\n")
    assert doc.data == {"q": "不超过500元", "a": "不超过500元", "list": [1, 2], "b": [1, 2]}
    assert str(doc.span("/a")) == "<string>:2:4"  # the alias is where the value is used


# --- syntax, reading, encoding -----------------------------------------------------------------


def test_syntax_error_has_position_and_help() -> None:
    text = only("title: 交通补助: 跨省\n")
    assert text.startswith("t.yaml:1:")
    assert "L004 invalid YAML: mapping values are not allowed here" in text
    assert "must be quoted" in text


def test_tab_indentation_gets_a_hint() -> None:
    text = only("a:\n\tb: 1\n")
    assert "L004" in text and "indent with spaces" in text


def test_two_documents_are_refused() -> None:
    assert errors("a: 1\n---\nb: 2\n") == [("L005", 2, 1)]


def test_not_utf8_is_refused_with_its_place() -> None:
    gbk = "quote: 补助\n".encode("gbk")
    assert errors(gbk) == [("L002", 1, 8)]
    assert "save the file as UTF-8" in only(gbk)


def test_control_characters_are_refused() -> None:
    assert errors("a: b\x07c\n") == [("L002", 1, 5)]


def test_unusual_line_breaks_are_refused_so_lines_stay_countable() -> None:
    assert errors("a: 1\nb: x\u2028y\n") == [("L002", 2, 5)]


def test_crlf_and_bom_do_not_shift_positions() -> None:
    doc = load_yaml("\ufeffa: 1\r\nb: x\r\n".encode())
    assert doc.data == {"a": 1, "b": "x"}
    assert str(doc.span("/b")) == "<string>:2:4"


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(DiagnosticError) as caught:
        load_yaml(tmp_path / "missing.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "L001"
    assert diagnostic.span.file == str(tmp_path / "missing.yaml")
    assert "no such file" in diagnostic.message


def test_reads_a_path_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("id: x\n", encoding="utf-8")
    doc = load_yaml(path, file="policies/r.yaml")
    assert doc.data == {"id": "x"}
    assert str(doc.span("/id")) == "policies/r.yaml:1:5"


def test_load_into_collects_and_returns_none() -> None:
    found = DiagnosticSet()
    assert load_yaml_into("a: yes\nb: no\n", found, file="t.yaml") is None
    assert [d.code for d in found] == ["L008", "L008"]
    assert load_yaml_into("a: true\n", found) is not None


# --- limits ------------------------------------------------------------------------------------


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_fails_fast() -> None:
    started = time.perf_counter()
    found = errors(BILLION_LAUGHS)
    assert time.perf_counter() - started < 2
    assert [code for code, _, _ in found] == ["L012"]
    assert "billion laughs" in only(BILLION_LAUGHS)


def test_too_many_aliases() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 5) + "]\n"
    assert errors(text, limits=Limits(max_aliases=3)) == [("L012", 2, 17)]  # the 4th


def test_recursive_alias() -> None:
    assert [code for code, _, _ in errors("a: &a [1, *a]\n")] == ["L013"]


def test_nesting_depth() -> None:
    deep = "a: " + "[" * 100 + "]" * 100 + "\n"
    assert errors(deep) == [("L011", 1, 67)]  # the root mapping is level 1, col 67 level 65
    assert errors("a: [[[1]]]\n", limits=Limits(max_depth=3)) == [("L011", 1, 6)]


def test_file_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as caught:
        load_yaml(path, limits=Limits(max_bytes=100))
    assert caught.value.diagnostics[0].code == "L003"
    assert errors("a: " + "x" * 200, limits=Limits(max_bytes=100)) == [("L003", 1, 1)]


# --- positions ---------------------------------------------------------------------------------


RULE = """\
id: transport
versions:
  - conditions:
      - expr: person.poverty_alleviated and trip.scope == "跨省"
        quote: 有组织跨省务工的脱贫人口
      - expr: |
          trip.organised
            and trip.cost > 0
        quote: >-
          按每人不超过 500 元标准
          给予一次性交通补助
      - expr: "a\\tb == 'x'"
        quote: 'it''s 甲'
"""


def test_value_and_key_spans() -> None:
    doc = load_yaml(RULE, file="r.yaml")
    assert doc.span("/id") == Span("r.yaml", 1, 5, 1, 14)
    assert doc.key_span("/id") == Span("r.yaml", 1, 1, 1, 3)
    assert str(doc.span("/versions/0/conditions/0/quote")) == "r.yaml:5:16"
    assert str(doc.key_span("/versions/0/conditions/1/expr")) == "r.yaml:6:9"
    assert str(doc.span("/versions/0/conditions/9/expr")) == "r.yaml:4:7"  # nearest ancestor


def located(doc_text: str, pointer: str, needle: str) -> str:
    """The file text under the span `locate` gives for `needle` inside the string."""
    doc = load_yaml(doc_text, file="r.yaml")
    value = doc.value_at(pointer)
    start = value.index(needle)
    span = doc.locate(pointer, start, start + len(needle))
    assert span.line == span.end_line
    return f"{span.line}:{doc.line(span.line)[span.col - 1 : span.end_col - 1]}"


@pytest.mark.parametrize(
    ("pointer", "needle", "expected"),
    [
        ("/versions/0/conditions/0/expr", '"跨省"', '4:"跨省"'),
        ("/versions/0/conditions/1/expr", "trip.organised", "7:trip.organised"),
        ("/versions/0/conditions/1/expr", "trip.cost", "8:trip.cost"),
        ("/versions/0/conditions/1/quote", "500", "10:500"),
        ("/versions/0/conditions/1/quote", "一次性交通补助", "11:一次性交通补助"),
        ("/versions/0/conditions/2/expr", "b == 'x'", "12:b == 'x'"),
        ("/versions/0/conditions/2/quote", "s 甲", "13:s 甲"),
    ],
)
def test_locate_inside_strings_of_every_style(pointer: str, needle: str, expected: str) -> None:
    assert located(RULE, pointer, needle) == expected


def test_locate_span_takes_positions_measured_in_the_string() -> None:
    doc = load_yaml(RULE, file="r.yaml")
    inner = Span("<expr>", 2, 7, 2, 16)  # `trip.cost` on the expression's second line
    assert doc.locate_span("/versions/0/conditions/1/expr", inner) == Span("r.yaml", 8, 17, 8, 26)


def test_line_starts_of_a_block_scalar() -> None:
    doc = load_yaml(RULE, file="r.yaml")
    assert doc.line_starts("/versions/0/conditions/1/expr")[:2] == ((7, 11), (8, 11))


def test_diagnostic_helper_fills_the_source_line() -> None:
    doc = load_yaml(RULE, file="r.yaml")
    diagnostic = doc.diagnostic("S001", "unknown key", "/id", key=True)
    assert diagnostic.span == Span("r.yaml", 1, 1, 1, 3)
    assert diagnostic.source_line == "id: transport"


def test_pointers_round_trip() -> None:
    parts = ["versions", "0", "a/b~c", ""]
    assert pointer_parts(json_pointer(parts)) == parts
    assert json_pointer([]) == "" and pointer_parts("") == []
