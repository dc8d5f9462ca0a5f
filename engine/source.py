"""Source positions: where in which file a piece of user text sits.

Lines and columns are 1-based and counted in code points, so a Chinese character is one column;
display width (two cells for CJK) is a rendering concern handled in `diagnostics`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A range of text: start inclusive, end exclusive, 1-based line and column.

    Example:
        >>> Span("<expr>", 1, 5, 1, 9).shift(line=14, col=12)
        Span(file='<expr>', line=14, col=16, end_line=14, end_col=20)
    """

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def shift(self, line: int, col: int) -> Span:
        """Place a span relative to (line, col): where the text it was measured in begins.

        Only the first line of the inner text is shifted in column, because later lines start
        at the margin of the outer file.
        """
        first_col = col - 1
        return Span(
            self.file,
            self.line + line - 1,
            self.col + (first_col if self.line == 1 else 0),
            self.end_line + line - 1,
            self.end_col + (first_col if self.end_line == 1 else 0),
        )

    def with_file(self, file: str) -> Span:
        return Span(file, self.line, self.col, self.end_line, self.end_col)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


def offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    """Turn a 0-based code-point offset into a 1-based (line, column).

    >>> offset_to_line_col("ab\\ncd", 3)
    (2, 1)
    """
    line = text.count("\n", 0, offset) + 1
    last_nl = text.rfind("\n", 0, offset)
    return line, offset - last_nl


def line_of(text: str, line: int) -> str:
    """The text of a 1-based line, without its newline; empty when out of range."""
    lines = text.split("\n")
    return lines[line - 1] if 1 <= line <= len(lines) else ""
