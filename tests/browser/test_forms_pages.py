"""The language forms of issue 11 on both pages, in a real browser: what an officer reads.

The explanation of the forms fixture's cases (tests/golden/explain/forms-*.yaml) shows a rule
needing a documented exception with its own badge and its in-principle check marked `!`; a
quote cited from another clause marked inside THAT clause's text, not the rule's; an event that
did not happen given as the version's reason; each limit on grants with its period; a floor and
a computed amount with their computation. The dashboard of a small register of such cases
counts exception_needed in its own column, charts it in its own colour, and gives rejected
rows' reasons in the page's language. Expectations come from the typed explanation and the
run's summary, never typed in by hand.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from clause.engine import api
from clause.engine.api import BatchOptions, RunRecord
from clause.engine.decide.reasons import Outcome, Role
from clause.engine.explain.html import to_html
from clause.engine.explain.model import DecisionExplained, Explanation
from clause.engine.explain.render import amount_text, share_text
from clause.engine.explain.words import LABELS, outcome_word, word
from clause.engine.load.notice import strip_whitespace
from clause.engine.messages import render

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "tests" / "fixtures" / "forms"
CASES = ROOT / "tests" / "golden" / "explain"
DAY = date(2031, 11, 20)


def case(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CASES / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def library() -> Any:
    return api.open_library(FORMS)


def facts_of(library: Any, name: str, tmp_path: Path) -> Any:
    """A case's facts as `clause explain` reads them from a file."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(case(name)["facts"], allow_unicode=True), encoding="utf-8")
    return api.load_facts(path, library)


@pytest.fixture(scope="module")
def refused(library: Any, tmp_path_factory: pytest.TempPathFactory) -> Explanation:
    """forms-en: a deviation needing an exception, refusals by an event and a grant limit."""
    facts = facts_of(library, "forms-en", tmp_path_factory.mktemp("facts"))
    return api.explain_case(library, facts, DAY)


@pytest.fixture(scope="module")
def paid(library: Any, tmp_path_factory: pytest.TempPathFactory) -> Explanation:
    """forms-zh: every form met, a floor and a computed amount paid."""
    facts = facts_of(library, "forms-zh", tmp_path_factory.mktemp("facts"))
    return api.explain_case(library, facts, DAY)


def opened(expl: Explanation, lang: str, tmp_path: Path, open_page: Any) -> Any:
    path = tmp_path / f"forms-{lang}.html"
    path.write_text(to_html(expl, lang), encoding="utf-8")
    page = open_page(path)
    assert page.fetched == [] and page.errors == []
    return page.page


def decision(expl: Explanation, rule: str) -> DecisionExplained:
    return next(d for d in expl.decisions if d.rule == rule)


def background(locator: Any) -> str:
    colour: str = locator.evaluate("e => getComputedStyle(e).backgroundColor")
    return colour


def test_exception_needed_has_its_own_badge_and_mark(
    refused: Explanation, tmp_path: Path, open_page: Any
) -> None:
    expl = refused
    page = opened(expl, "en", tmp_path, open_page)
    needing = [d for d in expl.decisions if d.outcome is Outcome.EXCEPTION_NEEDED]
    assert needing, "the case departs from an in-principle requirement"
    for d in needing:
        article = page.locator(f'article[data-rule="{d.rule}"]')
        badge = article.locator("header .badge")
        assert badge.inner_text() == outcome_word(Outcome.EXCEPTION_NEEDED, "en")
        assert "exception_needed" in (badge.get_attribute("class") or "")
        assert article.locator(".reason").inner_text() == word(d.reason, "en")
        deviations = [c for c in d.conditions if c.in_principle and c.passed is False]
        assert deviations
        for c in deviations:
            row = article.locator(f'tr.condition[data-condition="{c.id}"]')
            assert row.locator("td.check").inner_text() == "!"
            assert LABELS["en"]["in_principle"] in row.inner_text()
            key = row.get_attribute("data-quote")
            mark = article.locator(f'.clause-text mark[data-quotes~="{key}"]')
            assert "exception" in (mark.get_attribute("class") or "")
            assert strip_whitespace(mark.inner_text()) == strip_whitespace(c.quote)
    # a colour of its own: not the colour of any other outcome on the page
    own = background(page.locator("#summary .badge.exception_needed").first)
    others = {d.outcome for d in expl.decisions} - {Outcome.EXCEPTION_NEEDED}
    assert others
    for outcome in others:
        assert background(page.locator(f"#summary .badge.{outcome.value}").first) != own


def test_a_cited_quote_is_marked_in_the_clause_it_comes_from(
    refused: Explanation, tmp_path: Path, open_page: Any
) -> None:
    expl = refused
    page = opened(expl, "en", tmp_path, open_page)
    cited = [(d, c) for d in expl.decisions for c in d.conditions if c.cite is not None]
    assert len(cited) >= 2
    for d, c in cited:
        assert c.cite is not None
        article = page.locator(f'article[data-rule="{d.rule}"]')
        key = article.locator(f'tr.condition[data-condition="{c.id}"]').get_attribute("data-quote")
        there = article.locator(
            f'.clause-text.cited[data-clause="{c.cite.clause}"]'
            f'[data-document="{c.cite.document or d.document}"]'
        )
        mark = there.locator(f'mark[data-quotes~="{key}"]')
        assert mark.count() == 1 and mark.is_visible()
        assert strip_whitespace(mark.inner_text()) == strip_whitespace(c.quote)
        # the cited clause is shown whole, and the quote is not looked for in the rule's own
        clause = next(x for x in d.cited if x.clause == c.cite.clause)
        assert there.inner_text() == clause.text
        own = article.locator(".clause-text:not(.cited)")
        assert own.inner_text() == d.clause_text
        assert own.locator(f'mark[data-quotes~="{key}"]').count() == 0
        assert article.locator(f'[id="{key}"]').evaluate("a => a.closest('.cited') !== null")
        assert article.locator(".elsewhere").count() == 0


