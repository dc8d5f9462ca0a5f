"""Diagnostics: findings with a stable code, a span, a label under a caret, help and notes.

Passes collect diagnostics into a `DiagnosticSet` rather than raising on the first one; the
plain-text formatter here is what tests and golden files use, the CLI only adds color.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from wcwidth import wcswidth

from clause.engine.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. `source_line` is the text of the span's first line, kept for the caret."""

    code: str
    message: str
    span: Span
    label: str = ""
    help: str = ""
    notes: tuple[str, ...] = ()
    severity: Severity = Severity.ERROR
    source_line: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.col, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.span.file,
            "line": self.span.line,
            "col": self.span.col,
            "end_line": self.span.end_line,
            "end_col": self.span.end_col,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "label": self.label,
            "help": self.help,
            "notes": list(self.notes),
        }


class DiagnosticError(Exception):
    """Raised where a pass cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(format_oneline(first) if first else "error")


@dataclass
class DiagnosticSet:
    """Collects diagnostics; iteration is sorted by place and free of duplicates."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self, max_errors: int | None = None) -> list[Diagnostic]:
        unique = sorted(set(self.items), key=Diagnostic.sort_key)
        return unique if max_errors is None else unique[:max_errors]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(set(self.items))


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str:
    """A "did you mean" hint naming the closest option, or "" when none is close.

    >>> did_you_mean("transport_costs", ["transport_cost", "departure_date"])
    'did you mean `transport_cost`?'
    """
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return f"did you mean `{close[0]}`?" if close else ""


def display_width(text: str) -> int:
    """Terminal cells taken by text: CJK characters are two wide, control characters zero."""
    width = wcswidth(text)
    if width < 0:  # some character has no defined width (a control character): count it as one
        return sum(max(wcswidth(ch), 1) for ch in text)
    return width


def format_oneline(d: Diagnostic) -> str:
    """`file:line:col: CODE message`: the form CI logs and editors parse."""
    return f"{d.span}: {d.code} {d.message}"


def format_diagnostic(d: Diagnostic) -> str:
    """The full plain-text form: headline, the source line, a caret under the span, help, notes.

    Carets are padded by display width, so they land under Chinese text correctly.
    """
    out = [format_oneline(d)]
    if d.source_line is not None:
        gutter = str(d.span.line)
        pad = " " * len(gutter)
        text = d.source_line.replace("\t", " ")
        start = min(max(d.span.col - 1, 0), len(text))
        end = d.span.end_col - 1 if d.span.end_line == d.span.line else len(text)
        end = min(max(end, start + 1), max(len(text), start + 1))
        caret_pad = " " * display_width(text[:start])
        carets = "^" * max(display_width(text[start:end]), 1)
        out.append(f"{pad} |")
        out.append(f"{gutter} | {text}")
        out.append(f"{pad} | {caret_pad}{carets}" + (f" {d.label}" if d.label else ""))
        if d.help or d.notes:
            out.append(f"{pad} |")
        for line in ([f"help: {d.help}"] if d.help else []) + list(d.notes):
            out.append(f"{pad} = {line}")
    else:
        if d.label:
            out.append(f"  {d.label}")
        if d.help:
            out.append(f"  = help: {d.help}")
        out.extend(f"  = {n}" for n in d.notes)
    return "\n".join(out)
