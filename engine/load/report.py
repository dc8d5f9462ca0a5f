"""Where cross-file checks put their findings, and the finding for a quote not in its clause.

In: findings as they are found, by span or by JSON pointer into a loaded file, each a key of
the message catalog (engine.messages) with its arguments. Out: the list `clause check` reports
(engine.load.consistency, engine.load.forms).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clause.engine.diagnostics import Diagnostic
from clause.engine.load.loader import Loaded
from clause.engine.load.notice import Notice, closest_passage
from clause.engine.messages import Msg, msg
from clause.engine.source import Span


class Report:
    def __init__(self, loaded: Mapping[str, Loaded]) -> None:
        self.loaded = loaded
        self.items: list[Diagnostic] = []

    def at(self, key: str, span: Span, /, **args: Any) -> None:
        """The catalog finding `key` (engine.messages) at `span`."""
        source = self.loaded[span.file].line(span.line) if span.file in self.loaded else None
        self.items.append(Diagnostic.of(key, span, source_line=source, **args))

    def at_pointer(self, key: str, file: str, pointer: str, /, **args: Any) -> None:
        """The catalog finding `key` at the value at `pointer` in `file`."""
        self.items.append(self.loaded[file].finding(key, pointer, **args))


def bad_quote(
    report: Report, file: str, pointer: str, quote: str, clause_id: str, text: str, notice: Notice
) -> None:
    """R003: a quote that is not in the clause it cites, with the closest passage as a hint."""
    near = closest_passage(quote, text)
    elsewhere = [c for c in notice.clauses_quoting(quote) if c != clause_id]
    hint: Msg | str = msg("hint.clause_says", text=near) if near else ""
    if elsewhere:
        hint = msg("hint.quote_elsewhere", clauses=", ".join(elsewhere), clause=clause_id)
    report.at_pointer(
        "R003", file, pointer, clause=clause_id, help=hint, crumb=notice.breadcrumb(clause_id)
    )
