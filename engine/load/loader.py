"""Load YAML safely into plain data, remembering the file, line and column of every key and value.

In: a path, YAML text or bytes. Out: `Loaded` (data plus {JSON pointer: Span}), or a
`DiagnosticError` carrying every L diagnostic found in the file.

API:
    load_yaml(source, *, file=None, limits=DEFAULT_LIMITS) -> Loaded
        `source` is a `Path` (read from disk), `str` (YAML text) or `bytes` (UTF-8 YAML).
        `file` is the name spans carry (default: the path as given, or "<string>").
        Raises DiagnosticError; no file with an L error is ever half-loaded.
    load_yaml_into(source, diagnostics, ...) -> Loaded | None
        The same for collecting passes: diagnostics go into the set, None comes back.
    Loaded.span(pointer) / .key_span(pointer)      where a value / its key is written
    Loaded.locate(pointer, start, end=None)         a Span for characters [start, end) of a
                                                    string value (block, folded, quoted too)
    Loaded.locate_span(pointer, inner)              a Span measured inside a string, in the file
    Loaded.line_starts(pointer)                     per line of a string value, where it starts
    Loaded.diagnostic(code, message, pointer, ...)  a Diagnostic at a value, with its source line
    Loaded.value_at(pointer) / .line(n)             the value at a pointer / a line of the file
    json_pointer(parts) / pointer_parts(pointer)    RFC 6901 pointers ("" is the whole document)

The dialect, chosen so that what an officer writes is what the engine reads:
- Values are dict, list, str, int, Decimal (any number with a fraction or exponent, built from
  the source text, never through float), bool, None and datetime.date.
- Only `true` and `false` are booleans. `yes no on off y n` (any case) and `True`, `FALSE`...
  are rejected (L008) with a hint: write true/false, or quote the word if it is text.
- Unquoted ISO dates `2021-08-16` are dates. Other date-like text (`2021-8-16`, a time of day,
  `2021-02-30`) is rejected (L010). Quote a date to keep it as text.
- `010`, `0x1F`, `0o17`, `1_000`, `1:30`, `.inf`, `.nan` are rejected (L009): quote them or
  write a plain decimal number.
- `null`, `~` and an empty value are None.
- Mapping keys are always strings, taken as written: `on:` is the key "on", `2021:` is "2021".
  A key written twice in one mapping is an error (L006) naming both lines.
- No tags except `!!str` (L007): no Python objects, no sets, no binary. No merge keys `<<` (L014).
- Limits (`Limits`): file size (L003), nesting depth (L011), number of aliases and the values
  alias expansion may produce (L012), so a "billion laughs" file fails at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError, DiagnosticSet
from clause.engine.load.composer import DEFAULT_LIMITS, Limits, StringSource
from clause.engine.load.textmap import TextMap, build_text_map
from clause.engine.load.yamlnodes import build_data
from clause.engine.messages import Text, os_reason
from clause.engine.source import Span, line_of, offset_to_line_col

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "Loaded",
    "json_pointer",
    "load_yaml",
    "load_yaml_into",
    "parent_pointer",
    "pointer_parts",
]

_ODD_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def json_pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 pointer from path parts.

    >>> json_pointer(["versions", 0, "a/b~c"])
    '/versions/0/a~1b~0c'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_parts(pointer: str) -> list[str]:
    """Path parts of an RFC 6901 pointer (list indices stay strings).

    >>> pointer_parts("/versions/0/a~1b~0c")
    ['versions', '0', 'a/b~c']
    """
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def parent_pointer(pointer: str) -> str:
    return pointer[: pointer.rfind("/")] if pointer else ""


@dataclass(frozen=True, slots=True, eq=False)
class Loaded:
    """A loaded YAML file: its data, and where each key and value is written.

    `spans` maps the JSON pointer of every value (the root is "") to its Span; `key_spans`
    maps the pointer of every mapping value to the Span of its key.
    """

    file: str
    text: str
    data: Any
    spans: Mapping[str, Span]
    key_spans: Mapping[str, Span]
    strings: Mapping[str, StringSource] = field(repr=False)
    _maps: dict[str, TextMap] = field(default_factory=dict, repr=False)
    _lines: list[str] = field(default_factory=list, repr=False)

    def span(self, pointer: str) -> Span:
        """The Span of the value at `pointer`, or of its nearest ancestor that exists."""
        while pointer not in self.spans and pointer:
            pointer = parent_pointer(pointer)
        return self.spans.get(pointer) or Span(self.file, 1, 1, 1, 1)

    def key_span(self, pointer: str) -> Span:
        """The Span of the key holding `pointer` (the value's own span for list items)."""
        return self.key_spans.get(pointer) or self.span(pointer)

    def line(self, number: int) -> str:
        """The text of a 1-based line of the file, without its line break."""
        if not self._lines:
            self._lines.extend(self.text.split("\n"))
        return self._lines[number - 1] if 1 <= number <= len(self._lines) else ""

    def text_map(self, pointer: str) -> TextMap | None:
        """The offset table of the string at `pointer`; None if it is not a string."""
        if pointer not in self._maps:
            source = self.strings.get(pointer)
            value = self.value_at(pointer)
            if source is None or not isinstance(value, str):
                return None
            self._maps[pointer] = build_text_map(
                self.text, source.start, source.end, source.style, value, source.line, source.col
            )
        return self._maps[pointer]

    def locate(self, pointer: str, start: int, end: int | None = None) -> Span:
        """The Span of characters [start, end) of the string at `pointer` (0-based offsets).

        Exact for plain, quoted, literal `|` and folded `>` strings; falls back to the value's
        span when `pointer` is not a string.
        """
        text_map = self.text_map(pointer)
        if text_map is None:
            return self.span(pointer)
        end = start + 1 if end is None or end <= start else end
        line, col = text_map.position(start)
        end_line, last_col = text_map.position(end - 1)
        return Span(self.file, line, col, end_line, last_col + 1)

    def locate_span(self, pointer: str, inner: Span) -> Span:
        """Place a Span measured inside the string at `pointer` (1-based line/col of the
        string's own text, as an expression parser reports them) in the file."""
        value = self.value_at(pointer)
        if not isinstance(value, str):
            return self.span(pointer)
        start = _offset(value, inner.line, inner.col)
        end = _offset(value, inner.end_line, inner.end_col)
        return self.locate(pointer, start, end)

    def line_starts(self, pointer: str) -> tuple[tuple[int, int], ...]:
        """For each "\\n"-separated line of the string at `pointer`, the file (line, col) of its
        first character. Exact per character only where YAML copies a line as it is (`|`
        blocks, one-line strings without escapes); `locate` is exact everywhere."""
        value = self.value_at(pointer)
        text_map = self.text_map(pointer)
        if text_map is None or not isinstance(value, str):
            span = self.span(pointer)
            return ((span.line, span.col),)
        offsets = [0] + [i + 1 for i, ch in enumerate(value) if ch == "\n"]
        return tuple(text_map.position(o) for o in offsets)

    def diagnostic(
        self, code: str, message: Text, pointer: str, *, key: bool = False, **kw: Any
    ) -> Diagnostic:
        """A Diagnostic at the value (or with key=True its key), with the source line filled;
        `message`, `label`, `help` may be catalog messages (engine.messages)."""
        span = self.key_span(pointer) if key else self.span(pointer)
        return Diagnostic.make(code, message, span, source_line=self.line(span.line), **kw)

    def finding(
        self, key: str, pointer: str, /, *, at_key: bool = False, **args: Any
    ) -> Diagnostic:
        """The catalog finding `key` (engine.messages) at the value at `pointer` (or its key)."""
        span = self.key_span(pointer) if at_key else self.span(pointer)
        return Diagnostic.of(key, span, source_line=self.line(span.line), **args)

    def value_at(self, pointer: str) -> Any:
        """The value at `pointer`, or None when there is none."""
        node: Any = self.data
        for part in pointer_parts(pointer):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return None
        return node


def _offset(text: str, line: int, col: int) -> int:
    """0-based offset of a 1-based (line, col) inside `text`, clamped to its length."""
    at = 0
    for _ in range(line - 1):
        nl = text.find("\n", at)
        if nl < 0:
            return len(text)
        at = nl + 1
    return min(at + col - 1, len(text))


def load_yaml(
    source: Path | str | bytes, *, file: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Loaded:
    """Load one YAML document; raise DiagnosticError with every L diagnostic of the file.

    Example:
        >>> doc = load_yaml("amount: 500.00\\nquote: 不超过500元\\n", file="r.yaml")
        >>> doc.data["amount"], str(doc.span("/quote")), str(doc.locate("/quote", 3))
        (Decimal('500.00'), 'r.yaml:2:8', 'r.yaml:2:11')
    """
    file, text = _read(source, file, limits)
    built = build_data(text, file, limits)
    return Loaded(file, text, built.data, built.spans, built.key_spans, built.strings)


def load_yaml_into(
    source: Path | str | bytes,
    diagnostics: DiagnosticSet,
    *,
    file: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Loaded | None:
    """Like `load_yaml`, but add the diagnostics to a set and return None on errors."""
    try:
        return load_yaml(source, file=file, limits=limits)
    except DiagnosticError as error:
        diagnostics.extend(error.diagnostics)
        return None


# --- reading -----------------------------------------------------------------------------------


def _fail(
    file: str,
    key: str,
    /,
    *,
    text: str | None = None,
    at: tuple[int, int] = (1, 1),
    **args: Any,
) -> DiagnosticError:
    line, col = at
    span = Span(file, line, col, line, col + 1)
    source_line = line_of(text, line) if text is not None else None
    return DiagnosticError([Diagnostic.of(key, span, source_line=source_line, **args)])


def _read(source: Path | str | bytes, file: str | None, limits: Limits) -> tuple[str, str]:
    """Return (file name, text): read, size-checked, decoded and line breaks normalised."""
    if isinstance(source, Path):
        file = file or str(source)
        data: bytes | str = _read_bytes(source, file, limits)
    else:
        file = file or "<string>"
        data = source
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > limits.max_bytes:
        raise _fail(file, "L003", max=limits.max_bytes)
    text = data if isinstance(data, str) else _decode(data, file)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    odd = _ODD_LINE_BREAKS.search(text)
    if odd:
        raise _fail(
            file,
            "L002/break",
            text=text,
            at=offset_to_line_col(text, odd.start()),
            code=f"{ord(odd.group()):04X}",
        )
    return file, text


def _read_bytes(path: Path, file: str, limits: Limits) -> bytes:
    """At most one byte more than the limit, so a huge or endless file costs nothing."""
    try:
        with path.open("rb") as handle:
            return handle.read(limits.max_bytes + 1)
    except OSError as error:
        raise _fail(file, "L001", reason=os_reason(error)) from None


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8", errors="replace")
        raise _fail(
            file,
            "L002/utf8",
            text=data.decode("utf-8", errors="replace"),
            at=offset_to_line_col(before, len(before)),
            byte=f"0x{data[error.start]:02X}",
        ) from None
