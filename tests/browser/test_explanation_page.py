"""`clause explain --format html` in a real browser: what an auditor sees on screen and on A4.

Each page is the shipped example's explanation, opened from a file in headless Chromium. The
expectations come from the typed explanation of the same case (never typed in by hand): every
quote a condition, amount or funding line cites is marked inside the clause text, where the
auditor reads it; badges, amounts and the funding split are those the engine decided; the page
fetches nothing and logs no error; printing gives A4 pages.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clause.engine import api
from clause.engine.explain.html import to_html
from clause.engine.explain.model import Explanation
from clause.engine.explain.render import amount_text, share_text
from clause.engine.explain.words import outcome_word
from clause.engine.load.notice import strip_whitespace

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "policies" / "hubei" / "ehrs-2021-25"
EXAMPLE = ROOT / "examples" / "hubei" / "cross-province-migrant-worker.yaml"
DAY = date(2021, 10, 15)


@pytest.fixture(scope="module")
def explained() -> Explanation:
    library = api.open_library(HUBEI)
    return api.explain_case(library, api.load_facts(EXAMPLE, library), DAY)


def page_of(expl: Explanation, lang: str, tmp_path: Path, open_page: Any) -> Any:
    path = tmp_path / f"explain-{lang}.html"
    path.write_text(to_html(expl, lang), encoding="utf-8")
    opened = open_page(path)
    assert opened.fetched == [], "the page must not fetch anything"
    assert opened.errors == []
    return opened.page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_quote_is_highlighted_inside_its_clause_text(
    explained: Explanation, lang: str, tmp_path: Path, open_page: Any
) -> None:
    page = page_of(explained, lang, tmp_path, open_page)
    checked = 0
    for d in explained.decisions:
        article = page.locator(f'article[data-rule="{d.rule}"]')
        quotes = [c.quote for c in d.conditions]
        quotes += [d.amount.quote] if d.amount is not None and d.amount.quote else []
        quotes += [f.quote for f in d.funding]
        links = article.locator("a.quote")
        assert links.count() == len([q for q in quotes if q]), d.rule
        for i in range(links.count()):
            link = links.nth(i)
            key = link.get_attribute("href").removeprefix("#")
            marks = article.locator(f'.clause-text mark[data-quotes~="{key}"]')
            assert marks.count() >= 1
            assert marks.first.is_visible()
            shown = "".join(marks.all_inner_texts())
            assert strip_whitespace(shown) == strip_whitespace(link.inner_text()), (d.rule, key)
            colour = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
            assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
            # the link lands on the marked words, inside the clause text
            anchor = page.locator(f'[id="{key}"]')
            assert anchor.evaluate("a => a.closest('.clause-text') !== null")
            checked += 1
        # the clause text is the notice's, whole: marking never adds or drops a character
        assert article.locator(".clause-text:not(.cited)").inner_text() == d.clause_text
    assert checked >= 8


def test_outcomes_amounts_and_funding_are_shown(
    explained: Explanation, tmp_path: Path, open_page: Any
) -> None:
    page = page_of(explained, "en", tmp_path, open_page)
    summary = page.locator("#summary tbody tr")
    assert summary.count() == len(explained.decisions)
    for d in explained.decisions:
        article = page.locator(f'article[data-rule="{d.rule}"]')
        assert article.locator("header .badge").inner_text() == outcome_word(d.outcome, "en")
        assert article.locator("h2").inner_text() == d.title_en
        if d.amount is not None and d.amount.amount is not None:
            assert article.locator(".amount").inner_text() == amount_text(d.amount, "en")
            assert article.locator("code.computation").inner_text() == d.amount.computation
        for line in d.funding:
            row = article.locator(f'table.funding tr[data-fund="{line.fund}"]')
            shown = share_text(line.amount, line.whole, line.up_to, "en")
            assert row.locator("td.num").inner_text() == shown
        for c in d.conditions:
            row = article.locator(f'tr.condition[data-condition="{c.id}"]')
            for read in c.facts:
                assert read.path in row.locator(".reads").inner_text()
    paid = [d for d in explained.decisions if d.funding and d.amount and d.amount.amount]
    assert paid, "the example pays a benefit split between two funds"
    digest = page.locator("#ruleset-digest").inner_text()
    assert digest == explained.ruleset_digest
    assert page.locator("#facts-digest").inner_text() == explained.facts_digest


def test_missing_facts_are_ranked_by_the_decisions_they_block(
    explained: Explanation, tmp_path: Path, open_page: Any
) -> None:
    page = page_of(explained, "zh", tmp_path, open_page)
    rows = page.locator("#missing tbody tr")
    blocked = {}
    for d in explained.decisions:
        for path in d.missing:
            blocked.setdefault(path, set()).add(d.rule)
    shown = [rows.nth(i).get_attribute("data-fact") for i in range(rows.count())]
    assert sorted(shown) == sorted(blocked)
    counts = [len(blocked[path]) for path in shown]
    assert counts == sorted(counts, reverse=True)
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_the_page_prints_on_a4(explained: Explanation, tmp_path: Path, open_page: Any) -> None:
    page = page_of(explained, "zh", tmp_path, open_page)
    page.emulate_media(media="print")
    assert page.locator("#summary").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "a PDF with pages"
    for width, height in boxes:  # A4 is 210 x 297 mm = 595.3 x 841.9 points
        assert abs(float(width) - 595.3) < 1.5 and abs(float(height) - 841.9) < 1.5
