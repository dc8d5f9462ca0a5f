"""The explanation as one self-contained HTML page, for auditors to read, print on A4 and file.

In: an Explanation and a language (zh or en). Out: an HTML document with its stylesheet inline,
no script and nothing fetched. This module turns the explanation into plain view data (worded
by `engine.explain.words`, as the text, JSON and Markdown renderers word it); the template
`engine/templates/explanation.html.j2` lays it out and Jinja2 escapes every value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clause.engine.decide.results import ConditionResult, Read
from clause.engine.explain.build import json_value_deep
from clause.engine.explain.highlight import Segment, highlight
from clause.engine.explain.model import CitedClause, DecisionExplained, Explanation, FundingLine
from clause.engine.explain.render import (
    amount_text,
    check_mark,
    cite_text,
    layer_text,
    param_text,
    share_text,
    shown,
    span_text,
    window_text,
)
from clause.engine.explain.words import LABELS, outcome_word, word
from clause.engine.pages import render_page

STATE = {True: "pass", False: "fail", None: "unknown"}
#: When one run of text is under several quotes, the state it shows: the most telling first.
STATE_ORDER = ("fail", "exception", "unknown", "pass", "money")


def check_state(c: ConditionResult) -> str:
    """pass, fail or unknown; `exception` for an in-principle check that does not hold (a
    deviation needing a documented exception, not a failure)."""
    if c.in_principle and c.passed is False:
        return "exception"
    return STATE[c.passed]


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """A quote a decision cites, under a key unique in the page; `state` colours its mark:
    pass, fail or unknown for checks, money for amount and funding words."""

    key: str
    label: str
    text: str
    state: str
    found: bool = True


@dataclass(frozen=True, slots=True)
class SegmentView:
    """A run of clause text; `quotes` the space-separated keys of the quotes covering it."""

    text: str
    state: str
    quotes: str
    labels: str
    anchors: tuple[str, ...]


@dataclass(slots=True)
class ConditionView:
    c: ConditionResult
    mark: str
    state: str
    role: str
    value: str
    reads: list[tuple[str, str, bool]]
    params: list[tuple[str, str, bool]]
    outcomes: list[tuple[str, str, bool]]  # other rules' outcomes read, `outcome("id")`
    quote: QuoteRef
    cited: str  # ` (clause 一)` when the quote is from another clause, else ""


@dataclass(slots=True)
class ClauseView:
    """A clause's text cut into runs at the quotes placed in it: the rule's own clause, or
    another that conditions cite (`cited` set)."""

    segments: list[SegmentView]
    cited: CitedClause | None = None


@dataclass(slots=True)
class FundingView:
    line: FundingLine
    name: str
    amount: str
    quote: QuoteRef


@dataclass
class DecisionView:
    """One decision, worded and ready for the template."""

    anchor: str
    d: DecisionExplained
    title: str
    outcome_word: str
    reason: str
    version: str
    amount: str
    source: str
    layer: str = ""  # which level's document, and which document enacted the version
    segments: list[SegmentView] = field(default_factory=list)
    cited: list[ClauseView] = field(default_factory=list)
    elsewhere: list[QuoteRef] = field(default_factory=list)
    conditions: list[ConditionView] = field(default_factory=list)
    amount_quote: QuoteRef | None = None
    funding: list[FundingView] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)
    superseded_by: tuple[str, str] | None = None


def to_html(expl: Explanation, lang: str) -> str:
    """The explanation as a self-contained HTML page, labels and reasons worded in `lang`."""
    lab = LABELS[lang]
    views = [_decision(d, f"d{i + 1}", lang) for i, d in enumerate(expl.decisions)]
    _link_overrides(views)
    return render_page(
        "explanation.html.j2",
        lang=lang,
        lab=lab,
        expl=expl,
        engine_version=expl.engine_version,
        decisions=views,
        missing=ranked_missing(expl.decisions),
        facts=flat_facts(expl.facts),
    )


def _decision(d: DecisionExplained, anchor: str, lang: str) -> DecisionView:
    lab = LABELS[lang]
    version = ""
    if d.version is not None:
        version = f"{d.version} ({window_text(d.window)}): {word(d.version_reason, lang)}"
    view = DecisionView(
        anchor=anchor,
        d=d,
        title=d.title(lang),
        outcome_word=outcome_word(d.outcome, lang),
        reason=word(d.reason, lang),
        version=version,
        source=span_text(d.source),
        amount=amount_text(d.amount, lang) if d.amount is not None else "",
        notes=[word(n, lang) for n in d.notes],
        parameters=[param_text(p, lang) for p in d.parameters],
        layer=layer_text(d, lang),
    )
    cited: dict[tuple[str, str], list[QuoteRef]] = {(c.document, c.clause): [] for c in d.cited}
    own: list[QuoteRef] = []
    enacting = _enacting_quotes(d, cited)
    quotes = enacting if enacting is not None else own
    for n, c in enumerate(d.conditions, 1):
        ref = QuoteRef(f"{anchor}-c{n}", f"{lab[c.role.value]} {c.id}", c.quote, check_state(c))
        # a quote is marked in the clause it comes from: the rule's own, or the one it cites
        where = (c.cite.document or d.document, c.cite.clause) if c.cite is not None else None
        home = cited.get(where, quotes) if where is not None else quotes
        home.append(ref)
        view.conditions.append(_condition(c, ref, lang))
    if d.amount is not None and d.amount.quote:
        view.amount_quote = QuoteRef(f"{anchor}-a", lab["amount"], d.amount.quote, "money")
        quotes.append(view.amount_quote)
    for n, f in enumerate(d.funding, 1):
        name = f.name_zh if lang == "zh" else f.name_en
        ref = QuoteRef(f"{anchor}-f{n}", f"{lab['funding']}: {name}", f.quote, "money")
        quotes.append(ref)
        view.funding.append(FundingView(f, name, share_text(f.amount, f.whole, f.up_to, lang), ref))
    if enacting is not None:  # words the amendment did not change stay in the older clause
        _move_unfound(enacting, d, cited, own)
    view.segments = _place_quotes(view, d.clause_text, own)
    for clause in d.cited:
        segments = _place_quotes(view, clause.text, cited[(clause.document, clause.clause)])
        view.cited.append(ClauseView(segments, clause))
    return view


def _enacting_quotes(
    d: DecisionExplained, cited: dict[tuple[str, str], list[QuoteRef]]
) -> list[QuoteRef] | None:
    """Where the quotes that name no clause of their own are placed: the clause of the
    amending document that enacted the version applied (build puts it first among the cited
    clauses), else the rule's own clause."""
    layer = d.layer
    if layer is not None and layer.enacted_by and layer.enacted_by != d.document and d.cited:
        first = d.cited[0]
        if first.document == layer.enacted_by:
            return cited[(first.document, first.clause)]
    return None


