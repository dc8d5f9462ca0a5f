"""Renderers of an Explanation: JSON data, Markdown, and a styled text tree, side by side.

In: an Explanation and a language (zh or en). Out: JSON-ready data conforming to
`schemas/trace.schema.json`; a Markdown report; or TextNodes (lines with style names) that
`cli` draws as a Rich tree. All three word the same things the same way, from
`engine.explain.words`. User text (facts, quotes, expressions) is escaped for the format it
lands in: Markdown specials and HTML in Markdown, control characters everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clause.engine.decide.reasons import Outcome
from clause.engine.decide.results import AmountResult, ConditionResult, Read
from clause.engine.escape import markdown_cell, markdown_code, markdown_text, printable
from clause.engine.explain.build import json_value_deep
from clause.engine.explain.model import DecisionExplained, Explanation, ParameterUsed
from clause.engine.explain.words import LABELS, outcome_word, word
from clause.engine.expr.values import json_value
from clause.engine.model import Window
from clause.engine.source import Span

#: The version of the JSON trace format; bumped when its shape or meaning changes.
#: 3: outcome exception_needed, role event, conditions' in_principle, cite and outcomes read,
#: funding shares' whole and up_to, amount forms floor and computed, amount_floor.
TRACE_VERSION = 5

MARK = {True: "✓", False: "✗", None: "?"}

OUTCOME_STYLE = {
    Outcome.ELIGIBLE: "bold green",
    Outcome.COMPLIANT: "bold green",
    Outcome.INELIGIBLE: "bold red",
    Outcome.VIOLATION: "bold red",
    Outcome.NOT_APPLICABLE: "bold",
    Outcome.UNDETERMINED: "bold yellow",
    Outcome.EXCEPTION_NEEDED: "bold magenta",
}


# -- shared wording ------------------------------------------------------------------------


def span_text(span: Span) -> str:
    """`file:line:col` of a place in a rule file."""
    return f"{span.file}:{span.line}:{span.col}"


def window_text(window: Window | None) -> str:
    if window is None:
        return ""
    start = window.start.isoformat() if window.start else "…"
    end = window.end.isoformat() if window.end else "…"
    return f"{start} .. {end}"


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def amount_text(amount: AmountResult | None, lang: str) -> str:
    """`500.00 yuan (cap)`, `up to 500.00 (cap)`, or the note saying why there is none."""
    if amount is None:
        return ""
    if amount.amount is not None:
        unit = "元" if lang == "zh" else " yuan"
        return f"{money(amount.amount)}{unit} ({amount.kind})"
    if amount.cap is not None:
        return f"{LABELS[lang]['up_to']} {money(amount.cap)} ({amount.kind})"
    return word(amount.note, lang)


def param_text(p: ParameterUsed, lang: str) -> str:
    """`parameter x = 600 (甲市); <document> <clause> 「quote」`."""
    lab = LABELS[lang]
    value = json_value(p.value) if p.configured else lab["not_configured"]
    where = f" ({p.locality})" if p.locality else ""
    clause = f" {p.citation.clause}" if p.citation.clause else ""
    source = f"{p.citation.document}{clause} 「{p.citation.quote}」"
    return f"{lab['parameter']} {p.id} = {value}{where}; {source}"


def shown(value: Any) -> str:
    """A value read by a check, as the trace shows it."""
    if value is None:
        return "(missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(json_value(value))


def reads_text(reads: tuple[Read, ...]) -> str:
    return ", ".join(f"{r.path} = {shown(json_value_deep(r.value))}" for r in reads)


def layer_text(d: DecisionExplained, lang: str) -> str:
    """`county 竹溪县; carries out c2-1-… of 鄂人社发…; version 2 enacted by … 二, replacing
    version 1` — empty when the decision has nothing to say about layers."""
    layer = d.layer
    if layer is None:
        return ""
    lab = LABELS[lang]
    levels = dict(
        zip(("national", "province", "city", "county"), lab["levels"].split("|"), strict=True)
    )
    parts = []
    if layer.jurisdiction or layer.level:
        parts.append(
            f"{levels.get(layer.level or '', layer.level or '')} {layer.jurisdiction or ''}".strip()
        )
    if layer.implements:
        parts.append(
            lab["carries_out"].format(
                rule=layer.implements, document=layer.implements_document or ""
            )
        )
    if layer.enacted_by and layer.enacted_by != d.document:
        by = f"{layer.enacted_by} {layer.enacted_clause or ''}".strip()
        text = lab["enacted"].format(version=d.version, document=by)
        if layer.replaces_version is not None:
            text += ", " + lab["replacing"].format(version=layer.replaces_version)
            if layer.replaces_window is not None:
                text += f" ({window_text(layer.replaces_window)}, {layer.replaces_enacted_by})"
        parts.append(text)
    if layer.extended_by:
        parts.append(lab["extended"].format(document=layer.extended_by))
    return "; ".join(parts)


def check_mark(check: ConditionResult) -> str:
    """✓ when the check lets the benefit through, ✗ when it stops it, ? when unknown: an
    earlier-grant check that finds none shows ✓. An in-principle check that does not hold
    shows !: a deviation needing a documented exception, not a failure."""
    if check.in_principle and check.passed is False:
        return "!"
    return MARK[check.passed]


def check_label(check: ConditionResult, lang: str) -> str:
    """`condition id`, `requirement id (in principle)`."""
    lab = LABELS[lang]
    tag = f" ({lab['in_principle']})" if check.in_principle else ""
    return f"{lab[check.role.value]} {check.id}{tag}"


def cite_text(check: ConditionResult, lang: str) -> str:
    """` (clause 二.（三）)` when the quote comes from another clause than the rule's; ""."""
    if check.cite is None:
        return ""
    where = f"{check.cite.document} " if check.cite.document else ""
    return f" ({LABELS[lang]['cited']} {where}{check.cite.clause})"


