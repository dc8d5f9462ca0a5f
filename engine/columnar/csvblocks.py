"""A CSV register read by Arrow in large blocks, for as long as its lines are plain.

In: a CsvSource whose header has been read. Out: Blocks (a DataFrame of text cells with the
row and line of its first row) while every line of a block is one well-formed record — UTF-8,
no blank line, quotes only around whole cells — so that Arrow's parser and Python's csv module
(what the record path uses) read the same cells and every row is one line. At the first block
that is not plain (a quoted line break, a stray quote, a ragged row, text that is not UTF-8),
the rest of the file goes to the record path's reader from that line on, which rejects or reads
each row exactly as it always has. The hand-over is reported (`handed_over_at`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from clause.engine.batch.read import CsvSource

#: Bytes read per block (cut at the last line break): bounds memory whatever the file's size.
BLOCK = 16 * 1024 * 1024
_FIELD = r'(?:[^",\r\n]*|"(?:[^"\r\n]|"")*")'
_LINE = rf"^{_FIELD}(?:,{_FIELD})*\r?$"
_UTF8 = {"utf-8", "utf8", "utf_8", "utf-8-sig", "utf_8_sig"}


@dataclass
class Block:
    cells: pl.DataFrame  # text, one column per header cell (named c0, c1, …)
    first_row: int
    first_line: int


class CsvBlocks:
    """Blocks of plain lines, then (`rest`) the record path's own reader for the remainder."""

    def __init__(self, source: CsvSource, block: int = BLOCK) -> None:
        self.source = source
        self.block = block
        self.width = len(source.header or ())
        self.offset, self.line = source.data_offset()
        self.row = 0
        self.handed_over_at: int | None = None  # the line where the record path took over
        self.done = self.offset

    def blocks(self) -> Iterator[Block]:
        """Plain blocks in order; stops at the first block that is not plain (see `rest`)."""
        if self.source.encoding.lower() not in _UTF8 or self.width == 0:
            self.handed_over_at = self.line + 1
            return
        with self.source.path.open("rb") as stream:
            stream.seek(self.offset)
            carry = b""
            while True:
                data = stream.read(self.block)
                raw = carry + data
                if not raw:
                    return
                if data:
                    cut = raw.rfind(b"\n") + 1
                    if cut == 0:
                        self.handed_over_at = self.line + 1
                        return
                    raw, carry = raw[:cut], raw[cut:]
                else:
                    carry = b""
                block = self._parse(raw)
                if block is None:
                    self.handed_over_at = self.line + 1
                    return
                yield block
                self.offset += len(raw)
                self.done = self.offset
                self.line += block.cells.height
                self.row += block.cells.height
                if not data:
                    return

    def _parse(self, raw: bytes) -> Block | None:
        if raw.startswith((b"\n", b"\r\n")) or b"\n\n" in raw or b"\n\r\n" in raw:
            return None
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        text = pl.Series([raw.decode("utf-8")]).str.strip_suffix("\n").str.split("\n").explode()
        if not text.str.contains(_LINE).all():
            return None
        try:
            table = _read(raw, self.width)
        except Exception:  # Arrow's parser refused the block: the record path reads it
            return None
        if table.height != text.len():
            return None
        return Block(table, self.row + 1, self.line + 1)

    def rest(self) -> CsvSource:
        """The record path's reader, from the first line not read as a block."""
        self.source.resume(self.offset, self.line, self.row)
        return self.source


def _read(raw: bytes, width: int) -> pl.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    table = pacsv.read_csv(
        io.BytesIO(raw),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 26),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame
