"""Facts, rule titles, clause text, quotes, fund names and rejected cells that carry HTML or
script are shown as the characters they are, on both pages, in a real browser: nothing runs,
no element is made from them, nothing is fetched."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from clause.engine import api
from clause.engine.api import BatchOptions, RunRecord
from clause.engine.explain.html import to_html
from clause.engine.load.notice import strip_whitespace

DAY = date(2030, 12, 1)
FOREIGN = "script, img, iframe, b, i, foreignObject"


def assert_inert(opened: Any, strings: tuple[str, ...]) -> str:
    page = opened.page
    assert opened.fetched == []
    assert opened.errors == []
    assert page.evaluate("() => window.pwned") is None
    assert page.locator(FOREIGN).count() == 0
    text = page.locator("body").inner_text()
    for s in strings:
        assert s in text, f"{s!r} is not shown as text"
    return str(text)


def test_explanation_shows_hostile_text_as_text(
    hostile: Any, tmp_path: Path, open_page: Any
) -> None:
    library = api.open_library(hostile.package)
    facts = api.load_facts(_facts_file(hostile, tmp_path), library)
    page_file = tmp_path / "explain.html"
    page_file.write_text(to_html(api.explain_case(library, facts, DAY), "en"), encoding="utf-8")
    opened = open_page(page_file)
    assert_inert(opened, hostile.strings[:2] + hostile.strings[3:])
    # the quote with markup in it is still found and marked in the clause text
    article = opened.page.locator('article[data-rule="transport"]')
    key = article.locator('tr.condition[data-condition="poor"]').get_attribute("data-quote")
    marked = "".join(article.locator(f'.clause-text mark[data-quotes~="{key}"]').all_inner_texts())
    assert strip_whitespace(marked) == strip_whitespace("脱贫人口" + hostile.strings[0])


def test_dashboard_shows_hostile_text_as_text(hostile: Any, tmp_path: Path, open_page: Any) -> None:
    library = api.open_library(hostile.package)
    report = tmp_path / "report.html"
    options = BatchOptions(on=DAY, out=tmp_path / "results.csv", report=report)
    record = RunRecord(lang="en", command="clause eval '<script>x</script>.csv'")
    summary = api.evaluate_register(library, hostile.register, options, record=record)
    assert summary.tally.rows_rejected == 1
    opened = open_page(report)
    text = assert_inert(opened, (hostile.strings[1], hostile.strings[2], "<iframe src=x></iframe>"))
    assert hostile.register.name in text
    assert "<script>x</script>" in opened.page.locator("#command").inner_text()
    # the fund's name is a chart label too: text inside the SVG, not markup
    labels = opened.page.locator("#chart-funds svg text").all_text_contents()
    assert hostile.strings[2] in labels


def _facts_file(hostile: Any, tmp_path: Path) -> Path:
    import json

    path = tmp_path / "facts.json"
    path.write_text(json.dumps(hostile.facts, ensure_ascii=False), encoding="utf-8")
    return path
