"""Notice: clauses by stable id, breadcrumbs, and quotes checked verbatim, whitespace aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from clause.engine.diagnostics import DiagnosticError
from clause.engine.load.notice import (
    closest_passage,
    find_quote,
    load_notice,
    quote_occurs,
    strip_whitespace,
)

SHIPPED = Path(__file__).resolve().parents[2] / "policies/hubei/ehrs-2021-25/notice.yaml"

SMALL = """\
document: 测试〔2021〕1号
clauses:
  - id: 二
    number: 二、
    heading: 政策措施
    kind: section
    text: 二、政策措施
  - id: 二.（一）
    parent: 二
    number: （一）
    heading: 推进劳务输出
    kind: provision
    text: （一）推进劳务输出。按每人不超过500元标准给予一次性交通补助。
"""


def codes(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(DiagnosticError) as caught:
        load_notice(text, file="n.yaml")
    return [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics]


def test_clauses_by_id_with_title_and_breadcrumb() -> None:
    notice = load_notice(SMALL, file="n.yaml")
    item = notice.get("二.（一）")
    assert item is not None and item.parent == "二" and item.kind == "provision"
    assert item.title == "（一）推进劳务输出"
    assert notice.breadcrumb("二.（一）") == "二、政策措施 › （一）推进劳务输出"
    assert [c.id for c in notice.children("二")] == ["二.（一）"]
    assert "二.（一）" in notice and "二.（二）" not in notice
    assert str(item.span) == "n.yaml:13:11"


def test_duplicate_clause_id() -> None:
    text = SMALL.replace("id: 二.（一）", "id: 二")
    assert codes(text) == [("N001", 8, 9)]


def test_parent_must_be_an_earlier_clause() -> None:
    assert codes(SMALL.replace("parent: 二", "parent: 三")) == [("N002", 9, 13)]


def test_schema_errors_come_first_with_places() -> None:
    assert codes(SMALL.replace("kind: provision", "kind: provisoin")) == [("S004", 12, 11)]
    assert codes(SMALL.replace("    heading: 政策措施\n", "")) == [("S002", 3, 5)]


def test_load_errors_pass_through() -> None:
    assert codes(SMALL + "document: again\n") == [("L006", 14, 1)]


def test_shipped_notice_has_every_item_with_its_own_text() -> None:
    notice = load_notice(SHIPPED)
    assert notice.document == "鄂人社发〔2021〕25号"
    items = [c.id for c in notice.children("二")]
    assert items == [f"二.（{n}）" for n in "一二三四五六七八九十"] + ["二.（十一）", "二.（十二）"]
    assert [c.id for c in notice.children("三")] == ["三.（一）", "三.（二）", "三.（三）"]
    for clause in notice.clauses:
        if clause.parent:
            assert clause.text.startswith(clause.title + "。"), clause.id
    assert notice.breadcrumb("二.（十二）") == "二、政策措施 › （十二）倾斜支持重点地区"


def test_shipped_notice_quotes_land_in_the_right_clause() -> None:
    notice = load_notice(SHIPPED)
    assert notice.clauses_quoting("按每人不超过 500 元标准给予一次性交通补助") == ("二.（一）",)
    assert notice.clauses_quoting("劳务报酬发放比例不低于项目资金的15%") == ("二.（五）",)
    assert notice.clauses_quoting("人口规模800人以上的易地扶贫搬迁安置点") == ("二.（十二）",)
    assert notice.clauses_quoting("政策执行期限截止2025年12月31日") == ("施行",)


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("不超过500元", True),
        ("不超过 500 元", True),
        ("不超过\n500元", True),
        ("不超过\u3000500元", True),  # ideographic space
        ("不超过600元", False),
        ("不超过500圆", False),
        ("不超过500元,", False),  # ASCII comma is a different character from the text's
        ("", False),
        ("  ", False),
    ],
)
def test_quote_occurs_ignores_only_whitespace(quote: str, found: bool) -> None:
    assert quote_occurs(quote, "按每人不超过 500 元标准，给予补助") is found


def test_find_quote_returns_offsets_in_the_original_text() -> None:
    text = "按每人不超过 500 元\n标准给予"
    start, end = find_quote("500元标准", text) or (0, 0)
    assert text[start:end] == "500 元\n标准"


def test_closest_passage_suggests_what_was_meant() -> None:
    text = "对企业参与就业帮扶，吸纳脱贫人口就业，签订1年以上劳动合同、实现就业1年以上的"
    assert closest_passage("签订一年以上劳动合同", text) == "签订1年以上劳动合同"
    assert closest_passage("完全无关的文字内容", text) == ""


def test_strip_whitespace() -> None:
    assert strip_whitespace(" a\tb\nc\u3000d ") == "abcd"
