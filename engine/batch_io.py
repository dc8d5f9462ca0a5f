"""Register files in and result files out: CSV, JSON Lines and Parquet, chunk by chunk.

In: a path, read as raw chunks small enough to ship to a worker process (cells, lines or an
Arrow record batch) with the row and line numbers rejects need. Out: encoded result rows,
written to a hidden partial file that is renamed into place only when the run completes, so
an interrupted run never leaves a half-written file under the requested name.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
RESULT_COLUMNS = (
    "case_id",
    "rule",
    "version",
    "outcome",
    "amount",
    "amount_kind",
    "funding",
    "missing",
)


class InputError(ValueError):
    """The input cannot be read at all (not a row: the file). `line` is 1-based or 0."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def format_of(path: Path) -> str | None:
    """The format a file name asks for, by extension; None when unsupported."""
    return FORMATS.get(path.suffix.lower())


class ResultRow(NamedTuple):
    """One decided rule for one case, as written to the output."""

    case_id: str
    rule: str
    version: int | None
    outcome: str
    amount: Decimal | None
    amount_kind: str | None
    funding: tuple[tuple[str, Decimal | None], ...]  # (fund, share) along the chain
    missing: tuple[str, ...]
    chain: tuple[tuple[str, Decimal | None], ...] = ()  # (fund, quota): for budget allocation


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """Raw records for one worker task. `records` depends on the format: (row, line, cells)
    for CSV, where cells may instead be (reason, raw text) for a row that could not be split;
    (row, line, bytes) for JSON Lines; for Parquet an Arrow batch and its first row number."""

    records: Any
    first_row: int = 0


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
        raise InputError(f"unsupported input format `{path.suffix}`; use one of {known}")
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file")
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
        try:
            self.stream = path.open("rb")
            self.total = os.fstat(self.stream.fileno()).st_size
        except OSError as err:
            raise InputError(f"cannot read file: {err.strerror}") from None
        self.lines = _Lines(self.stream, encoding)
        self.reader = csv.reader(self.lines, strict=True)
        try:
            self.header = next(self.reader)
        except StopIteration:
            raise InputError("the file is empty: a CSV register starts with a header row") from None
        except csv.Error as err:
            raise InputError(f"unreadable header: {err}", 1) from None
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        if self.lines.bad:
            raise InputError(f"the header is not {encoding} text; pass --encoding", 1)

    @property
    def done(self) -> int:
        return self.lines.bytes

    def chunks(self, size: int) -> Iterator[Chunk]:
        batch: list[tuple[int, int, list[str] | tuple[str, str]]] = []
        row = 0
        reader, lines = self.reader, self.lines
        while True:
            start = lines.line + 1
            lines.recent.clear()
            try:
                cells: list[str] | tuple[str, str] = next(reader)
            except StopIteration:
                break
            except csv.Error as err:  # e.g. a stray quote: a row of its own in the rejects
                cells = (f"malformed CSV: {err}", "".join(lines.recent))
            if not cells:
                continue  # a blank line is not a record
            row += 1
            if lines.bad and any(n in lines.bad for n in range(start, lines.line + 1)):
                cells = (f"not {lines.encoding} text", "".join(lines.recent))
            batch.append((row, start, cells))
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
            raise InputError(f"cannot read file: {err.strerror}") from None
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
        pq = _parquet()
        try:
            self.file = pq.ParquetFile(path)
        except Exception as err:  # pyarrow raises several types for a file that is not Parquet
            raise InputError(f"not a readable Parquet file: {err}") from None
        self.header = list(self.file.schema_arrow.names)
        self.total = self.file.metadata.num_rows
        self.rows = 0

    @property
    def done(self) -> int:
        return self.rows

    def chunks(self, size: int) -> Iterator[Chunk]:
        for batch in self.file.iter_batches(batch_size=size):
            first = self.rows + 1
            self.rows += batch.num_rows
            yield Chunk(batch, first)

    def close(self) -> None:
        self.file.close()


def _parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise InputError("Parquet needs pyarrow: pip install pyarrow") from None
    return pq


# -- writing -------------------------------------------------------------------------------


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _funding(row: ResultRow) -> list[dict[str, str | None]]:
    return [{"fund": f, "amount": _amount(a)} for f, a in row.funding if a is not None]