def share_text(amount: Decimal | None, whole: bool, up_to: Decimal | None, lang: str) -> str:
    """A funding share: `400.00`, `the whole amount (up to 500.00)`, `— (up to 100.00)`."""
    lab = LABELS[lang]
    if amount is not None:
        return money(amount) or ""
    limit = f" ({lab['up_to']} {money(up_to)})" if up_to is not None else ""
    return f"{lab['whole']}{limit}" if whole else f"—{limit}"


# -- JSON ------------------------------------------------------------------------------------


def to_json(expl: Explanation, lang: str) -> dict[str, Any]:
    """The explanation as JSON data (trace.schema.json), labels and reasons worded in `lang`."""
    return {
        "trace_version": TRACE_VERSION,
        "date": expl.date.isoformat(),
        "lang": lang,
        "document": expl.document,
        "ruleset_digest": expl.ruleset_digest,
        "facts_digest": expl.facts_digest,
        "engine_version": expl.engine_version,
        "decisions": [decision_json(d, lang) for d in expl.decisions],
    }


def to_json_text(expl: Explanation, lang: str) -> str:
    """The JSON trace as text, exactly as `clause explain --format json` prints it and the
    service answers it (two-space indent, non-ASCII kept, a final newline)."""
    return json.dumps(to_json(expl, lang), ensure_ascii=False, indent=2) + "\n"


def decision_json(d: DecisionExplained, lang: str) -> dict[str, Any]:
    return {
        "rule": d.rule,
        "title": {"zh": d.title_zh, "en": d.title_en},
        "kind": d.kind,
        "document": d.document,
        "clause": d.clause,
        "breadcrumb": d.breadcrumb,
        "source": span_text(d.source),
        "version": d.version,
        "window": _window_json(d.window),
        "version_reason": word(d.version_reason, lang),
        "effective_date": d.effective_date.isoformat() if d.effective_date else None,
        "outcome": d.outcome.value,
        "outcome_label": outcome_word(d.outcome, lang),
        "reason": word(d.reason, lang),
        **_amount_json(d.amount, lang),
        "funding": [
            {
                "fund": f.fund,
                "name": f.name_zh if lang == "zh" else f.name_en,
                "amount": money(f.amount),
                "shortfall": f.shortfall,
                "whole": f.whole,
                "up_to": money(f.up_to),
                "quote": f.quote,
            }
            for f in d.funding
        ],
        "missing": list(d.missing),
        "superseded_by": d.superseded_by,
        "notes": [word(n, lang) for n in d.notes],
        "parameters": [_parameter_json(p) for p in d.parameters],
        "conditions": [_condition_json(c) for c in d.conditions],
        "layer": _layer_json(d),
    }


def _layer_json(d: DecisionExplained) -> dict[str, Any] | None:
    layer = d.layer
    if layer is None:
        return None
    return {
        "level": layer.level,
        "jurisdiction": layer.jurisdiction,
        "implements": layer.implements,
        "implements_document": layer.implements_document,
        "enacted_by": layer.enacted_by,
        "enacted_clause": layer.enacted_clause,
        "replaces_version": layer.replaces_version,
        "replaces_enacted_by": layer.replaces_enacted_by,
        "replaces_window": _window_json(layer.replaces_window),
        "extended_by": layer.extended_by,
    }


