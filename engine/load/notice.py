"""The notice text: clauses with stable ids, and whether a quote occurs verbatim in a clause.

In: a package's notice file (`notice-text.schema.json`). Out: a `Notice` of `Clause`s in the
order of the original, or a DiagnosticError (L codes from loading, S from the schema, N for
clause ids). Quotes are compared with all whitespace removed, because the transcription keeps
no line breaks of the PDF and an officer may wrap a quote anywhere.

    >>> quote_occurs("不超过 500元", "按每人不超过500元标准给予一次性交通补助")
    True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.load.loader import DEFAULT_LIMITS, Limits, Loaded, load_yaml
from clause.engine.load.validate import validate_loaded
from clause.engine.source import Span

BREADCRUMB_SEPARATOR = " › "


@dataclass(frozen=True, slots=True)
class Clause:
    """One unit of the notice: a section (二、政策措施), an item (二.（一）), or a part such
    as the title or the signature (kind "metadata"). `text` is the clause as printed,
    number and heading included; `span` is where that text is in the notice file."""

    id: str
    kind: str
    heading: str
    text: str
    parent: str | None = None
    number: str | None = None
    span: Span | None = None

    @property
    def title(self) -> str:
        """Number and heading as a reader sees them: `（一）推进劳务输出`, `二、政策措施`."""
        return f"{self.number or ''}{self.heading}"


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice's clauses in document order, looked up by id."""

    document: str
    clauses: tuple[Clause, ...]
    file: str = ""

    def get(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)

    def __contains__(self, clause_id: object) -> bool:
        return any(c.id == clause_id for c in self.clauses)

    def __iter__(self) -> Iterator[Clause]:
        return iter(self.clauses)

    def children(self, clause_id: str) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.parent == clause_id)

    def provisions(self) -> tuple[Clause, ...]:
        """The clauses with normative content: what coverage must account for."""
        return tuple(c for c in self.clauses if c.kind == "provision")

    def breadcrumb(self, clause_id: str) -> str:
        """The heading path of a clause: `二、政策措施 › （一）推进劳务输出`."""
        path: list[str] = []
        clause = self.get(clause_id)
        while clause is not None and len(path) < len(self.clauses):
            path.append(clause.title)
            clause = self.get(clause.parent) if clause.parent else None
        return BREADCRUMB_SEPARATOR.join(reversed(path))

    def text(self) -> str:
        """The whole notice: every clause's text in order, one per line."""
        return "\n".join(c.text for c in self.clauses)

    def clauses_quoting(self, quote: str) -> tuple[str, ...]:
        """Ids of the clauses whose text contains `quote` (whitespace aside): to tell an
        officer which clause a misplaced quote belongs to."""
        return tuple(c.id for c in self.clauses if quote_occurs(quote, c.text))


def load_notice(
    source: Path | str, *, file: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Notice:
    """Load and check a notice file; DiagnosticError (L, S, N codes) if anything is wrong.

    `source` is a Path to read or YAML text, as for `engine.loader.load_yaml`.
    """
    return read_notice(load_yaml(source, file=file, limits=limits))


def read_notice(loaded: Loaded) -> Notice:
    """Build a Notice from a loaded notice file, after schema and id checks."""
    problems = validate_loaded(loaded, "notice-text")
    if problems:
        raise DiagnosticError(problems)
    clauses = tuple(_clause(loaded, i, raw) for i, raw in enumerate(loaded.data["clauses"]))
    problems = _check_ids(loaded, clauses)
    if problems:
        raise DiagnosticError(problems)
    return Notice(loaded.data["document"], clauses, loaded.file)


def _clause(loaded: Loaded, index: int, raw: dict[str, Any]) -> Clause:
    return Clause(
        id=raw["id"],
        kind=raw["kind"],
        heading=raw["heading"],
        text=raw["text"],
        parent=raw.get("parent"),
        number=raw.get("number"),
        span=loaded.span(f"/clauses/{index}/text"),
    )


def _check_ids(loaded: Loaded, clauses: tuple[Clause, ...]) -> list[Diagnostic]:
    """N001: an id used twice; N002: a parent that is not an earlier clause."""
    problems = []
    first: dict[str, int] = {}
    for index, clause in enumerate(clauses):
        if clause.id in first:
            where = loaded.span(f"/clauses/{first[clause.id]}/id")
            problems.append(
                loaded.finding("N001", f"/clauses/{index}/id", id=clause.id, where=str(where))
            )
            continue
        if clause.parent is not None and clause.parent not in first:
            problems.append(
                loaded.finding("N002", f"/clauses/{index}/parent", parent=clause.parent)
            )
        first[clause.id] = index
    return problems


# --- quotes ------------------------------------------------------------------------------------


def strip_whitespace(text: str) -> str:
    """`text` without any whitespace (spaces, line breaks, ideographic space U+3000).

    >>> strip_whitespace("不超过 500 元\\n标准")
    '不超过500元标准'
    """
    return "".join(text.split())


def find_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Where `quote` occurs in `text` with whitespace ignored: [start, end) offsets into
    `text`, or None. An empty (or all-blank) quote is never found: it would prove nothing.

    >>> find_quote("500元", "不超过 500 元标准")
    (4, 9)
    """
    needle = strip_whitespace(quote)
    if not needle:
        return None
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    at = "".join(text[i] for i in positions).find(needle)
    if at < 0:
        return None
    return positions[at], positions[at + len(needle) - 1] + 1


def quote_occurs(quote: str, text: str) -> bool:
    """True when `quote` occurs verbatim in `text`, whitespace aside."""
    return find_quote(quote, text) is not None


def closest_passage(quote: str, text: str) -> str:
    """The passage of `text` most like `quote` (same length, whitespace aside): what the officer
    probably meant, for the help line when a quote is not found. Empty when nothing is close.

    >>> closest_passage("不超过600元", "按每人不超过500元标准给予一次性交通补助")
    '不超过500元'
    """
    needle = strip_whitespace(quote)
    haystack = strip_whitespace(text)
    if not needle or not haystack:
        return ""
    best, best_ratio = "", 0.0
    width = min(len(needle), len(haystack))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)
    for start in range(len(haystack) - width + 1):
        window = haystack[start : start + width]
        matcher.set_seq1(window)
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    return best if best_ratio >= 0.5 else ""
