"""A CSV register read by Arrow in large blocks; lines that are not plain, by the record path.

In: a CsvSource whose header has been read. Out: Blocks in file order. A block holds the text
cells of its plain lines — UTF-8, not blank, quotes only around whole cells, as many cells as
the header — parsed by Arrow (for such lines Arrow and Python's csv module read the same cells,
one record per line), each with its row and line number; and the records that start on any
other line, read by the record path's own reader (CsvSource, resumed at that line), which
decides how many lines the record spans and what is wrong with it, exactly as it always has.
Memory is bounded by the block size.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from clause.engine.batch.read import CsvSource

#: Bytes read per block (cut at the last line break): bounds memory whatever the file's size.
BLOCK = 8 * 1024 * 1024
ROW, LINE = "?row", "?line"
_FIELD = r'(?:[^",\r\n]*|"(?:[^"\r\n]|"")*")'
_LINE = rf"^{_FIELD}(?:,{_FIELD})*\r?$"
_QUOTED = r'"(?:[^"\r\n]|"")*"'
_SPACED = r'(?:^|,)"?\s|\s"?(?:,|\r?$)'  # a cell that may need trimming
_UTF8 = {"utf-8", "utf8", "utf_8", "utf-8-sig", "utf_8_sig"}


@dataclass
class Block:
    cells: pl.DataFrame  # text cells (c0, c1, …) of plain lines, with ?row and ?line
    records: list[Any] = field(default_factory=list)  # (row, line, cells) read by CsvSource
    spaced: bool = True  # whether a cell may start or end with white space (to be trimmed)


class CsvBlocks:
    """Blocks of a CSV register from the first row on; `fallback_rows` counts the records
    read by the record path's reader."""

    def __init__(self, source: CsvSource, block: int = BLOCK) -> None:
        self.source = source
        self.block = block
        self.width = len(source.header or ())
        self.offset, self.line = source.data_offset()
        self.row = 0
        self.fallback_rows = 0
        self.plain = source.encoding.lower() in _UTF8 and self.width > 0

    @property
    def done(self) -> int:
        return self.offset

    def blocks(self) -> Iterator[Block]:
        with self.source.path.open("rb") as stream:
            while True:
                stream.seek(self.offset)
                data = stream.read(self.block)
                if not data:
                    return
                at_end = len(data) < self.block
                if not at_end:
                    cut = data.rfind(b"\n") + 1
                    data = data[:cut] if cut else b""
                block = self._block(data) if data and self.plain else self._by_record()
                self.source.lines.bytes = self.offset  # for the progress bar
                yield block

    def _block(self, raw: bytes) -> Block:
        """Plain lines by Arrow in one parse; each record starting on another line by the
        record path's reader, which may take in the lines after it (a quoted line break)."""
        start, before = self.offset, self.line
        decoded = raw.decode("utf-8", "replace")  # U+FFFD marks bad bytes: not plain
        lines = pl.Series([decoded]).str.strip_suffix("\n").str.split("\n").explode()
        n = lines.len()
        good = _plain(lines, self.width)
        spaced = bool(lines.str.contains(_SPACED).any())
        if good.all():  # the common case: every line one record, read by Arrow as it is
            self._advance(start + len(raw), before + n)
            return Block(self._numbered(_read(raw, self.width), before, 0, n), [], spaced)
        ends = list(itertools.accumulate(len(p) + 1 for p in raw.split(b"\n")[:n]))
        taken: list[tuple[int, int]] = []  # line ranges the record path's reader took in
        records: list[tuple[int, Any]] = []  # (first line index, record)
        for k in good.not_().arg_true().to_list():
            if any(lo <= k < hi for lo, hi in taken[-1:]):
                continue
            record = self._one(start + (ends[k - 1] if k else 0), before + k)
            taken.append((k, min(self.line - before, n)))
            if record is not None:
                records.append((record[1] - before - 1, record))
            if self.offset >= start + len(raw):  # the record ran past this block
                n = taken[-1][1]
                break
        index = pl.Series(range(n), dtype=pl.Int64)
        marks = [False] * n
        for lo, hi in taken:
            marks[lo:hi] = [True] * (hi - lo)
        plain = good.head(n) & ~pl.Series(marks, dtype=pl.Boolean)
        starts = [False] * n
        for at, _ in records:
            starts[at] = True
        firsts = pl.Series(starts, dtype=pl.Boolean)
        rank = (plain | firsts).cast(pl.Int64).cum_sum() + self.row  # row of each record start
        row_of = dict(
            zip(index.filter(firsts).to_list(), rank.filter(firsts).to_list(), strict=True)
        )
        text = lines.head(n).filter(plain)
        frame = _concat([], self.width)
        if text.len():
            cells = _read((text.str.join("\n").item() + "\n").encode("utf-8"), self.width)
            frame = cells.with_columns(
                pl.Series(ROW, rank.filter(plain), dtype=pl.Int64),
                pl.Series(LINE, index.filter(plain) + before + 1, dtype=pl.Int64),
            )
        self.row = int(rank[-1]) if n else self.row
        if self.offset < start + len(raw):
            self._advance(start + ends[n - 1] if n else start, before + n)
        return Block(frame, [(row_of[at], *record[1:]) for at, record in records], spaced)

    def _advance(self, offset: int, line: int) -> None:
        self.offset, self.line = offset, line

    def _numbered(self, cells: pl.DataFrame, before: int, first: int, count: int) -> pl.DataFrame:
        out = cells.with_columns(
            (pl.int_range(count) + self.row + 1).cast(pl.Int64).alias(ROW),
            (pl.int_range(count) + before + first + 1).cast(pl.Int64).alias(LINE),
        )
        self.row += count
        return out

    def _one(self, offset: int, line: int) -> Any:
        """One record read by CsvSource from `offset` (where line `line` + 1 starts); its row
        number is set by the caller, which knows the records before it."""
        self.source.resume(offset, line, 0)
        chunk = next(self.source.chunks(1), None)
        self.offset, self.line = self.source.data_offset()
        if chunk is None:
            return None
        self.fallback_rows += 1
        return chunk.records[0]

    def _by_record(self) -> Block:
        """A block of records by the record path's reader (not UTF-8, or no line break)."""
        self.source.resume(self.offset, self.line, self.row)
        records: list[Any] = []
        for chunk in self.source.chunks(10_000):
            records.extend(chunk.records)
            break
        self.offset, self.line = self.source.data_offset()
        self.row += len(records)
        self.fallback_rows += len(records)
        return Block(_concat([], self.width), records)


def _plain(lines: pl.Series, width: int) -> pl.Series:
    frame = pl.DataFrame({"l": lines})
    cells = pl.col("l").str.replace_all(_QUOTED, "").str.count_matches(",") + 1
    plain = (
        pl.col("l").str.contains(_LINE)
        & ~pl.col("l").str.contains("\ufffd", literal=True)
        & ~pl.col("l").str.contains("[\x1c-\x1f]")  # Python trims these, Arrow does not
        & (pl.col("l").str.strip_suffix("\r") != "")
        & (cells == width)
    )
    return frame.select(plain).to_series()


def _concat(pieces: list[pl.DataFrame], width: int) -> pl.DataFrame:
    if pieces:
        return pl.concat(pieces, how="vertical")
    schema: dict[str, pl.DataType] = {f"c{i}": pl.String() for i in range(width)}
    return pl.DataFrame(schema={**schema, ROW: pl.Int64(), LINE: pl.Int64()})


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
