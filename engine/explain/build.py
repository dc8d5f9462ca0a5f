"""Explanations: decisions in, a typed Explanation out (data only; renderers word it).

In: the library, the decisions of one case (with their traced checks), the facts and the date.
Out: an Explanation citing, for each decision, its rule, the clause text and breadcrumb, the
parameters it used with the words that set them, and the funding sources by name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from clause.engine import __version__
from clause.engine.decide.results import Decision
from clause.engine.explain.model import (
    Citation,
    CitedClause,
    DecisionExplained,
    Explanation,
    FundingLine,
    LayerExplained,
    ParameterUsed,
)
from clause.engine.expr.values import json_value
from clause.engine.library import Library
from clause.engine.model import Rule


def explain(
    library: Library, decisions: Sequence[Decision], on: date, facts: Mapping[str, Any]
) -> Explanation:
    """The explanation of `decisions` (made by `decide` with a tracing sink)."""
    return Explanation(
        date=on,
        documents=tuple(d.ref for d in library.documents),
        ruleset_digest=library.digest,
        facts_digest=facts_digest(facts),
        engine_version=__version__,
        decisions=tuple(explain_decision(library, d, facts) for d in decisions),
        facts=facts,
    )


def explain_decision(library: Library, d: Decision, facts: Mapping[str, Any]) -> DecisionExplained:
    rule, version = d.rule, d.version
    notice = library.package_of(rule).notice
    clause = notice.get(rule.clause)
    funds = library.funds
    funding = []
    for share in d.funding:
        known = funds.get(share.fund)
        funding.append(
            FundingLine(
                share.fund,
                known.name_zh if known else share.fund,
                known.name_en if known else share.fund,
                share.amount,
                share.shortfall,
                share.quote,
                share.whole,
                share.up_to,
            )
        )
    return DecisionExplained(
        rule=rule.id,
        title_zh=rule.title_zh,
        title_en=rule.title_en,
        kind=rule.kind,
        document=rule.document,
        clause=rule.clause,
        breadcrumb=notice.breadcrumb(rule.clause),
        clause_text=clause.text if clause is not None else "",
        source=rule.span,
        version=version.number if version else None,
        window=version.window if version else None,
        version_reason=d.version_reason,
        effective_date=d.effective_date,
        outcome=d.outcome,
        reason=d.reason,
        amount=d.amount,
        funding=tuple(funding),
        missing=d.missing,
        superseded_by=d.superseded_by,
        notes=d.notes,
        parameters=_parameters(library, d, facts),
        conditions=d.conditions,
        cited=_cited(library, rule, d),
        layer=_layer(library, d),
    )


def _cited(library: Library, rule: Rule, d: Decision) -> tuple[CitedClause, ...]:
    """The clauses the rule's checks quote through `cite`, each once, in the order first
    cited: of the rule's own document, or of another document of the library (`clause check`
    proves the clause exists and holds the quote). The clause of an amending document that
    enacted the version applied comes first: its quotes are that clause's words."""
    notices = {p.document.ref: p.notice for p in library.packages}
    out: dict[tuple[str, str], CitedClause] = {}
    version = d.version
    if version is not None and version.enacted_by != rule.document:
        # a version an amending document enacted quotes that document: its clause is shown
        key = (version.enacted_by, version.enacted_clause or rule.clause)
        notice = notices.get(key[0])
        clause = notice.get(key[1]) if notice is not None else None
        if notice is not None and clause is not None:
            out[key] = CitedClause(*key, notice.breadcrumb(key[1]), clause.text)
    for check in d.conditions:
        if check.cite is None:
            continue
        key = (check.cite.document or rule.document, check.cite.clause)
        notice = notices.get(key[0])
        clause = notice.get(key[1]) if notice is not None else None
        if key not in out and notice is not None and clause is not None:
            out[key] = CitedClause(*key, notice.breadcrumb(key[1]), clause.text)
    return tuple(out.values())


def _layer(library: Library, d: Decision) -> LayerExplained | None:
    """The decision's place among the library's documents (None for a library of one
    document whose version its own document enacted: nothing to say)."""
    layer = library.layers.get(d.rule.id)
    if layer is None:
        return None
    version = d.version
    enacted_by = version.enacted_by if version is not None else None
    foreign = enacted_by is not None and enacted_by != d.rule.document
    if len(library.packages) == 1 and not foreign and layer.extended_by is None:
        return None
    replaced = None
    if version is not None:
        earlier = [v for v in d.rule.versions if v.number < version.number]
        replaced = max(earlier, key=lambda v: v.number) if earlier else None
    upper = library.rule(layer.implements) if layer.implements else None
    return LayerExplained(
        level=layer.level,
        jurisdiction=layer.jurisdiction,
        implements=layer.implements,
        implements_document=upper.document if upper is not None else None,
        enacted_by=enacted_by,
        enacted_clause=version.enacted_clause if version is not None else None,
        replaces_version=replaced.number if replaced is not None else None,
        extended_by=layer.extended_by,
        replaces_enacted_by=replaced.enacted_by if replaced is not None else None,
        replaces_window=replaced.window if replaced is not None else None,
    )


def _parameters(
    library: Library, d: Decision, facts: Mapping[str, Any]
) -> tuple[ParameterUsed, ...]:
    """Every parameter the decision used (amount or conditions), with the value in force on
    the effective date for the subject's locality, and the citation that sets it."""
    ids = {d.amount.param} if d.amount and d.amount.param else set()
    ids |= {r.path.removeprefix("param.") for c in d.conditions for r in c.params}
    subject = facts.get(d.rule.subject)
    locality = subject.get("locality") if isinstance(subject, Mapping) else None
    day = d.effective_date
    out = []
    for pid in sorted(i for i in ids if i in library.parameters):
        param = library.parameters[pid]
        chosen = (
            param.value_on(day, locality if isinstance(locality, str) else None) if day else None
        )
        cited = (chosen.citation if chosen and chosen.citation else None) or param.citation
        out.append(
            ParameterUsed(
                id=pid,
                title_zh=param.title_zh,
                title_en=param.title_en,
                value=chosen.value if chosen else None,
                locality=chosen.locality if chosen else None,
                citation=Citation(cited.document, cited.quote, cited.clause),
            )
        )
    return tuple(out)


def facts_digest(facts: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the (normalised) facts: proves which case was decided."""
    text = json.dumps(
        json_value_deep(facts), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def json_value_deep(value: Any) -> Any:
    """Nested facts as JSON data: mappings with sorted keys, decimals and dates as text."""
    if isinstance(value, Mapping):
        return {str(k): json_value_deep(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [json_value_deep(v) for v in value]
    return json_value(value)
