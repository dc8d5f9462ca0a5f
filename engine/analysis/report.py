"""Why-not answers as JSON data: the stable machine interface, described in docs/analysis.md.

In: the `WhyNot` answers for one case and date, and a language for what is worded (the note
of a benefit not analysed). Out: a JSON-ready dict. The text and Markdown forms are the
command line's (cli/analysis_render.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.analysis.values import Tie
from clause.engine.analysis.whynot import DECISION_DATE, Change, Proposal, WhyNot


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


def to_json(answers: Sequence[WhyNot], on: date, digest: str, lang: str) -> dict[str, Any]:
    return {
        "date": on.isoformat(),
        "rule_set": digest,
        "benefits": [_answer_json(a, lang) for a in answers],
    }


def _answer_json(answer: WhyNot, lang: str) -> dict[str, Any]:
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
        "not_analysed": answer.not_analysed.render(lang) if answer.not_analysed else None,
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
