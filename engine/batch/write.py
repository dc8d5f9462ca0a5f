"""Results out: result rows encoded as CSV, JSON Lines or Parquet, and files written safely.

In: ResultRows (one per case and decided rule) and rejected rows. Out: bytes or columns from
an Encoder (which runs in worker processes), and Sinks that write to a hidden partial file
renamed into place only when the run completes, so an interrupted run never leaves a
half-written file under the requested name.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

from clause.engine.batch.read import InputError, parquet_module
from clause.engine.messages import msg, os_reason

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
    bounds: tuple[Decimal, Decimal | None] | None = None  # an amount not known: its least, most


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _funding(row: ResultRow) -> list[dict[str, str | None]]:
    return [{"fund": f, "amount": _amount(a)} for f, a in row.funding if a is not None]


class Encoder:
    """Turns result rows into what a sink writes: bytes for text formats, columns for Parquet.
    Runs in worker processes, so it must be cheap to build and hold no open file."""

    def __init__(
        self,
        kind: str,
        only: frozenset[str] | None = None,
        layout: str = "long",
        library: Any = None,
        rules: Sequence[str] = (),
    ) -> None:
        self.kind, self.only = kind, only
        self._memo: dict[tuple[bool, tuple[Any, ...]], str] = {}
        self.layout, self.library, self.rules = layout, library, tuple(rules)

    def encode(self, rows: Sequence[ResultRow], numbers: Sequence[int] = ()) -> Any:
        """`numbers`: each row's case number in the register (the wide layout groups by it)."""
        if self.layout == "wide":
            from clause.engine.columnar.encode import long_rows
            from clause.engine.columnar.wide import encode_wide

            long = long_rows(rows, numbers, self.library)
            return encode_wide(long, self.kind, self.rules, self.only)
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

    def _csv(self, rows: Sequence[ResultRow]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        text = self._json_text
        writer.writerows(
            (
                r.case_id,
                r.rule,
                "" if r.version is None else r.version,
                r.outcome,
                "" if r.amount is None else format(r.amount, "f"),
                r.amount_kind or "",
                text(r.funding, True) if r.funding else "",
                text(r.missing, False) if r.missing else "",
            )
            for r in rows
        )
        return out.getvalue().encode("utf-8")

    def _json_text(self, value: tuple[Any, ...], funding: bool) -> str:
        """The JSON of a funding split or missing list; a register repeats few distinct ones,
        so each is encoded once (the memo is bounded)."""
        key = (funding, value)
        found = self._memo.get(key)
        if found is None:
            data: Any = (
                [{"fund": f, "amount": _amount(a)} for f, a in value if a is not None]
                if funding
                else list(value)
            )
            found = json.dumps(data, ensure_ascii=False) if data else ""
            if len(self._memo) >= 10_000:
                self._memo.clear()
            self._memo[key] = found
        return found

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
        try:
            os.replace(self.partial, self.path)
        except OSError as err:
            reason = msg("B003", path=str(self.path), reason=os_reason(err))
            raise InputError(reason, code="B003") from None

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


def parquet_schema() -> Any:
    """The Arrow schema of a Parquet result file."""
    import pyarrow as pa

    return pa.schema(
        [
            ("case_id", pa.string()),
            ("rule", pa.string()),
            ("version", pa.int32()),
            ("outcome", pa.string()),
            ("amount", pa.string()),
            ("amount_kind", pa.string()),
            ("funding", pa.list_(pa.struct([("fund", pa.string()), ("amount", pa.string())]))),
            ("missing", pa.list_(pa.string())),
        ]
    )


class ParquetSink(Sink):
    """Buffers columns and writes row groups of a fixed size, so the file does not depend on
    how the input was chunked or how many workers decided it."""

    def __init__(self, path: Path, schema: Any = None) -> None:
        super().__init__(path)
        import pyarrow as pa

        parquet_module()
        self.pa = pa
        self.schema = schema if schema is not None else parquet_schema()
        self.buffer: list[Any] = []  # Arrow tables not yet written
        self.buffered = 0
        self.writer: Any = None
        _create(self.partial).close()

    def write(self, payload: Any) -> None:
        """Columns as lists (the record path) or an Arrow table (the columnar path)."""
        if isinstance(payload, dict):
            payload = self.pa.Table.from_pydict(payload, schema=self.schema)
        if payload.num_rows:
            self.buffer.append(payload)
            self.buffered += payload.num_rows
        while self.buffered >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, count: int) -> None:
        import pyarrow.parquet as pq

        whole = self.pa.concat_tables(self.buffer) if self.buffer else self.schema.empty_table()
        rest = whole.slice(count)
        self.buffer, self.buffered = ([rest] if rest.num_rows else []), rest.num_rows
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.partial, self.schema)
        self.writer.write_table(whole.slice(0, count).combine_chunks())

    def abort(self) -> None:
        self.buffer, self.buffered = [], 0  # nothing more to write
        if self.writer is None:
            self.partial.unlink(missing_ok=True)
            return
        super().abort()

    def _close(self) -> None:
        if self.buffered or self.writer is None:
            self._flush(self.buffered)
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.buffer, self.buffered = [], 0


def open_sink(path: Path, kind: str, layout: str = "long", rules: Sequence[str] = ()) -> Sink:
    """A sink for results in `layout` (long, or wide with a column group per rule)."""
    if layout == "wide":
        from clause.engine.columnar import wide

        if kind == "parquet":
            return ParquetSink(path, wide.parquet_schema(rules))
        return TextSink(path, wide.csv_header(rules) if kind == "csv" else b"")
    if kind == "parquet":
        return ParquetSink(path)
    header = (",".join(RESULT_COLUMNS) + "\n").encode() if kind == "csv" else b""
    return TextSink(path, header)


def _create(path: Path) -> IO[bytes]:
    try:
        return path.open("wb")
    except OSError as err:
        reason = msg("B003", path=str(path.parent), reason=os_reason(err))
        raise InputError(reason, code="B003") from None


class RejectSink(TextSink):
    """Rejected rows as JSON Lines: row, line, case id, reason, and the row as it was read."""

    def add(self, items: Sequence[dict[str, Any]]) -> None:
        if items:
            text = "".join(json.dumps(i, ensure_ascii=False, default=str) + "\n" for i in items)
            self.write(text.encode("utf-8"))
            self.rows += len(items)
