"""Why-not answers as JSON data, plain text and Markdown.

In: the `WhyNot` answers for one case and date. Out: a JSON-ready dict (the stable machine
interface, described in docs/analysis.md) and text/Markdown strings; the CLI only prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.analysis.values import Tie
from clause.engine.analysis.whynot import DECISION_DATE, Change, Proposal, WhyNot
from clause.engine.escape import markdown_code, markdown_text

_FIXED = {
    "immutable": "marked x-immutable in the facts schema",
    "past": "a date on or before the decision date (it has happened)",
    "records": "a list of records already given (never edited)",
}


def plain(value: Any) -> Any:
    """A JSON-ready value: decimals and dates as text, lists and records kept."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return str(value)


def shown(value: Any) -> str:
    """A value as an officer writes it in a facts file."""
    if value is None:
        return "(missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(plain(value))


def to_json(answers: Sequence[WhyNot], on: date, digest: str) -> dict[str, Any]:
    return {
        "date": on.isoformat(),
        "rule_set": digest,
        "benefits": [_answer_json(a) for a in answers],
    }


def _answer_json(answer: WhyNot) -> dict[str, Any]:
    return {
        "rule": answer.rule.id,
        "title": {"zh": answer.rule.title_zh, "en": answer.rule.title_en},
        "clause": answer.rule.clause,
        "outcome": answer.outcome.value,
        "missing": list(answer.missing),
        "proposals": [_proposal_json(p) for p in answer.proposals],
        "searched": list(answer.candidates),
        "not_proposed": [{"fact": f, "why": w} for f, w in answer.fixed],
        "complete": answer.complete,
        "not_analysed": answer.not_analysed or None,
        "unverified": answer.unverified,
    }


def _proposal_json(proposal: Proposal) -> dict[str, Any]:
    return {
        "changes": len(proposal.changes),
        "facts": [_change_json(c) for c in proposal.changes],
        "stops": [{"rule": s.rule, "before": s.before, "after": s.after} for s in proposal.stops],
    }


def _change_json(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fact": change.path,
        "before": plain(change.before),
        "after": plain(change.after),
        "collect": change.before is None and change.path != DECISION_DATE,
    }
    if change.range is not None:
        out["range"] = {"min": plain(change.range[0]), "max": plain(change.range[1])}
    if change.allowed:
        out["allowed"] = plain(list(change.allowed))
    out["satisfies"] = [_tie_json(t) for t in change.ties]
    return out


def _tie_json(tie: Tie) -> dict[str, Any]:
    return {
        "rule": tie.rule,
        "id": tie.id,
        "role": tie.role,
        "effect": tie.effect,
        "expr": tie.expr,
        "quote": tie.quote,
    }


# -- text ----------------------------------------------------------------------------------


def bound_text(change: Change) -> str:
    """What values work: "≥ 12", "≤ 2021-03-15", "2020-08-16 … 2021-03-15", "one of …"."""
    if change.range is not None:
        low, high = change.range
        if low is not None and high is not None:
            return f"{shown(low)} … {shown(high)}" if low != high else f"= {shown(low)}"
        if low is not None:
            return f"≥ {shown(low)}"
        if high is not None:
            return f"≤ {shown(high)}"
    if len(change.allowed) > 1:
        return "one of " + ", ".join(shown(v) for v in change.allowed)
    return ""


def _change_line(change: Change) -> str:
    if change.path == DECISION_DATE:
        head = f"decision date {shown(change.before)} → {shown(change.after)} (apply on or after)"
    elif change.before is None:
        head = f"collect {change.path}: {shown(change.after)}"
    else:
        head = f"{change.path}: {shown(change.before)} → {shown(change.after)}"
    bound = bound_text(change)
    return head + (f"   (works: {bound})" if bound else "")


def _tie_line(tie: Tie) -> str:
    what = {
        "satisfied": "satisfies",
        "no_longer_applies": f"so that {tie.rule} does not apply:",
        "version": "brings in",
    }[tie.effect]
    quote = f" 「{tie.quote}」" if tie.quote else ""
    return f"{what} {tie.id}{quote}: {tie.expr}"


def to_text(answers: Sequence[WhyNot], on: date) -> str:
    if not answers:
        return f"on {on.isoformat()} every benefit decided is eligible or not applicable\n"
    lines: list[str] = []
    for answer in answers:
        rule = answer.rule
        lines.append(f"{rule.id}  {answer.outcome.value}  {rule.title_zh} ({rule.clause})")
        if answer.missing:
            lines.append("  missing: " + ", ".join(answer.missing))
        lines += _proposal_lines(answer)
        for fact, why in answer.fixed:
            lines.append(f"  not proposed: {fact} ({_FIXED.get(why, why)})")
        lines.append("")
    return "\n".join(lines)


def _proposal_lines(answer: WhyNot) -> list[str]:
    if answer.not_analysed:
        return [f"  not analysed: {answer.not_analysed}"]
    if not answer.proposals:
        return ["  no change of the facts searched makes it payable"]
    lines = []
    for i, proposal in enumerate(answer.proposals, start=1):
        count = len(proposal.changes)
        lines.append(f"  {i}. {count} change{'s' if count > 1 else ''}:")
        for change in proposal.changes:
            lines.append("       " + _change_line(change))
            lines += ["         " + _tie_line(t) for t in change.ties]
        for stop in proposal.stops:
            lines.append(f"       ! stops paying {stop.rule} ({stop.before} → {stop.after})")
    if not answer.complete:
        lines.append("  (more alternatives exist; the smallest are shown)")
    return lines


def to_markdown(answers: Sequence[WhyNot], on: date) -> str:
    lines = [f"# Why not — {on.isoformat()}", ""]
    if not answers:
        lines.append("Every benefit decided is eligible or not applicable.")
    for answer in answers:
        rule = answer.rule
        lines += [
            f"## {markdown_code(rule.id)} — {markdown_text(rule.title_zh)}",
            "",
            f"Outcome: **{answer.outcome.value}** (clause {markdown_text(rule.clause)})",
            "",
        ]
        if answer.missing:
            lines += ["Missing: " + ", ".join(markdown_code(m) for m in answer.missing), ""]
        for i, proposal in enumerate(answer.proposals, start=1):
            lines.append(f"{i}. {len(proposal.changes)} change(s):")
            for change in proposal.changes:
                lines.append(f"   - {markdown_text(_change_line(change))}")
                lines += [f"     - {markdown_text(_tie_line(t))}" for t in change.ties]
            for stop in proposal.stops:
                lines.append(f"   - ⚠ stops paying {markdown_code(stop.rule)}")
        if answer.not_analysed:
            lines.append(f"Not analysed: {markdown_text(answer.not_analysed)}")
        elif not answer.proposals:
            lines.append("No change of the facts searched makes it payable.")
        lines.append("")
    return "\n".join(lines)
