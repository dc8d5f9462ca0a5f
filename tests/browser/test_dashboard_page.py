"""`clause eval --report` in a real browser: the dashboard of the shipped register example.

The run is the example the README gives (examples/register, with its budget); every figure the
page shows is checked against the run's own summary and manifest: the counts, the money per
fund and against the quota, the charts' bars and legend, the facts to collect first, the
rejected rows, the digests. The page fetches nothing and logs no error.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clause.engine import api
from clause.engine.api import BatchOptions, BatchSummary, RunRecord
from clause.engine.batch.report import yuan
from clause.engine.decide.reasons import Outcome
from clause.engine.explain.words import outcome_word
from clause.engine.messages import render

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "policies" / "hubei" / "ehrs-2021-25"
REGISTER = ROOT / "examples" / "register" / "register.csv"
BUDGET = ROOT / "examples" / "register" / "budget.yaml"
DAY = date(2022, 12, 31)


def run(tmp_path: Path, lang: str) -> tuple[BatchSummary, dict[str, Any], Path]:
    library = api.open_library(HUBEI)
    report = tmp_path / f"report-{lang}.html"
    budget = api.read_budget(BUDGET)
    options = BatchOptions(on=DAY, out=tmp_path / "results.csv", budget=budget, report=report)
    record = RunRecord(lang=lang, command="clause eval register.csv")
    summary = api.evaluate_register(library, REGISTER, options, record=record)
    manifest = json.loads(Path(summary.manifest or "").read_text(encoding="utf-8"))
    return summary, manifest, report


@pytest.fixture(scope="module")
def en(tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchSummary, dict[str, Any], Path]:
    return run(tmp_path_factory.mktemp("en"), "en")


def opened(report: Path, open_page: Any) -> Any:
    page = open_page(report)
    assert page.fetched == [], "the dashboard must not fetch anything"
    assert page.errors == []
    return page.page


def test_the_figures_are_the_runs(en: Any, open_page: Any) -> None:
    summary, manifest, report = en
    page = opened(report, open_page)
    data = summary.to_json()
    assert page.locator("#rows-read .figure").inner_text() == f"{data['rows_read']:,}"
    assert page.locator("#rows-decided .figure").inner_text() == f"{data['rows_decided']:,}"
    assert page.locator("#rows-rejected .figure").inner_text() == f"{data['rows_rejected']:,}"
    total = sum(Decimal(r["amount"]) for r in data["rules"])
    assert page.locator("#eligible-amount .figure").inner_text() == yuan(total)
    assert page.locator("#total-amount").inner_text().splitlines()[0] == yuan(total)
    for r in data["rules"]:
        row = page.locator(f'#outcomes tbody tr[data-rule="{r["rule"]}"]')
        undetermined = row.locator('td[data-outcome="undetermined"]')
        assert undetermined.inner_text() == f"{r['outcomes'].get('undetermined', 0):,}"
        for fund, amount in r["funds"].items():
            cell = page.locator(f'#money tbody tr[data-rule="{r["rule"]}"] td[data-fund="{fund}"]')
            assert cell.inner_text() == yuan(Decimal(amount))
    for f in data["funds"]:
        allocated = page.locator(f'#money tfoot tr.allocated td[data-fund="{f["fund"]}"]')
        assert allocated.inner_text() == yuan(Decimal(f["allocated"]))
        remaining = page.locator(f'#money tfoot tr.remaining td[data-fund="{f["fund"]}"]')
        assert remaining.inner_text().startswith(yuan(Decimal(f["remaining"])))
    assert page.locator("#input-sha256").inner_text() == manifest["input"]["sha256"]
    assert page.locator("#ruleset-digest").inner_text() == manifest["ruleset"]["digest"]
    assert page.locator("#command").inner_text() == "clause eval register.csv"


def test_the_charts_draw_a_bar_per_fund_and_per_outcome(en: Any, open_page: Any) -> None:
    summary, _, report = en
    page = opened(report, open_page)
    data = summary.to_json()
    funds = page.locator('#chart-funds svg [aria-roledescription="bar"]')
    # a pale bar for the quota behind the bar of what the fund paid, for each fund
    assert funds.count() == 2 * len(data["funds"])
    labels = page.locator("#chart-funds svg text").all_text_contents()
    for f in data["funds"]:
        assert yuan(Decimal(f["allocated"])) in labels
    bars = page.locator('#chart-outcomes svg [aria-roledescription="bar"]')
    assert bars.count() == sum(len(r["outcomes"]) for r in data["rules"])
    texts = page.locator("#chart-outcomes svg text").all_text_contents()
    outcomes = {o for r in data["rules"] for o in r["outcomes"]}
    for outcome in outcomes:
        assert outcome_word(Outcome(outcome), "en") in texts  # the legend
    for r in data["rules"]:
        assert r["rule"] in texts  # an axis label per rule
    box = page.locator("#chart-outcomes svg").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200


def test_missing_facts_and_rejected_rows(en: Any, open_page: Any) -> None:
    summary, _, report = en
    page = opened(report, open_page)
    data = summary.to_json()
    rows = page.locator("#missing tbody tr")
    first = data["missing"][0]
    assert rows.first.get_attribute("data-fact") == first["fact"]
    assert rows.first.locator("td[data-cases]").inner_text() == f"{first['cases']:,}"
    cases = [
        int(c)
        for c in page.locator("#missing td[data-cases]").evaluate_all(
            "cells => cells.map(c => c.dataset.cases)"
        )
    ]
    assert cases == sorted(cases, reverse=True)
    counts = page.locator("#rejected tbody td.num").all_inner_texts()
    assert sum(int(c.replace(",", "")) for c in counts) == data["rows_rejected"]
    rejects = [json.loads(line) for line in Path(summary.rejects).read_text("utf-8").splitlines()]
    first_reason = page.locator("#rejected tbody tr").first.locator(".reject-reason").inner_text()
    assert first_reason in {r["reason"] for r in rejects}


def test_chinese_dashboard(tmp_path: Path, open_page: Any) -> None:
    summary, _, report = run(tmp_path, "zh")
    page = opened(report, open_page)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "名册批量决定"
    legend = page.locator("#chart-outcomes svg text").all_text_contents()
    assert outcome_word(Outcome.UNDETERMINED, "zh") in legend
    assert summary.report == str(report)
    # rejected rows' reasons in the page's language (the rejects file keeps them in English)
    for row in page.locator("#rejected tbody tr").all():
        first = summary.tally.rejected_first[row.get_attribute("data-key") or ""]
        assert row.locator(".reject-reason").inner_text() == render(first[2], "zh")