def _move_unfound(
    enacting: list[QuoteRef],
    d: DecisionExplained,
    cited: dict[tuple[str, str], list[QuoteRef]],
    own: list[QuoteRef],
) -> None:
    """A quote sent to the amending clause (an amount or a fund, which name no clause) that
    is not in its words goes to the first other clause on the page that has them — a cited
    clause, then the rule's own; only a quote found in none is listed as quoted elsewhere."""
    first = d.cited[0]
    homes = [(c.text, cited[(c.document, c.clause)]) for c in d.cited[1:]]
    homes.append((d.clause_text, own))
    for ref in list(enacting):
        if not ref.text or _found(first.text, ref):
            continue
        home = next((quotes for text, quotes in homes if _found(text, ref)), None)
        if home is not None:
            enacting.remove(ref)
            home.append(ref)


def _found(text: str, ref: QuoteRef) -> bool:
    return not highlight(text, [(ref.key, ref.text)])[1]


def _condition(c: ConditionResult, ref: QuoteRef, lang: str) -> ConditionView:
    lab = LABELS[lang]
    value = lab["unknown"] if c.value is None else ("true" if c.value else "false")
    role = lab[c.role.value] + (f" ({lab['in_principle']})" if c.in_principle else "")
    return ConditionView(
        c,
        check_mark(c),
        check_state(c),
        role,
        value,
        _reads(c.facts),
        _reads(c.params),
        _reads(c.outcomes),
        ref,
        cite_text(c, lang).strip(),
    )


def _reads(reads: Sequence[Read]) -> list[tuple[str, str, bool]]:
    """(path, value as the trace shows it, missing?) for each fact or parameter read."""
    return [(r.path, shown(json_value_deep(r.value)), r.value is None) for r in reads]


def _place_quotes(view: DecisionView, text: str, quotes: list[QuoteRef]) -> list[SegmentView]:
    """A clause text cut at the quotes placed in it; a quote not in it is listed as quoted
    elsewhere."""
    segments, missing = highlight(text, [(q.key, q.text) for q in quotes if q.text])
    by_key = {q.key: q for q in quotes}
    for key in missing:
        ref = by_key[key]
        gone = QuoteRef(ref.key, ref.label, ref.text, ref.state, found=False)
        view.elsewhere.append(gone)
        _replace_ref(view, gone)
    return [_segment(s, by_key) for s in segments]


def _segment(s: Segment, by_key: Mapping[str, QuoteRef]) -> SegmentView:
    """A run of text; a run under several quotes shows the most telling state: a failed
    check before an unknown one, a passed one, then amount or funding words."""
    refs = [by_key[k] for k in s.keys]
    states = {r.state for r in refs}
    state = next((x for x in STATE_ORDER if x in states), "")
    labels = "; ".join(r.label for r in refs)
    return SegmentView(s.text, state, " ".join(s.keys), labels, s.anchors)


def _replace_ref(view: DecisionView, ref: QuoteRef) -> None:
    for row in view.conditions:
        if row.quote.key == ref.key:
            row.quote = ref
    for line in view.funding:
        if line.quote.key == ref.key:
            line.quote = ref
    if view.amount_quote is not None and view.amount_quote.key == ref.key:
        view.amount_quote = ref


def _link_overrides(views: Sequence[DecisionView]) -> None:
    """Tie each superseded decision to the one that replaced it, both ways, when both are on
    the page (a superseded rule may be shown alone with --rule)."""
    by_rule = {v.d.rule: v for v in views}
    for v in views:
        winner = by_rule.get(v.d.superseded_by or "")
        if winner is not None:
            v.superseded_by = (winner.d.rule, winner.anchor)
            winner.replaces.append((v.d.rule, v.anchor))


def ranked_missing(decisions: Sequence[DecisionExplained]) -> list[dict[str, Any]]:
    """Each missing fact with the decisions it leaves undetermined, the fact blocking most
    decisions first (then the one each decision lists earliest: its most decisive)."""
    rules: dict[str, list[str]] = {}
    best: dict[str, int] = {}
    for d in decisions:
        for position, path in enumerate(d.missing):
            rules.setdefault(path, []).append(d.rule)
            best[path] = min(best.get(path, position), position)
    order = sorted(rules, key=lambda p: (-len(rules[p]), best[p], p))
    return [{"path": p, "rules": rules[p]} for p in order]


def flat_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The case's facts as (dotted path, value as shown) rows, in key order."""
    out: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        else:
            out.append((prefix, shown(value)))

    walk("", json_value_deep(facts))
    return out
