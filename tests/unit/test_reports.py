"""The HTML pages without a browser: quotes found in clause text, every value escaped, inline
SVG made safe, chart specs, and both languages naming every label the templates use."""

from __future__ import annotations

import doctest
import re
from datetime import date
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clause.engine import api, pages
from clause.engine.batch import charts
from clause.engine.batch.words import REPORT_LABELS
from clause.engine.decide.reasons import Outcome
from clause.engine.explain import highlight as highlight_module
from clause.engine.explain.highlight import highlight, occurrences
from clause.engine.explain.html import ranked_missing, to_html
from clause.engine.explain.words import LABELS
from clause.engine.load.notice import strip_whitespace
from clause.engine.pages import UnsafeSvg, inline_svg

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "engine" / "templates"


# -- quotes in clause text -------------------------------------------------------------------

BLANKS = st.sampled_from([" ", "\n", "\u3000", "\t", "  "])
WORDS = st.text(
    alphabet="脱贫人口按每不超过元标准给予一次性交通补助，。ab1", min_size=1, max_size=40
)


@st.composite
def text_and_quote(draw: Any) -> tuple[str, str]:
    """A clause text, and a quote cut from it with white space moved about in both."""
    text = draw(WORDS)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    spaced = "".join(c + (draw(BLANKS) if draw(st.booleans()) else "") for c in text)
    respaced = "".join(c + (draw(BLANKS) if draw(st.booleans()) else "") for c in quote)
    return spaced, respaced


@given(text_and_quote())
def test_a_quote_is_marked_where_it_is_whitespace_aside(case: tuple[str, str]) -> None:
    text, quote = case
    segments, missing = highlight(text, [("q", quote)])
    assert "".join(s.text for s in segments) == text  # nothing added, nothing lost
    assert missing == ()
    marked = "".join(s.text for s in segments if "q" in s.keys)
    assert strip_whitespace(marked) == strip_whitespace(quote)
    assert sum(1 for s in segments if "q" in s.anchors) == 1
    places = [i for i, s in enumerate(segments) if "q" in s.keys]
    assert places == list(range(places[0], places[-1] + 1))  # one passage, unbroken


