"""Where cross-file checks put their findings, and the finding for a quote not in its clause.

In: diagnostics as they are found, by span or by JSON pointer into a loaded file. Out: the list
`clause check` reports (engine.load.consistency, engine.load.forms).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clause.engine.diagnostics import Diagnostic
from clause.engine.load.loader import Loaded
from clause.engine.load.notice import Notice, closest_passage
from clause.engine.source import Span


class Report:
    def __init__(self, loaded: Mapping[str, Loaded]) -> None:
        self.loaded = loaded
        self.items: list[Diagnostic] = []

    def at(self, code: str, message: str, span: Span, **kw: Any) -> None:
        source = self.loaded[span.file].line(span.line) if span.file in self.loaded else None
        self.items.append(Diagnostic(code, message, span, source_line=source, **kw))

    def at_pointer(self, code: str, message: str, file: str, pointer: str, **kw: Any) -> None:
        self.items.append(self.loaded[file].diagnostic(code, message, pointer, **kw))


def bad_quote(
    report: Report, file: str, pointer: str, quote: str, clause_id: str, text: str, notice: Notice
) -> None:
    near = closest_passage(quote, text)
    elsewhere = [c for c in notice.clauses_quoting(quote) if c != clause_id]
    help = f"the clause says: {near}" if near else ""
    if elsewhere:
        help = f"these words are in clause {', '.join(elsewhere)}, not {clause_id}"
    report.at_pointer(
        "R003",
        f"quote is not in the text of clause {clause_id}",
        file,
        pointer,
        label="not found verbatim (whitespace aside)",
        help=help,
        notes=(f"clause: {notice.breadcrumb(clause_id)}",),
    )
