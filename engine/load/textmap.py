"""Map offsets inside a YAML string value back to the line and column of the file they came from.

In: the file text, a scalar's start and end index, its style and its parsed value. Out: a
`TextMap` that turns a 0-based offset in the value into a 1-based (line, col) in the file.

YAML changes text on the way in: block scalars lose their indentation, folded and flow scalars
turn line breaks into spaces, quoted scalars have escapes (`\\n`, `''`). Within one source line,
though, the text is copied in order, except for escapes. So each source line is cut into
*pieces* (runs copied as they are, and single escapes), the pieces of a line are found in the
value in order, and the map is a sorted table of (value offset, line, col) segment starts: a
character's place is its segment's start plus its distance from it. This works the same for
plain, single-quoted, double-quoted, literal `|` and folded `>` scalars, and never fails: text
it cannot place falls back to the nearest segment before it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import yaml

_ESCAPES = yaml.scanner.Scanner.ESCAPE_REPLACEMENTS
_HEX_ESCAPES = yaml.scanner.Scanner.ESCAPE_CODES
_BLANK = " \t"


@dataclass(frozen=True, slots=True)
class _Piece:
    """Decoded text of one run of a source line, the column it starts at, and whether it is an
    escape (escapes are never trimmed as surrounding white space)."""

    text: str
    col: int
    escape: bool = False


@dataclass(frozen=True, slots=True)
class TextMap:
    """Segment table of one string value; `position` is exact for every non-blank character.

    Example:
        >>> text = 'q: "a\\\\tb"\\n'
        >>> m = build_text_map(text, 3, 9, '"', "a\\tb", 1, 4)
        >>> m.position(2)  # the "b", after the two-character escape
        (1, 8)
    """

    value: str
    segments: tuple[tuple[int, int, int, int], ...]  # (value offset, length, line, col)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, col) of the character at `offset` (0-based) in the value.

        Characters YAML made up or moved (indentation kept in a `|` block, a space that was a
        line break) lie between segments: they count back from the next segment when on the
        same line of the value, else forward from the previous one.
        """
        i = bisect_right(self.segments, (offset, _BIG)) - 1
        if i >= 0:
            start, length, line, col = self.segments[i]
            if offset < start + length:
                return line, col + offset - start
        if i + 1 < len(self.segments):
            start, _, line, col = self.segments[i + 1]
            if "\n" not in self.value[offset:start]:
                return line, max(col - (start - offset), 1)
        start, _, line, col = self.segments[max(i, 0)]
        return line, col + max(offset - start, 0)


_BIG = 1 << 62


def build_text_map(
    text: str, start: int, end: int, style: str | None, value: str, line: int, col: int
) -> TextMap:
    """Build the map of the scalar `text[start:end]` that starts at 1-based (line, col).

    `style` is PyYAML's node style: None (plain), `'`, `"`, `|` or `>`.
    """
    segments: list[tuple[int, int, int, int]] = []
    cursor = 0
    for line_no, pieces in _source_lines(text[start:end], style, line, col):
        decoded = "".join(p.text for p in pieces)
        found = value.find(decoded, cursor) if decoded else -1
        if found < 0:
            continue
        for piece in pieces:
            segments.append((found, len(piece.text), line_no, piece.col))
            found += len(piece.text)
        cursor = found
    if not segments:
        segments.append((0, 0, line, col))
    return TextMap(value, tuple(segments))


def _source_lines(
    source: str, style: str | None, line: int, col: int
) -> list[tuple[int, list[_Piece]]]:
    """Each source line of a scalar as (line number, pieces), blank edges trimmed."""
    if style in ("|", ">"):
        rows = source.split("\n")[1:]  # the first line is the header (`|-`, `>2`, a comment)
        base = [(line + 1 + i, 1) for i in range(len(rows))]
    elif style in ("'", '"'):
        rows = source[1:-1].split("\n")
        base = [(line, col + 1)] + [(line + i, 1) for i in range(1, len(rows))]
    else:
        rows = source.split("\n")
        base = [(line, col)] + [(line + i, 1) for i in range(1, len(rows))]
    out = []
    for row, (line_no, base_col) in zip(rows, base, strict=True):
        pieces = _cut(row.rstrip("\r"), style, base_col)
        trimmed = _trim(pieces)
        if trimmed:
            out.append((line_no, trimmed))
    return out


def _cut(row: str, style: str | None, base_col: int) -> list[_Piece]:
    """Split one source line into verbatim runs and escapes."""
    if style == "'":
        return _cut_single(row, base_col)
    if style == '"':
        return _cut_double(row, base_col)
    return [_Piece(row, base_col)]


def _cut_single(row: str, base_col: int) -> list[_Piece]:
    pieces = []
    i = 0
    while i <= len(row):
        j = row.find("''", i)
        stop = len(row) if j < 0 else j
        if stop > i:
            pieces.append(_Piece(row[i:stop], base_col + i))
        if j < 0:
            break
        pieces.append(_Piece("'", base_col + j, escape=True))
        i = j + 2
    return pieces


def _cut_double(row: str, base_col: int) -> list[_Piece]:
    pieces = []
    i = 0
    while i < len(row):
        j = row.find("\\", i)
        stop = len(row) if j < 0 else j
        if stop > i:
            pieces.append(_Piece(row[i:stop], base_col + i))
        if j < 0 or j + 1 >= len(row):  # a final backslash escapes the line break: no text
            break
        decoded, width = _escape(row, j)
        pieces.append(_Piece(decoded, base_col + j, escape=True))
        i = j + width
    return pieces


def _escape(row: str, at: int) -> tuple[str, int]:
    """The text an escape at `row[at]` (a backslash) stands for, and its width in the source."""
    code = row[at + 1]
    if code in _ESCAPES:
        return _ESCAPES[code], 2
    digits = _HEX_ESCAPES.get(code)
    if digits is not None:
        try:
            return chr(int(row[at + 2 : at + 2 + digits], 16)), 2 + digits
        except ValueError:
            pass
    return code, 2  # not a valid escape: PyYAML would have refused the file already


def _trim(pieces: list[_Piece]) -> list[_Piece]:
    """Drop blank text at a line's edges (never escapes): YAML does not copy it, or copies it
    from elsewhere, so only the characters between are reliable anchors."""
    pieces = [p for p in pieces if p.text]
    if pieces and not pieces[0].escape:
        head = pieces[0]
        stripped = head.text.lstrip(_BLANK)
        pieces[0] = _Piece(stripped, head.col + len(head.text) - len(stripped))
    if pieces and not pieces[-1].escape:
        tail = pieces[-1]
        pieces[-1] = _Piece(tail.text.rstrip(_BLANK), tail.col)
    return [p for p in pieces if p.text]