@given(WORDS, WORDS)
def test_overlapping_quotes_each_keep_their_words(text: str, other: str) -> None:
    a, b = text[: len(text) // 2 + 1], text[len(text) // 3 :]
    segments, missing = highlight(text + other, [("a", a), ("b", b), ("c", "不在其中的话")])
    assert missing == ("c",)
    for key, quote in (("a", a), ("b", b)):
        marked = "".join(s.text for s in segments if key in s.keys)
        assert strip_whitespace(marked) == strip_whitespace(quote)


def test_a_repeated_word_is_marked_beside_the_passage_the_rule_cites() -> None:
    text = "将脱贫人口作为对象。对有组织跨省务工的脱贫人口按每人不超过500元标准给予补助。脱贫人口"
    segments, _ = highlight(text, [("poor", "脱贫人口"), ("amount", "按每人不超过500元")])
    assert len(occurrences("脱贫人口", text)) == 3
    before = "".join(s.text for s in segments[: next(i for i, s in enumerate(segments) if s.keys)])
    assert before == "将脱贫人口作为对象。对有组织跨省务工的"  # the second one, next to the amount


def test_module_examples() -> None:
    assert doctest.testmod(highlight_module).failed == 0


# -- the explanation page ----------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag of a page, and its text as a browser would show it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def test_explanation_escapes_every_value(hostile: Any, tmp_path: Path) -> None:
    library = api.open_library(hostile.package)
    facts_file = tmp_path / "facts.yaml"
    import yaml

    facts_file.write_text(yaml.safe_dump(hostile.facts, allow_unicode=True), encoding="utf-8")
    expl = api.explain_case(library, api.load_facts(facts_file, library), date(2030, 12, 1))
    html = to_html(expl, "en")
    page = parsed(html)
    assert not {"script", "img", "b", "iframe"} & set(page.tags)
    text = "".join(page.text)
    for s in (*hostile.strings[:2], *hostile.strings[3:]):
        assert s in text
    # no script may run and nothing may be fetched, whatever slips through
    assert f'http-equiv="Content-Security-Policy" content="{pages.CSP}"' in unescape(html)


def test_a_superseded_rule_links_to_the_rule_that_replaced_it() -> None:
    library = api.open_library(ROOT / "tests" / "fixtures" / "mini")
    facts = api.load_facts(
        ROOT / "tests" / "fixtures" / "mini" / "examples" / "person.yaml", library
    )
    expl = api.explain_case(library, facts, date(2031, 3, 15))
    superseded = [d for d in expl.decisions if d.superseded_by]
    assert superseded, "the example has a benefit replaced by another"
    html = to_html(expl, "en")
    for d in superseded:
        winner = next(i for i, w in enumerate(expl.decisions) if w.rule == d.superseded_by)
        loser = expl.decisions.index(d)
        article = html.split(f'data-rule="{d.rule}" data-outcome')[1].split("</article>")[0]
        assert f'href="#d{winner + 1}"' in article
        winner_article = html.split(f'data-rule="{d.superseded_by}" data-outcome')[1]
        assert f'href="#d{loser + 1}"' in winner_article.split("</article>")[0]


def test_missing_facts_rank_by_decisions_blocked() -> None:
    class D:
        def __init__(self, rule: str, missing: tuple[str, ...]) -> None:
            self.rule, self.missing = rule, missing

    ranked = ranked_missing([D("a", ("x", "y")), D("b", ("y",)), D("c", ("z", "x"))])  # type: ignore[list-item]
    assert [(m["path"], m["rules"]) for m in ranked] == [
        ("x", ["a", "c"]),
        ("y", ["a", "b"]),
        ("z", ["c"]),
    ]


# -- labels ------------------------------------------------------------------------------------


def test_both_languages_word_the_same_labels() -> None:
    assert LABELS["zh"].keys() == LABELS["en"].keys()
    assert REPORT_LABELS["zh"].keys() == REPORT_LABELS["en"].keys()


@pytest.mark.parametrize(
    ("template", "labels"),
    [("explanation.html.j2", LABELS["en"]), ("dashboard.html.j2", REPORT_LABELS["en"])],
)
def test_every_label_a_template_uses_is_worded(template: str, labels: dict[str, str]) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    used = set(re.findall(r"\blab\.(\w+)", source))
    used |= {
        name
        for group in re.findall(r"for name in \(([^)]*)\)", source)
        for name in re.findall(r'"(\w+)"', group)
    }
    assert used and used <= labels.keys(), used - labels.keys()


# -- inline SVG --------------------------------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


@pytest.mark.parametrize(
    "inner",
    [
        "<script>alert(1)</script>",
        '<rect onload="alert(1)"/>',
        '<a href="https://example.org/"><text>x</text></a>',
        '<use xlink:href="#nowhere"/>',
        "<foreignObject><div>x</div></foreignObject>",
        '<rect fill="url(https://example.org/x.svg#p)"/>',
        "<style>@import url(https://example.org/a.css);</style>",
    ],
)
def test_unsafe_svg_is_refused(inner: str) -> None:
    with pytest.raises(UnsafeSvg):
        inline_svg(SVG.format(inner), "c")


def test_ids_are_made_unique_per_chart_and_text_stays_text() -> None:
    svg = SVG.format(
        '<defs><clipPath id="clip1"><rect/></clipPath></defs>'
        '<g clip-path="url(#clip1)"><text>&lt;b&gt;x&lt;/b&gt;</text></g>'
    )
    out = str(inline_svg(svg, "chart-a"))
    assert 'id="chart-a-clip1"' in out and 'clip-path="url(#chart-a-clip1)"' in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>" not in out


# -- chart specs -------------------------------------------------------------------------------


def test_fund_bars_show_the_quota_only_with_a_budget() -> None:
    words = REPORT_LABELS["en"]
    paid = [{"name": "A", "allocated": Decimal("400.00"), "quota": None}]
    assert len(charts.funds_spec(paid, words)["layer"]) == 2
    budgeted = [{"name": "A", "allocated": Decimal("400.00"), "quota": Decimal("500")}]
    spec = charts.funds_spec(budgeted, words)
    assert len(spec["layer"]) == 3
    assert spec["data"]["values"][0] == {
        "fund": "A",
        "allocated": 400.0,
        "quota": 500.0,
        "label": "400.00",
    }


def test_outcome_bars_use_the_badge_colours_of_the_outcomes_present() -> None:
    words = {o: o.value for o in Outcome}
    rules = [
        {"rule": "r1", "outcomes": {Outcome.ELIGIBLE: 3, Outcome.UNDETERMINED: 1}},
        {"rule": "r2", "outcomes": {Outcome.INELIGIBLE: 2}},
    ]
    spec = charts.outcomes_spec(rules, words, "decisions")
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ["eligible", "ineligible", "undetermined"]
    assert scale["range"] == [charts.OUTCOME_COLOURS[Outcome(o)] for o in scale["domain"]]
    assert sum(v["count"] for v in spec["data"]["values"]) == 6


@pytest.mark.skipif(not charts.available(), reason="vl-convert is not installed")
def test_a_chart_is_drawn_offline_as_safe_svg() -> None:
    spec = charts.funds_spec(
        [{"name": "就业补助资金 <x>", "allocated": Decimal("1.50"), "quota": None}],
        REPORT_LABELS["zh"],
    )
    svg = str(inline_svg(charts.to_svg(spec), "f"))
    assert svg.startswith("<svg") and "就业补助资金 &lt;x&gt;" in svg


# -- quotes cited from another clause (issue 11), of this document or another of the library --


def test_a_cited_quote_is_marked_in_the_clause_of_the_document_it_names(tmp_path: Path) -> None:
    """A condition citing a clause of another document of the library: the explanation holds
    that clause's text, and the page marks the quote there, not in the rule's own clause."""
    from dataclasses import replace

    import yaml

    from clause.engine.decide import decide
    from clause.engine.decide.sink import TraceSink
    from clause.engine.explain.build import explain
    from clause.engine.library import Library
    from clause.engine.load.package import load_package
    from clause.engine.model import Cite

    forms = load_package(ROOT / "tests" / "fixtures" / "forms").package
    mini = load_package(ROOT / "tests" / "fixtures" / "mini").package
    assert forms is not None and mini is not None
    library = Library.of([forms, mini])
    case = yaml.safe_load((ROOT / "tests/golden/explain/forms-en.yaml").read_text("utf-8"))
    (tmp_path / "facts.yaml").write_text(yaml.safe_dump(case["facts"]), encoding="utf-8")
    facts = api.load_facts(tmp_path / "facts.yaml", library)
    decisions = [d for d in decide(library, facts, date(2031, 11, 20), sink=TraceSink())]
    transport = next(d for d in decisions if d.rule.id == "transport")
    other = mini.document.ref
    quote = "对有组织跨省务工的脱贫人口"
    check = replace(transport.conditions[2], quote=quote, cite=Cite("二.（一）", other))
    conditions = (*transport.conditions[:2], check, *transport.conditions[3:])
    expl = explain(library, [replace(transport, conditions=conditions)], date(2031, 11, 20), facts)
    (d,) = expl.decisions
    assert [(c.document, c.clause) for c in d.cited] == [
        (forms.document.ref, "一"),
        (other, "二.（一）"),
    ]
    assert d.cited[1].text == mini.notice.get("二.（一）").text  # type: ignore[union-attr]
    page = to_html(expl, "en")
    block = re.search(
        rf'<blockquote class="clause-text cited" data-clause="二.（一）" data-document="{other}">'
        r"(.*?)</blockquote>",
        page,
        re.S,
    )
    assert block is not None
    key = "d1-c3"  # the third check of the first decision
    assert re.search(rf'<mark class="q [a-z]+" data-quotes="{key}"[^>]*>{quote}</mark>', block[1])
    own = re.search(r'<blockquote class="clause-text">(.*?)</blockquote>', page, re.S)
    assert own is not None and f'data-quotes="{key}"' not in own[1]