def _window_json(window: Window | None) -> dict[str, str | None] | None:
    if window is None:
        return None
    return {
        "from": window.start.isoformat() if window.start else None,
        "to": window.end.isoformat() if window.end else None,
    }


def _amount_json(a: AmountResult | None, lang: str) -> dict[str, Any]:
    if a is None:
        return {
            "amount": None,
            "amount_kind": None,
            "amount_cap": None,
            "amount_floor": None,
            "computation": "",
            "amount_quote": None,
            "amount_note": "",
        }
    return {
        "amount": money(a.amount),
        "amount_kind": a.kind,
        "amount_cap": money(a.cap),
        "amount_floor": money(a.floor),
        "computation": a.computation,
        "amount_quote": a.quote,
        "amount_note": word(a.note, lang),
    }


def _parameter_json(p: ParameterUsed) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": {"zh": p.title_zh, "en": p.title_en},
        "value": json_value(p.value) if p.configured else None,
        "configured": p.configured,
        "locality": p.locality,
        "citation": {
            "document": p.citation.document,
            "clause": p.citation.clause,
            "quote": p.citation.quote,
        },
    }


def _condition_json(c: ConditionResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "role": c.role.value,
        "expr": c.expr,
        "value": c.value,
        "quote": c.quote,
        "span": span_text(c.span) if c.span else "",
        "facts": [{"path": r.path, "value": json_value_deep(r.value)} for r in c.facts],
        "params": [{"path": r.path, "value": json_value_deep(r.value)} for r in c.params],
        "outcomes": [{"path": r.path, "value": json_value_deep(r.value)} for r in c.outcomes],
        "missing": list(c.missing),
        "in_principle": c.in_principle,
        "cite": {"document": c.cite.document, "clause": c.cite.clause} if c.cite else None,
    }


# -- Markdown --------------------------------------------------------------------------------


def to_markdown(expl: Explanation, lang: str) -> str:
    """The explanation as a Markdown report an auditor can file."""
    lab = LABELS[lang]
    out = [
        f"# {lab['title']}: {markdown_text(expl.document)}",
        "",
        f"- {lab['date']}: {expl.date.isoformat()}",
        f"- {lab['digest']}: `{expl.ruleset_digest}`",
        f"- {lab['facts']}: `{expl.facts_digest}`",
        f"- {lab['engine']}: clause {expl.engine_version}",
        "",
    ]
    if not expl.decisions:
        out.append(lab["none"])
    for d in expl.decisions:
        out.extend(_markdown_decision(d, lang))
    return "\n".join(out).rstrip() + "\n"


def _markdown_decision(d: DecisionExplained, lang: str) -> list[str]:
    lab = LABELS[lang]
    md = markdown_text
    out = [
        f"## {md(d.title(lang))} ({markdown_code(d.rule)}): {outcome_word(d.outcome, lang)}",
        "",
        f"- {lab['clause']}: {md(d.document)} {md(d.breadcrumb)} "
        f"({markdown_code(span_text(d.source))})",
    ]
    layered = layer_text(d, lang)
    if layered:
        out.append(f"- {lab['layer']}: {md(layered)}")
    if d.version is not None:
        reason = md(word(d.version_reason, lang))
        out.append(f"- {lab['version']}: {d.version} ({window_text(d.window)}); {reason}")
    out.append(f"- {lab['reason']}: {md(word(d.reason, lang))}")
    if d.missing:
        out.append(f"- {lab['missing']}: " + ", ".join(markdown_code(m) for m in d.missing))
    amount = amount_text(d.amount, lang)
    if amount and d.amount is not None:
        out.append(f"- {lab['amount']}: {md(amount)}")
        if d.amount.computation:
            out.append(f"  - {lab['computation']}: {markdown_code(d.amount.computation)}")
        if d.amount.quote:
            out.append(f"  - {lab['quote']}: 「{md(d.amount.quote)}」")
    for f in d.funding:
        value = share_text(f.amount, f.whole, f.up_to, lang)
        tag = f" ({lab['shortfall']})" if f.shortfall else ""
        name = f.name_zh if lang == "zh" else f.name_en
        out.append(f"- {lab['funding']}: {md(name)}{tag}: {md(value)} 「{md(f.quote)}」")
    out.extend(f"- {md(word(note, lang))}" for note in d.notes)
    out.extend(f"- {md(param_text(p, lang))}" for p in d.parameters)
    if d.conditions:
        out += [
            "",
            f"| | {lab['conditions']} | {lab['read']} | {lab['quote']} |",
            "|---|---|---|---|",
        ]
        for c in d.conditions:
            tag = f" ({lab['in_principle']})" if c.in_principle else ""
            cells = (
                check_mark(c),
                f"{lab[c.role.value]}{tag}: {markdown_code(c.expr)}",
                markdown_cell(reads_text(c.facts + c.params + c.outcomes)),
                markdown_cell(c.quote + cite_text(c, lang)),
            )
            out.append("| " + " | ".join(cells) + " |")
    out.append("")
    return out


