"""Diagnostics: findings with a stable code, a span, a label under a caret, help and notes.

Passes collect diagnostics into a `DiagnosticSet` rather than raising on the first one; the
plain-text formatter here is what tests and golden files use, the CLI only adds color.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from clause.engine.messages import CATALOG, Msg, Text, msg, render
from clause.engine.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Texts:
    """The parts of a finding as translatable texts (see engine.messages)."""

    message: Text
    label: Text = ""
    help: Text = ""
    notes: tuple[Text, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. `source_line` is the text of the span's first line, kept for the caret.

    `message`, `label`, `help` and `notes` hold the English text; `texts`, when set, holds the
    same parts as catalog messages, so `localized(d, "zh")` can show them in Chinese. Build
    translatable findings with `Diagnostic.of` (from the catalog) or `Diagnostic.make`.
    """

    code: str
    message: str
    span: Span
    label: str = ""
    help: str = ""
    notes: tuple[str, ...] = ()
    severity: Severity = Severity.ERROR
    source_line: str | None = None
    texts: Texts | None = field(default=None, compare=False)

    @staticmethod
    def make(
        code: str,
        message: Text,
        span: Span,
        *,
        label: Text = "",
        help: Text = "",
        notes: Iterable[Text] = (),
        severity: Severity = Severity.ERROR,
        source_line: str | None = None,
    ) -> Diagnostic:
        """A finding whose parts may be catalog messages (`msg(...)`) or bilingual texts."""
        texts = Texts(message, label, help, tuple(notes))
        return Diagnostic(
            code,
            render(message, "en"),
            span,
            render(label, "en"),
            render(help, "en"),
            tuple(render(n, "en") for n in texts.notes),
            severity,
            source_line,
            texts,
        )

    @staticmethod
    def of(
        key: str,
        span: Span,
        /,
        *,
        label: Text | None = None,
        help: Text | None = None,
        notes: Iterable[Text] = (),
        severity: Severity = Severity.ERROR,
        source_line: str | None = None,
        **args: object,
    ) -> Diagnostic:
        """The finding `key` of the catalog (`L006`, `L009/octal`) with its arguments. Its
        label, help and note come from `key.label`, `key.help`, `key.note` when the catalog
        has them and they are not given here.

        >>> d = Diagnostic.of("L006", Span("a.yaml", 3, 1, 3, 2), key="id", first=1, again=3)
        >>> d.code, d.message, localized(d, "zh").message
        ('L006', 'duplicate key `id` (lines 1 and 3)', '重复的键 `id`（第 1 行和第 3 行）')
        """
        found: list[Text] = []
        if f"{key}.note" in CATALOG:
            found.append(msg(f"{key}.note", **args))
        return Diagnostic.make(
            key.split("/")[0],
            msg(key, **args),
            span,
            label=label if label is not None else _part(key, "label", args),
            help=help if help is not None else _part(key, "help", args),
            notes=(*notes, *found),
            severity=severity,
            source_line=source_line,
        )

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


def _part(key: str, part: str, args: dict[str, object]) -> Text:
    name = f"{key}.{part}"
    return msg(name, **args) if name in CATALOG else ""


def localized(d: Diagnostic, lang: str) -> Diagnostic:
    """The finding with its texts in `lang` (unchanged when it has no translations)."""
    t = d.texts
    if t is None or lang == "en":
        return d
    return replace(
        d,
        message=render(t.message, lang),
        label=render(t.label, lang),
        help=render(t.help, lang),
        notes=tuple(render(n, lang) for n in t.notes),
    )


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
    hint = suggestion(word, options, cutoff)
    return str(hint) if hint is not None else ""


def suggestion(word: str, options: Iterable[str], cutoff: float = 0.6) -> Msg | None:
    """`did_you_mean` as a message in both languages; None when no option is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return msg("hint.did_you_mean", option=close[0]) if close else None


def display_width(text: str) -> int:
    """Terminal cells taken by text: CJK characters are two wide, control characters zero."""
    from wcwidth import wcswidth  # here, not at start-up: its tables take a while to import

    width = wcswidth(text)
    if width < 0:  # some character has no defined width (a control character): count it as one
        return sum(max(wcswidth(ch), 1) for ch in text)
    return width


def format_oneline(d: Diagnostic) -> str:
    """`file:line:col: CODE message`: the form CI logs and editors parse."""
    return f"{d.span}: {d.code} {d.message}"


#: Source lines longer than this (in display cells) are shown as a window around the caret.
MAX_SHOWN_LINE = 120

_WORDS = {"en": ("help", "note"), "zh": ("提示", "注")}


def format_diagnostic(d: Diagnostic, lang: str = "en") -> str:
    """The full plain-text form: headline, the source line, a caret under the span, help, notes;
    in `lang` when the finding has translations.

    Carets are padded by display width, so they land under Chinese text correctly. A very long
    source line (a minified file, a number of a thousand digits) is cut around the caret.
    """
    d = localized(d, lang)
    help_word = _WORDS.get(lang, _WORDS["en"])[0]
    out = [format_oneline(d)]
    if d.source_line is not None:
        gutter = str(d.span.line)
        pad = " " * len(gutter)
        text = d.source_line.replace("\t", " ")
        start = min(max(d.span.col - 1, 0), len(text))
        end = d.span.end_col - 1 if d.span.end_line == d.span.line else len(text)
        end = min(max(end, start + 1), max(len(text), start + 1))
        text, start, end = _window(text, start, end)
        caret_pad = " " * display_width(text[:start])
        carets = "^" * max(display_width(text[start:end]), 1)
        out.append(f"{pad} |")
        out.append(f"{gutter} | {text}")
        out.append(f"{pad} | {caret_pad}{carets}" + (f" {d.label}" if d.label else ""))
        if d.help or d.notes:
            out.append(f"{pad} |")
        for line in ([f"{help_word}: {d.help}"] if d.help else []) + list(d.notes):
            out.append(f"{pad} = {line}")
    else:
        if d.label:
            out.append(f"  {d.label}")
        if d.help:
            out.append(f"  = {help_word}: {d.help}")
        out.extend(f"  = {n}" for n in d.notes)
    return "\n".join(out)


def _window(text: str, start: int, end: int) -> tuple[str, int, int]:
    """At most MAX_SHOWN_LINE characters of `text` around [start, end), "…" marking the cuts."""
    if len(text) <= MAX_SHOWN_LINE:
        return text, start, end
    end = min(end, start + MAX_SHOWN_LINE // 2)
    left = max(0, start - MAX_SHOWN_LINE // 4)
    right = min(len(text), max(end, left + MAX_SHOWN_LINE))
    head = "…" if left else ""
    tail = "…" if right < len(text) else ""
    shown = head + text[left:right] + tail
    return shown, start - left + len(head), end - left + len(head)
