"""The register dashboard: one self-contained HTML page of a `clause eval` run.

In: the run's BatchSummary (totals gathered while the register streamed past: bounded by the
number of rules, funds and fact paths, never by the number of rows), its manifest and the
library (rule titles, fund names). Out: an HTML page with counts per rule and outcome, money
per rule and funding source against the budget, the missing facts that leave most cases
undetermined, rejected rows by reason, two charts (engine.batch.charts) and the manifest.
The template is `engine/templates/dashboard.html.j2`; Jinja2 escapes every value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clause.engine.batch import charts
from clause.engine.batch.totals import OUTCOMES, ZERO, BatchSummary, FundTotals, RuleTotals
from clause.engine.batch.words import REPORT_LABELS
from clause.engine.decide.reasons import Outcome
from clause.engine.explain.words import outcome_word
from clause.engine.library import Library
from clause.engine.messages import render
from clause.engine.pages import inline_svg, render_page

#: How many missing facts the dashboard lists (the rest are in the results file).
TOP_MISSING = 25

#: Columns of the outcome table: a rule is a benefit or an obligation, never both, so their
#: outcomes share columns (as in the terminal summary).
COLUMNS = (
    ("eligible", "compliant"),
    ("ineligible", "violation"),
    ("exception_needed",),
    ("not_applicable",),
    ("undetermined",),
)


@dataclass(frozen=True, slots=True)
class FundColumn:
    """A funding source as the dashboard shows it."""

    id: str
    name: str
    totals: FundTotals
    quota: Decimal | None
    remaining: Decimal | None


def dashboard(
    summary: BatchSummary,
    manifest: Mapping[str, Any],
    library: Library,
    lang: str,
    manifest_path: str | None = None,
) -> str:
    """The dashboard page of a completed run, worded in `lang` (zh or en); `manifest_path`
    is where the manifest was written, to name it on the page."""
    lab = REPORT_LABELS[lang]
    t = summary.tally
    rules = sorted(t.rules.items())
    funds = _funds(summary, library, lang)
    present = {o for _, r in rules for o, n in r.outcomes.items() if n}
    columns = [g for g in ([o for o in group if o in present] for group in COLUMNS) if g]
    missing = t.missing_ranked()
    return render_page(
        "dashboard.html.j2",
        lang=lang,
        wide=True,
        lab=lab,
        engine_version=manifest["engine"]["version"],
        summary=summary,
        t=t,
        manifest=manifest,
        manifest_path=manifest_path,
        manifest_json=json.dumps(manifest, ensure_ascii=False, indent=2),
        titles={r.id: (r.title_zh if lang == "zh" else r.title_en) for r in library.rules_by_id},
        rules=rules,
        columns=[[(o, outcome_word(Outcome(o), lang)) for o in group] for group in columns],
        counts={rule: [sum(r.outcomes[o] for o in g) for g in columns] for rule, r in rules},
        funds=funds,
        money_rules=[(rule, r) for rule, r in rules if r.funds or r.uncovered or r.split_unknown],
        totals=_totals(rules, columns),
        missing=missing[:TOP_MISSING],
        missing_more=max(len(missing) - TOP_MISSING, 0),
        missing_rules=_missing_rules(rules),
        rejected=_rejected(summary, lang),
        fund_chart=_fund_chart(funds, lab),
        outcome_chart=_outcome_chart(rules, lang, lab),
        yuan=yuan,
    )


def _funds(summary: BatchSummary, library: Library, lang: str) -> list[FundColumn]:
    out = []
    budget, remaining = summary.budget or {}, summary.remaining or {}
    for fund in summary.funds:
        known = library.funds.get(fund)
        name = (known.name_zh if lang == "zh" else known.name_en) if known else fund
        quota = budget.get(fund)
        left = remaining.get(fund, ZERO) if quota is not None else None
        totals = summary.tally.funds.get(fund, FundTotals())
        out.append(FundColumn(fund, name, totals, quota, left))
    return out


@dataclass(frozen=True, slots=True)
class RejectedReason:
    """Rows rejected under one key (a fact path, or "row"), with the first of them."""

    key: str
    count: int
    row: int | None
    line: int | None
    reason: str  # the first row's reason, in the page's language where the catalog has it


def _rejected(summary: BatchSummary, lang: str) -> list[RejectedReason]:
    t = summary.tally
    out = []
    for key, count in sorted(t.rejected_by.items(), key=lambda kv: (-kv[1], kv[0])):
        first = t.rejected_first.get(key)
        if first is None:
            out.append(RejectedReason(key, count, None, None, ""))
        else:
            out.append(RejectedReason(key, count, first[0], first[1], render(first[2], lang)))
    return out


def _totals(rules: list[tuple[str, RuleTotals]], columns: list[list[str]]) -> dict[str, Any]:
    """Column totals of the outcome and money tables."""
    outcomes = {o: sum(r.outcomes[o] for _, r in rules) for o in OUTCOMES}
    return {
        "outcomes": outcomes,
        "columns": [sum(outcomes[o] for o in group) for group in columns],
        "decisions": sum(outcomes.values()),
        "amount": sum((r.amount for _, r in rules), ZERO),
        "amount_unknown": sum(r.amount_unknown for _, r in rules),
        "uncovered": sum((r.uncovered for _, r in rules), ZERO),
        "split_unknown": sum(r.split_unknown for _, r in rules),
        "split_unknown_amount": sum((r.split_unknown_amount for _, r in rules), ZERO),
    }


def _missing_rules(rules: list[tuple[str, RuleTotals]]) -> dict[str, list[tuple[str, int]]]:
    """For each missing fact, the rules it leaves undetermined, most decisions first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for rule, r in rules:
        for fact, count in r.missing.items():
            out.setdefault(fact, []).append((rule, count))
    for listed in out.values():
        listed.sort(key=lambda rc: (-rc[1], rc[0]))
    return out


def _fund_chart(funds: list[FundColumn], lab: Mapping[str, str]) -> Any:
    if not any(f.totals.allocated or f.quota for f in funds):
        return None
    rows = [{"name": f.name, "allocated": f.totals.allocated, "quota": f.quota} for f in funds]
    return inline_svg(charts.to_svg(charts.funds_spec(rows, lab)), "chart-funds")


def _outcome_chart(rules: list[tuple[str, RuleTotals]], lang: str, lab: Mapping[str, str]) -> Any:
    if not rules:
        return None
    rows = [
        {"rule": rule, "outcomes": {Outcome(o): n for o, n in r.outcomes.items()}}
        for rule, r in rules
    ]
    words = {o: outcome_word(o, lang) for o in Outcome}
    spec = charts.outcomes_spec(rows, words, lab["outcomes_chart"])
    return inline_svg(charts.to_svg(spec), "chart-outcomes")


def yuan(value: Decimal | None) -> str:
    """`41,715.00`; an em dash when there is no amount."""
    if value is None:
        return "—"
    return f"{value:,.2f}"