# -- text tree -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Styled:
    """A run of text and the name of its style (Rich style syntax; "" for plain)."""

    text: str
    style: str = ""


@dataclass
class TextNode:
    """One line of the text tree and the lines under it."""

    label: tuple[Styled, ...]
    children: list[TextNode] = field(default_factory=list)

    def add(self, *label: Styled | str) -> TextNode:
        node = TextNode(tuple(s if isinstance(s, Styled) else Styled(s) for s in label))
        self.children.append(node)
        return node


def to_text(expl: Explanation, lang: str) -> tuple[list[TextNode], tuple[Styled, ...]]:
    """The explanation as one tree per decision, and a footer line (digests, engine)."""
    lab = LABELS[lang]
    trees = [decision_text(d, lang) for d in expl.decisions]
    if not trees:
        trees = [TextNode((Styled(lab["none"]),))]
    footer = (
        Styled(
            printable(
                f"{expl.document} · {lab['date']} {expl.date.isoformat()} · {lab['digest']} "
                f"{expl.ruleset_digest} · {lab['facts']} {expl.facts_digest} · "
                f"clause {expl.engine_version}"
            ),
            "dim",
        ),
    )
    return trees, footer


def decision_text(d: DecisionExplained, lang: str) -> TextNode:
    lab = LABELS[lang]
    p = printable
    tree = TextNode(
        (
            Styled(p(d.title(lang)), "bold"),
            Styled(f"  {d.rule}  "),
            Styled(outcome_word(d.outcome, lang), OUTCOME_STYLE[d.outcome]),
        )
    )
    tree.add(p(f"{lab['clause']}: {d.document} {d.breadcrumb}  ({span_text(d.source)})"))
    layered = layer_text(d, lang)
    if layered:
        tree.add(p(f"{lab['layer']}: {layered}"))
    if d.version is not None:
        reason = word(d.version_reason, lang)
        tree.add(p(f"{lab['version']} {d.version} ({window_text(d.window)}): {reason}"))
    tree.add(p(f"{lab['reason']}: {word(d.reason, lang)}"))
    if d.missing:
        tree.add(Styled(p(f"{lab['missing']}: " + ", ".join(d.missing)), "yellow"))
    if d.conditions:
        branch = tree.add(lab["conditions"])
        for c in d.conditions:
            _text_condition(branch, c, lang)
    amount = amount_text(d.amount, lang)
    if amount and d.amount is not None:
        node = tree.add(p(f"{lab['amount']}: {amount}"))
        if d.amount.computation:
            node.add(p(f"{lab['computation']}: {d.amount.computation}"))
        if d.amount.quote:
            node.add(Styled(p(f"「{d.amount.quote}」"), "italic"))
    for f in d.funding:
        value = share_text(f.amount, f.whole, f.up_to, lang)
        tag = f" ({lab['shortfall']})" if f.shortfall else ""
        name = f.name_zh if lang == "zh" else f.name_en
        node = tree.add(p(f"{lab['funding']}: {name}{tag}: {value}"))
        node.add(Styled(p(f"「{f.quote}」"), "italic"))
    for note in d.notes:
        tree.add(Styled(p(word(note, lang)), "yellow"))
    for param in d.parameters:
        tree.add(p(param_text(param, lang)))
    return tree


def _text_condition(branch: TextNode, c: ConditionResult, lang: str) -> None:
    lab = LABELS[lang]
    style = {True: "green", False: "red", None: "yellow"}[c.passed]
    if c.in_principle and c.passed is False:
        style = "magenta"
    node = branch.add(Styled(check_mark(c), style), printable(f" {check_label(c, lang)}: {c.expr}"))
    reads = reads_text(c.facts + c.params + c.outcomes)
    if reads:
        node.add(printable(f"{lab['read']}: {reads}"))
    if c.quote:
        node.add(Styled(printable(f"「{c.quote}」{cite_text(c, lang)}"), "italic"))