def test_events_limits_floors_and_computed_amounts_are_shown(
    refused: Explanation, paid: Explanation, tmp_path: Path, open_page: Any
) -> None:
    page = opened(refused, "en", tmp_path, open_page)
    # an event that did not happen is the version's reason, and its check is marked ✗
    training = decision(refused, "training")
    event = next(c for c in training.conditions if c.role is Role.EVENT)
    article = page.locator('article[data-rule="training"]')
    assert word(training.version_reason, "en") in article.locator("dl.meta").inner_text()
    row = article.locator(f'tr.condition[data-condition="{event.id}"]')
    assert row.locator("td.check").inner_text() == "✗"
    assert row.locator("td").nth(1).inner_text().startswith(LABELS["en"]["event"])
    # each limit on grants with its period, the one that stops the benefit marked ✗
    transport = decision(refused, "transport")
    limits = [c for c in transport.conditions if c.role is Role.ONCE]
    assert len(limits) == 2
    article = page.locator('article[data-rule="transport"]')
    for c in limits:
        row = article.locator(f'tr.condition[data-condition="{c.id}"]')
        assert row.locator("td").nth(1).locator("code").inner_text() == c.expr
        assert row.locator("td.check").inner_text() == ("✓" if c.passed else "✗")
    assert article.locator(".reason").inner_text() == word(transport.reason, "en")
    # another rule's outcome read by a condition
    assert 'outcome("window")' in article.locator("li.outcome-read").inner_text()
    # a floor and a computed amount, each with its computation
    page = opened(paid, "zh", tmp_path, open_page)
    for rule in ("transport", "training", "job-subsidy"):
        d = decision(paid, rule)
        assert d.amount is not None and d.amount.amount is not None
        article = page.locator(f'article[data-rule="{rule}"]')
        assert article.locator(".amount").inner_text() == amount_text(d.amount, "zh")
        assert article.locator("code.computation").inner_text() == d.amount.computation
    kinds = [decision(paid, r).amount for r in ("transport", "training")]
    assert [a.kind for a in kinds if a is not None] == ["floor", "computed"]


def test_a_share_known_only_as_the_whole_amount(tmp_path: Path, open_page: Any) -> None:
    hubei = api.open_library(ROOT / "policies" / "hubei" / "ehrs-2021-25")
    facts = facts_of(hubei, "fare-unknown-zh", tmp_path)
    expl = api.explain_case(hubei, facts, date(2021, 10, 15))
    page = opened(expl, "zh", tmp_path, open_page)
    whole = [(d, f) for d in expl.decisions for f in d.funding if f.whole]
    assert whole
    for d, f in whole:
        row = page.locator(f'article[data-rule="{d.rule}"] tr[data-fund="{f.fund}"]')
        assert row.locator("td.num").inner_text() == share_text(f.amount, f.whole, f.up_to, "zh")


# -- the dashboard ---------------------------------------------------------------------------


def register(tmp_path: Path) -> Path:
    """Four rows: the two cases, the first with a contract of 12 months (compliant), and one
    whose contract term is not a number (rejected)."""
    refused, paid = case("forms-en")["facts"], case("forms-zh")["facts"]
    compliant = json.loads(json.dumps(refused, default=str))
    compliant["job"]["contract_months"] = 12
    bad = json.loads(json.dumps(paid, default=str))
    bad["job"]["contract_months"] = "十二"
    rows = [refused, paid, compliant, bad]
    path = tmp_path / "register.jsonl"
    lines = [json.dumps({"case_id": f"c{i}", **r}, ensure_ascii=False, default=str) for i, r in
             enumerate(rows, 1)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_dashboard_counts_exception_needed_in_its_own_column(
    library: Any, tmp_path: Path, open_page: Any
) -> None:
    source = register(tmp_path)
    report = tmp_path / "report.html"
    options = BatchOptions(on=DAY, out=tmp_path / "results.jsonl", report=report)
    summary = api.evaluate_register(library, source, options, record=RunRecord(lang="zh"))
    page = open_page(report)
    assert page.fetched == [] and page.errors == []
    page = page.page
    data = summary.to_json()
    needing = sum(r["outcomes"].get("exception_needed", 0) for r in data["rules"])
    assert needing == 1
    assert page.locator("#exception-needed .figure").inner_text() == "1"
    for r in data["rules"]:
        cell = page.locator(f'#outcomes tbody tr[data-rule="{r["rule"]}"] '
                            'td[data-outcome="exception_needed"]')  # fmt: skip
        assert cell.inner_text() == f"{r['outcomes'].get('exception_needed', 0):,}"
    head = page.locator("#outcomes thead .badge.exception_needed")
    assert head.inner_text() == outcome_word(Outcome.EXCEPTION_NEEDED, "zh")
    legend = page.locator("#chart-outcomes svg text").all_text_contents()
    assert outcome_word(Outcome.EXCEPTION_NEEDED, "zh") in legend
    # the rejected row's reason in Chinese, as the catalog words it (English in the rejects)
    (reason,) = page.locator("#rejected .reject-reason").all_inner_texts()
    (_, _, first) = summary.tally.rejected_first["job.contract_months"]
    assert reason == render(first, "zh") != render(first, "en")
    rejects = Path(summary.rejects).read_text(encoding="utf-8")
    assert render(first, "en") in rejects
