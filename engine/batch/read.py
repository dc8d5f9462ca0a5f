"""Registers in: CSV, JSON Lines and Parquet, read as chunks a worker process can decide.

In: a path (and, for CSV, its text encoding). Out: a Source with the header (CSV, Parquet),
chunks of raw records carrying the row and line numbers that rejects need, and how far it has
got for the progress bar. Nothing here converts a cell: engine.batch_facts does, in the worker.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from clause.engine.messages import Text, msg, os_reason

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


class InputError(ValueError):
    """The input cannot be read at all (not a row: the file), or an output cannot be written.
    `reason` is the message in both languages (engine.messages); `line` is 1-based or 0;
    `code` is B001 (reading) or B003 (writing)."""

    def __init__(self, reason: Text, line: int = 0, code: str = "B001") -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.line = line
        self.code = code


def format_of(path: Path) -> str | None:
    """The format a file name asks for, by extension; None when unsupported."""
    return FORMATS.get(path.suffix.lower())


@dataclass(frozen=True)
class Chunk:
    """Raw records for one worker task. `records` depends on the format: (row, line, last
    line, cells) for CSV, where cells may instead be (reason, raw text) for a row that could not
    be split;
    (row, line, bytes) for JSON Lines; for Parquet an Arrow batch and its first row number."""

    records: Any
    first_row: int = 0
    rows: tuple[int, ...] | None = None  # Parquet: row numbers when not first_row onwards


class Source:
    """A register being read: header (CSV, Parquet), chunks, and how far it has got."""

    kind: str
    header: list[str] | None = None
    total: int | None = None  # bytes (text formats) or rows (Parquet), for the ETA

    def chunks(self, size: int) -> Iterator[Chunk]:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def done(self) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


def open_source(path: Path, encoding: str = "utf-8") -> Source:
    """Open a register by extension; InputError when it cannot be read."""
    kind = format_of(path)
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(msg("B001/format", suffix=path.suffix, known=known))
    try:
        os.stat(path)  # follows links: a loop or a dangling link fails here, with its reason
    except OSError as err:
        raise InputError(msg("B001/read", reason=os_reason(err))) from None
    if not path.is_file():
        raise InputError(msg("B001/notfile"))
    if kind == "parquet":
        return ParquetSource(path)
    if kind == "csv":
        return CsvSource(path, encoding)
    return JsonlSource(path)


class _Lines:
    """Binary lines decoded one by one, counting bytes and remembering undecodable lines."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self.stream, self.encoding = stream, encoding
        self.bytes = 0
        self.line = 0
        self.bad: set[int] = set()
        self.recent: list[str] = []  # the lines of the record being read, for the rejects

    def __iter__(self) -> Iterator[str]:
        encoding = self.encoding
        for raw in self.stream:
            self.bytes += len(raw)
            self.line += 1
            if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                self.bad.add(self.line)
                text = raw.decode(encoding, "replace")
            self.recent.append(text)
            yield text


class CsvSource(Source):
    kind = "csv"

    def __init__(self, path: Path, encoding: str) -> None:
        self.path, self.encoding = path, encoding
        self.row = 0  # rows read so far (a resumed source goes on counting)
        try:
            self.stream = path.open("rb")
            self.total = os.fstat(self.stream.fileno()).st_size
        except OSError as err:
            raise InputError(msg("B001/read", reason=os_reason(err))) from None
        self.lines = _Lines(self.stream, encoding)
        self.reader = csv.reader(self.lines, strict=True)
        try:
            self.header = next(self.reader)
        except StopIteration:
            raise InputError(msg("B001/empty")) from None
        except csv.Error as err:
            raise InputError(msg("B001/header", reason=str(err)), 1) from None
        except LookupError:
            raise InputError(msg("B001/encoding", encoding=repr(encoding))) from None
        except OSError as err:
            raise InputError(msg("B001/read", reason=os_reason(err))) from None
        if self.lines.bad:
            raise InputError(msg("B001/header_encoding", encoding=encoding), 1)

    @property
    def done(self) -> int:
        return self.lines.bytes

    def data_offset(self) -> tuple[int, int]:
        """Where the rows start (after the header): byte offset and lines read."""
        return self.lines.bytes, self.lines.line

    def resume(self, offset: int, line: int, row: int) -> None:
        """Go on reading rows from byte `offset` (the start of a line, `line` lines and `row`
        rows into the file), as if every row before had been read here."""
        self.stream.seek(offset)
        self.lines = _Lines(self.stream, self.encoding)
        self.lines.bytes, self.lines.line = offset, line
        self.reader = csv.reader(self.lines, strict=True)
        self.row = row

    def chunks(self, size: int) -> Iterator[Chunk]:
        batch: list[tuple[int, int, int, list[str] | tuple[Text, str]]] = []
        row = self.row
        reader, lines = self.reader, self.lines
        while True:
            start = lines.line + 1
            lines.recent.clear()
            try:
                cells: list[str] | tuple[Text, str] = next(reader)
            except StopIteration:
                break
            except csv.Error as err:  # e.g. a stray quote: a row of its own in the rejects
                cells = (msg("row.malformed_csv", reason=str(err)), "".join(lines.recent))
            if not cells:
                continue  # a blank line is not a record
            row += 1
            if lines.bad and any(n in lines.bad for n in range(start, lines.line + 1)):
                cells = (msg("row.not_encoding", encoding=lines.encoding), "".join(lines.recent))
            batch.append((row, start, max(lines.line, start), cells))
            if len(batch) >= size:
                yield Chunk(batch)
                batch = []
        if batch:
            yield Chunk(batch)

    def close(self) -> None:
        self.stream.close()


class JsonlSource(Source):
    kind = "jsonl"

    def __init__(self, path: Path) -> None:
        try:
            self.stream = path.open("rb")
            self.total = os.fstat(self.stream.fileno()).st_size
        except OSError as err:
            raise InputError(msg("B001/read", reason=os_reason(err))) from None
        self.bytes = 0

    @property
    def done(self) -> int:
        return self.bytes

    def chunks(self, size: int) -> Iterator[Chunk]:
        batch: list[tuple[int, int, bytes]] = []
        row = 0
        for line, raw in enumerate(self.stream, start=1):
            self.bytes += len(raw)
            if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            row += 1
            batch.append((row, line, raw))
            if len(batch) >= size:
                yield Chunk(batch)
                batch = []
        if batch:
            yield Chunk(batch)

    def close(self) -> None:
        self.stream.close()


class ParquetSource(Source):
    kind = "parquet"

    def __init__(self, path: Path) -> None:
        pq = parquet_module()
        try:
            self.file = pq.ParquetFile(path)
        except Exception as err:  # pyarrow raises several types for a file that is not Parquet
            raise InputError(msg("B001/parquet", reason=str(err))) from None
        self.header = list(self.file.schema_arrow.names)
        self.total = self.file.metadata.num_rows
        self.rows = 0

    @property
    def done(self) -> int:
        return self.rows

    def chunks(self, size: int) -> Iterator[Chunk]:
        batches = self.file.iter_batches(batch_size=size)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except Exception as err:  # a damaged page: ArrowInvalid, OSError… (pyarrow's types)
                reason = str(err).splitlines()[0] if str(err) else type(err).__name__
                raise InputError(
                    msg("B001/parquet_page", row=self.rows + 1, reason=reason)
                ) from None
            first = self.rows + 1
            self.rows += batch.num_rows
            yield Chunk(batch, first)

    def close(self) -> None:
        self.file.close()


def parquet_module() -> Any:
    """pyarrow.parquet, or InputError saying how to get it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise InputError(msg("B001/pyarrow")) from None
    return pq
