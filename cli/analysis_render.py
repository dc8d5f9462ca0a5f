"""`clause whynot` and `clause analyse` as text and Markdown, in Chinese or English.

In: the why-not answers for one case, or the findings of the analysis (engine.analysis), and a
language. Out: the text the commands print. Fixed words come from cli/i18n.py WORDS, findings'
messages from the catalog (engine.messages); values from the facts are made inert for the
terminal (engine.escape.printable) or for Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from clause.cli.i18n import plural, t
from clause.engine.analysis.findings import Finding, Place, facts_yaml
from clause.engine.analysis.report import plain
from clause.engine.analysis.values import Tie
from clause.engine.analysis.whynot import DECISION_DATE, Change, Proposal, WhyNot
from clause.engine.decide import Outcome
from clause.engine.escape import markdown_code, markdown_text, printable
from clause.engine.explain.words import outcome_word
from clause.engine.messages import render

# -- values --------------------------------------------------------------------------------


def shown(value: Any, lang: str) -> str:
    """A value as an officer writes it in a facts file ("(missing)" for none)."""
    if value is None:
        return t("whynot.missing_value", lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v, lang) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v, lang)}" for k, v in value.items()) + "}"
    return str(plain(value))


def bound_text(change: Change, lang: str) -> str:
    """What values work: "≥ 12", "≤ 2021-03-15", "2020-08-16 … 2021-03-15", "one of …"."""
    if change.range is not None:
        low, high = change.range
        if low is not None and high is not None:
            if low == high:
                return f"= {shown(low, lang)}"
            return f"{shown(low, lang)} … {shown(high, lang)}"
        if low is not None:
            return f"≥ {shown(low, lang)}"
        if high is not None:
            return f"≤ {shown(high, lang)}"
    if len(change.allowed) > 1:
        return t("whynot.one_of", lang, values=", ".join(shown(v, lang) for v in change.allowed))
    return ""


def _outcome(value: str | None, lang: str) -> str:
    if value is None:
        return t("whynot.not_decided", lang)
    return outcome_word(Outcome(value), lang)


# -- why not: text -------------------------------------------------------------------------


def change_line(change: Change, lang: str) -> str:
    before, after = shown(change.before, lang), shown(change.after, lang)
    if change.path == DECISION_DATE:
        head = t("whynot.date_change", lang, before=before, after=after)
    elif change.before is None:
        head = t("whynot.collect", lang, fact=change.path, value=after)
    else:
        head = f"{change.path}: {before} → {after}"
    bound = bound_text(change, lang)
    return printable(head + (t("whynot.works", lang, bound=bound) if bound else ""))


def tie_line(tie: Tie, lang: str) -> str:
    quote = f" 「{tie.quote}」" if tie.quote else ""
    key = {
        "satisfied": "whynot.satisfies",
        "no_longer_applies": "whynot.no_longer",
        "version": "whynot.brings_in",
    }[tie.effect]
    expr = " ".join(tie.expr.split())  # a folded YAML expression on one line
    return printable(t(key, lang, rule=tie.rule, id=tie.id, quote=quote, expr=expr))


def whynot_text(answers: Sequence[WhyNot], on: date, lang: str) -> str:
    if not answers:
        return t("whynot.none", lang, date=on.isoformat()) + "\n"
    lines: list[str] = []
    for answer in answers:
        rule = answer.rule
        title = rule.title_zh if lang == "zh" else rule.title_en
        outcome = outcome_word(answer.outcome, lang)
        lines.append(t("whynot.header", lang, rule=rule.id, outcome=outcome, title=title,
                       clause=rule.clause))  # fmt: skip
        if answer.missing:
            lines.append(t("whynot.missing", lang, facts=", ".join(answer.missing)))
        lines += _proposal_lines(answer, lang)
        for fact, why in answer.fixed:
            lines.append(
                t("whynot.not_proposed", lang, fact=fact, why=t(f"whynot.fixed.{why}", lang))
            )
        lines.append("")
    return "\n".join(lines)


def _proposal_lines(answer: WhyNot, lang: str) -> list[str]:
    if answer.not_analysed is not None:
        return [t("whynot.not_analysed", lang, what=answer.not_analysed.render(lang))]
    if not answer.proposals:
        return [t("whynot.no_change", lang)]
    lines = []
    for i, proposal in enumerate(answer.proposals, start=1):
        count = len(proposal.changes)
        words = plural(count, "change")
        lines.append(t("whynot.proposal", lang, number=i, count=count, changes_word=words))
        lines += _change_lines(proposal, lang, "       ", "         ")
        for stop in proposal.stops:
            before, after = _outcome(stop.before, lang), _outcome(stop.after, lang)
            lines.append("       " + t("whynot.stops", lang, rule=stop.rule, before=before,
                                           after=after))  # fmt: skip
    if not answer.complete:
        lines.append(t("whynot.more", lang))
    return lines


def _change_lines(proposal: Proposal, lang: str, head: str, under: str) -> list[str]:
    lines = []
    for change in proposal.changes:
        lines.append(head + change_line(change, lang))
        lines += [under + tie_line(tie, lang) for tie in change.ties]
    return lines


# -- why not: Markdown ---------------------------------------------------------------------


def whynot_markdown(answers: Sequence[WhyNot], on: date, lang: str) -> str:
    lines = ["# " + t("whynot.md_title", lang, date=on.isoformat()), ""]
    if not answers:
        lines.append(t("whynot.md_all", lang))
    for answer in answers:
        rule = answer.rule
        title = rule.title_zh if lang == "zh" else rule.title_en
        outcome = outcome_word(answer.outcome, lang)
        lines += [
            f"## {markdown_code(rule.id)} — {markdown_text(title)}",
            "",
            t("whynot.md_outcome", lang, outcome=outcome, clause=markdown_text(rule.clause)),
            "",
        ]
        if answer.missing:
            facts = ", ".join(markdown_code(m) for m in answer.missing)
            lines += [t("whynot.md_missing", lang, facts=facts), ""]
        for i, proposal in enumerate(answer.proposals, start=1):
            lines.append(t("whynot.md_proposal", lang, number=i, count=len(proposal.changes)))
            for change in proposal.changes:
                lines.append(f"   - {markdown_text(change_line(change, lang))}")
                lines += [f"     - {markdown_text(tie_line(t_, lang))}" for t_ in change.ties]
            for stop in proposal.stops:
                lines.append("   - " + t("whynot.md_stops", lang, rule=markdown_code(stop.rule)))
        if answer.not_analysed is not None:
            what = markdown_text(answer.not_analysed.render(lang))
            lines.append(t("whynot.md_not_analysed", lang, what=what))
        elif not answer.proposals:
            lines.append(t("whynot.md_no_change", lang))
        lines.append("")
    return "\n".join(lines)


# -- analyse: text -------------------------------------------------------------------------


def _where(place: Place) -> str:
    s = place.span
    return f"{s.file}:{s.line}:{s.col}"


def findings_text(findings: Sequence[Finding], lang: str) -> str:
    """Each finding as `file:line:col: CODE message`, its other places, its witness or why."""
    lines = []
    for f in findings:
        lines.append(printable(f"{_where(f.places[0])}: {f.code} {f.message.render(lang)}"))
        for p in f.places[1:]:
            label = render(p.label, lang)
            lines.append(printable(t("analyse.also", lang, where=_where(p), label=label)))
        for p in f.because:
            label = render(p.label, lang)
            lines.append(printable(t("analyse.because", lang, where=_where(p), label=label)))
        if f.witness is not None:
            w = f.witness
            outcomes = ", ".join(
                f"{rid} {_outcome(o, lang)}" for rid, o in sorted(w.outcomes.items())
            )
            lines.append(t("analyse.witness", lang, outcomes=outcomes, command=w.command))
            lines.append(printable(facts_yaml(w.facts, "       ").rstrip("\n")))
    found = sum(not f.is_note for f in findings)
    skipped = sum(f.code == "A900" for f in findings)
    notes = len(findings) - found - skipped
    lines.append(
        t("analyse.summary", lang, found=found, findings_word=plural(found, "finding"),
          notes=notes, notes_word=plural(notes, "note"), skipped=skipped)
    )  # fmt: skip
    return "\n".join(lines) + "\n"
