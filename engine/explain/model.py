"""The typed explanation: what every renderer (text, JSON, Markdown, HTML) draws from.

In: nothing (data types). Out: Explanation, with one DecisionExplained per decision, each
holding its rule's words, the clause it cites and every check, amount and funding line. Values
are kept typed (dates, decimals, enum reasons); renderers word them in a language and format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.decide.reasons import Outcome, Reason
from clause.engine.decide.results import AmountResult, ConditionResult
from clause.engine.model import Window
from clause.engine.source import Span


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a value is set: a document, optionally a clause of it, and its words."""

    document: str
    quote: str
    clause: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterUsed:
    """A parameter a decision used, with the value in force and the words that set it."""

    id: str
    title_zh: str
    title_en: str
    value: Decimal | str | None  # None: not configured
    locality: str | None
    citation: Citation

    @property
    def configured(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class FundingLine:
    """One source of the funding chain, named, with its share (None: not known)."""

    fund: str
    name_zh: str
    name_en: str
    amount: Decimal | None
    shortfall: bool
    quote: str
    whole: bool = False  # pays the whole amount, itself not known
    up_to: Decimal | None = None  # when not known: the most it can be


@dataclass(frozen=True, slots=True)
class CitedClause:
    """A clause a condition quotes through its `cite` (another clause of the rule's document,
    or a clause of another document of the library), with its full text, so that a page can
    show the quote in place there."""

    document: str
    clause: str
    breadcrumb: str
    text: str


@dataclass(frozen=True, slots=True)
class LayerExplained:
    """Where a decision sits in the library: its document's level and place, the rule of a
    higher document it carries out, the document that enacted the version applied (an
    amending notice, when not the rule's own) and the version that one replaced, with the
    document that had enacted the replaced version and its window."""

    level: str | None
    jurisdiction: str | None
    implements: str | None = None
    implements_document: str | None = None
    enacted_by: str | None = None
    enacted_clause: str | None = None
    replaces_version: int | None = None
    extended_by: str | None = None
    replaces_enacted_by: str | None = None  # the document that enacted the replaced version
    replaces_window: Window | None = None  # the replaced version's window


@dataclass(frozen=True, slots=True)
class DecisionExplained:
    """One rule's decision with everything needed to show why."""

    rule: str
    title_zh: str
    title_en: str
    kind: str
    document: str
    clause: str
    breadcrumb: str
    clause_text: str
    source: Span
    version: int | None
    window: Window | None
    version_reason: Reason | None
    effective_date: date | None
    outcome: Outcome
    reason: Reason
    amount: AmountResult | None
    funding: tuple[FundingLine, ...]
    missing: tuple[str, ...]
    superseded_by: str | None
    notes: tuple[Reason, ...]
    parameters: tuple[ParameterUsed, ...]
    conditions: tuple[ConditionResult, ...]
    cited: tuple[CitedClause, ...] = ()  # the clauses conditions quote by `cite`, in order
    layer: LayerExplained | None = None  # which level's document decided, and how it came to

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True, slots=True)
class Explanation:
    """The decisions for one case on one date, and what proves which case and rules they were."""

    date: date
    documents: tuple[str, ...]
    ruleset_digest: str
    facts_digest: str
    engine_version: str
    decisions: tuple[DecisionExplained, ...]
    facts: Mapping[str, Any]

    @property
    def document(self) -> str:
        """The documents decided under, as one line."""
        return "; ".join(self.documents)