class Encoder:
    """Turns result rows into what a sink writes: bytes for text formats, columns for Parquet.
    Runs in worker processes, so it must be cheap to build and hold no open file."""

    def __init__(self, kind: str, only: frozenset[str] | None = None) -> None:
        self.kind, self.only = kind, only

    def encode(self, rows: Sequence[ResultRow]) -> Any:
        if self.only is not None:
            rows = [r for r in rows if r.outcome in self.only]
        if self.kind == "jsonl":
            return self._jsonl(rows)
        if self.kind == "csv":
            return self._csv(rows)
        return self._columns(rows)

    @staticmethod
    def _jsonl(rows: Sequence[ResultRow]) -> bytes:
        dumps = json.dumps
        lines = [
            dumps(
                {
                    "case_id": r.case_id,
                    "rule": r.rule,
                    "version": r.version,
                    "outcome": r.outcome,
                    "amount": _amount(r.amount),
                    "amount_kind": r.amount_kind,
                    "funding": _funding(r),
                    "missing": list(r.missing),
                },
                ensure_ascii=False,
            )
            for r in rows
        ]
        lines.append("")
        return "\n".join(lines).encode("utf-8") if rows else b""

    @staticmethod
    def _csv(rows: Sequence[ResultRow]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        dumps = json.dumps
        writer.writerows(
            (
                r.case_id,
                r.rule,
                "" if r.version is None else r.version,
                r.outcome,
                "" if r.amount is None else format(r.amount, "f"),
                r.amount_kind or "",
                dumps(f, ensure_ascii=False) if (f := _funding(r)) else "",
                dumps(list(r.missing), ensure_ascii=False) if r.missing else "",
            )
            for r in rows
        )
        return out.getvalue().encode("utf-8")

    @staticmethod
    def _columns(rows: Sequence[ResultRow]) -> dict[str, list[Any]]:
        return {
            "case_id": [r.case_id for r in rows],
            "rule": [r.rule for r in rows],
            "version": [r.version for r in rows],
            "outcome": [r.outcome for r in rows],
            "amount": [_amount(r.amount) for r in rows],
            "amount_kind": [r.amount_kind for r in rows],
            "funding": [_funding(r) for r in rows],
            "missing": [list(r.missing) for r in rows],
        }


def partial_path(path: Path) -> Path:
    """Where a file is written until it is complete: hidden, beside it, clearly partial."""
    return path.with_name(f".{path.name}.partial")


class Sink:
    """A result or rejects file under construction; `commit` renames it into place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = partial_path(path)
        self.rows = 0

    def write(self, payload: Any) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def _close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def commit(self) -> None:
        self._close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        try:
            self._close()
        finally:
            self.partial.unlink(missing_ok=True)


class TextSink(Sink):
    def __init__(self, path: Path, header: bytes = b"") -> None:
        super().__init__(path)
        self.stream = _create(self.partial)
        self.stream.write(header)

    def write(self, payload: bytes) -> None:
        self.stream.write(payload)

    def _close(self) -> None:
        self.stream.close()


ROW_GROUP = 65_536


class ParquetSink(Sink):
    """Buffers columns and writes row groups of a fixed size, so the file does not depend on
    how the input was chunked or how many workers decided it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        import pyarrow as pa

        _parquet()
        self.pa = pa
        self.schema = pa.schema(
            [
                ("case_id", pa.string()),
                ("rule", pa.string()),
                ("version", pa.int32()),
                ("outcome", pa.string()),
                ("amount", pa.string()),
                ("amount_kind", pa.string()),
                (
                    "funding",
                    pa.list_(pa.struct([("fund", pa.string()), ("amount", pa.string())])),
                ),
                ("missing", pa.list_(pa.string())),
            ]
        )
        self.buffer: dict[str, list[Any]] = {name: [] for name in RESULT_COLUMNS}
        self.writer: Any = None
        _create(self.partial).close()

    def write(self, payload: dict[str, list[Any]]) -> None:
        for name, values in payload.items():
            self.buffer[name].extend(values)
        while len(self.buffer["rule"]) >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, count: int) -> None:
        import pyarrow.parquet as pq

        head = {name: values[:count] for name, values in self.buffer.items()}
        for values in self.buffer.values():
            del values[:count]
        table = self.pa.Table.from_pydict(head, schema=self.schema)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.partial, self.schema)
        self.writer.write_table(table)

    def _close(self) -> None:
        if self.buffer["rule"] or self.writer is None:
            self._flush(len(self.buffer["rule"]))
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.buffer = {name: [] for name in RESULT_COLUMNS}


def open_sink(path: Path, kind: str) -> Sink:
    if kind == "parquet":
        return ParquetSink(path)
    header = (",".join(RESULT_COLUMNS) + "\n").encode() if kind == "csv" else b""
    return TextSink(path, header)


def _create(path: Path) -> IO[bytes]:
    try:
        return path.open("wb")
    except OSError as err:
        raise InputError(f"cannot write {path.parent}: {err.strerror}") from None


class RejectSink(TextSink):
    """Rejected rows as JSON Lines: row, line, case id, reason, and the row as it was read."""

    def add(self, items: Sequence[dict[str, Any]]) -> None:
        if items:
            text = "".join(json.dumps(i, ensure_ascii=False, default=str) + "\n" for i in items)
            self.write(text.encode("utf-8"))
            self.rows += len(items)
