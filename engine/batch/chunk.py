"""One chunk of a register, in whichever process: raw records in, decided and encoded out.

In: a Job (package, date, header, formats) and Chunks from engine.batch_read. Out: a
ChunkResult with the chunk's totals, its rejected rows and either the encoded results or, when
budgets are to be spent, the rows for the parent to allocate in input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clause.engine.batch.backend import Backend, BackendConfig, RecordBackend
from clause.engine.batch.facts import CASE_ID, Column, FactsPlan, RowError, case_id_of
from clause.engine.batch.read import Chunk
from clause.engine.batch.totals import Tally
from clause.engine.batch.write import Encoder, ResultRow
from clause.engine.columnar.backend import ColumnarBackend
from clause.engine.library import Library
from clause.engine.load.jsondata import JsonProblem, parse_json
from clause.engine.messages import Text, msg

#: Backends by name; `record` (the decision core itself) is what the others are held to.
BACKENDS: dict[str, Callable[[Library, BackendConfig], Backend]] = {
    "record": RecordBackend,
    "columnar": ColumnarBackend,
}


@dataclass(frozen=True)
class Job:
    """Everything a worker process needs to decide chunks; small and picklable."""

    roots: tuple[str, ...]
    digest: str
    kind: str
    header: tuple[str, ...] | None
    out_kind: str | None
    on: date
    rule_ids: frozenset[str] | None
    only: frozenset[str] | None
    budgeted: bool
    backend: str
    layout: str = "long"
    shown: tuple[str, ...] = ()  # the rules shown, in order (the wide layout's columns)


@dataclass
class ChunkResult:
    tally: Tally
    rejects: list[dict[str, Any]]
    payload: Any = None  # encoded output (no budget)
    rows: list[ResultRow] | None = None  # decided rows awaiting budget allocation
    row_numbers: list[int] | None = None  # with `rows`: each one's row in the register
    ids: list[tuple[int, str]] = field(default_factory=list)  # (row, case id) of decided rows


@dataclass
class _Case:
    """One row on its way: where it was read, its id, its facts (or why it has none), and
    the row as read (CSV cells, a JSON line, Parquet values), which a reject keeps so that
    nothing is lost."""

    row: int
    line: int | None
    case_id: str | None
    facts: Mapping[str, Any] | RowError
    record: Any
    last_line: int | None = None  # a CSV record that runs over several lines ends here


class ChunkWorker:
    """Decodes, decides, tallies and encodes chunks for one Job."""

    def __init__(self, job: Job, library: Library) -> None:
        self.job = job
        self.plan = FactsPlan(library.facts_schema, library.env.facts)
        self.columns: list[Column] = []
        self.case_index: int | None = None
        if job.header is not None:
            self.columns, self.case_index = self.plan.columns(job.header)
        config = BackendConfig(job.on, chains=job.budgeted)
        self.backend = BACKENDS[job.backend](library, config)
        self.encoder = (
            Encoder(job.out_kind, job.only, job.layout, library, job.shown)
            if job.out_kind
            else None
        )

    def run(self, chunk: Chunk, repeats: Mapping[int, int] | None = None) -> ChunkResult:
        """Decide a chunk. `repeats` maps rows whose case id an earlier row of the register
        already used to that row: they are rejected, never decided (a case is paid once)."""
        tally = Tally()
        rejects: list[dict[str, Any]] = []
        cases: list[_Case] = []
        decodable: list[tuple[str, Mapping[str, Any]]] = []
        for case in self._decode(chunk):
            tally.rows_read += 1
            if repeats and case.row in repeats and not isinstance(case.facts, RowError):
                tally.duplicate_ids += 1
                first = repeats[case.row]
                case.facts = RowError(
                    CASE_ID, msg("row.repeated_id", case_id=repr(case.case_id), first=first)
                )
            if isinstance(case.facts, RowError):
                rejects.append(_reject(case, case.facts, tally, self.job.header))
            else:
                cases.append(case)
                decodable.append((case.case_id or "", case.facts))
        results = self.backend.decide(decodable)
        tally.record_path += getattr(self.backend, "on_record_path", 0)
        rows: list[ResultRow] = []
        numbers: list[int] = []
        ids: list[tuple[int, str]] = []
        for case, result in zip(cases, results, strict=True):
            if isinstance(result, RowError):
                rejects.append(_reject(case, result, tally, self.job.header))
                continue
            tally.rows_decided += 1
            ids.append((case.row, case.case_id or ""))
            chosen = selected(result, self.job.rule_ids)
            tally.add_case(chosen)
            if self.job.budgeted:  # the parent spends budgets over every rule, then selects
                rows.extend(result)
                numbers.extend([case.row] * len(result))
                continue
            for r in chosen:
                tally.add_funding(r)
                rows.append(r)
                numbers.append(case.row)
        rejects.sort(key=lambda r: r["row"])
        if self.job.budgeted:
            return ChunkResult(tally, rejects, rows=rows, row_numbers=numbers, ids=ids)
        payload = self.encoder.encode(rows, numbers) if self.encoder is not None else None
        return ChunkResult(tally, rejects, payload=payload, ids=ids)

    # -- decoding: raw records to cases (facts, or the RowError that stops the row) --------

    def _decode(self, chunk: Chunk) -> Iterator[_Case]:
        if self.job.kind == "csv":
            return self._csv(chunk.records)
        if self.job.kind == "jsonl":
            return self._jsonl(chunk.records)
        return self._parquet(chunk)

    def _csv(self, records: Sequence[Any]) -> Iterator[_Case]:
        header = self.job.header or ()
        width, at = len(header), self.case_index
        for row, line, last, cells in records:
            if isinstance(cells, tuple):  # (reason, raw text): the line could not be split
                reason = _spanning(cells[0], line, last)
                yield _Case(row, line, None, RowError("", reason), cells[1], last)
                continue
            if len(cells) != width:
                message = _spanning(msg("row.cells", cells=len(cells), width=width), line, last)
                case_id = cells[at].strip() or None if at is not None and at < len(cells) else None
                yield _Case(row, line, case_id, RowError("", message), cells, last)
                continue
            case_id = cells[at].strip() if at is not None else str(row)
            yield _Case(row, line, case_id or None, self._csv_facts(case_id, cells), cells)

    def _csv_facts(self, case_id: str, cells: list[str]) -> Any:
        try:
            if not case_id:
                raise RowError(CASE_ID, msg("row.empty"))
            facts = self.plan.from_cells(self.columns, cells)
            if not facts:
                raise RowError("", msg("row.no_cells"))
            return facts
        except RowError as err:
            return err

    def _jsonl(self, records: Sequence[Any]) -> Iterator[_Case]:
        for row, line, raw in records:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-8", "replace").rstrip("\r\n")
                reason = RowError("", msg("row.not_encoding", encoding="UTF-8"))
                yield _Case(row, line, None, reason, text)
                continue
            case = _Case(row, line, None, RowError("", ""), text.rstrip("\r\n"))
            try:
                data = parse_json(text)
                if not isinstance(data, dict):
                    raise RowError("", msg("row.not_object"))
                case.case_id = case_id_of(data.pop(CASE_ID, None), row)
                case.facts = self.plan.from_record(data)
                if not case.facts:
                    raise RowError("", msg("row.no_facts"))
            except JsonProblem as err:
                at = msg("row.json_at", reason=err.reason, col=err.col) if err.col else err.reason
                case.facts = RowError("", at)
            except RowError as err:
                case.facts = err
            yield case

    def _parquet(self, chunk: Chunk) -> Iterator[_Case]:
        batch = chunk.records
        values = [batch.column(c.index).to_pylist() for c in self.columns]
        ids = batch.column(self.case_index).to_pylist() if self.case_index is not None else None
        for i in range(batch.num_rows):
            row = chunk.rows[i] if chunk.rows is not None else chunk.first_row + i
            cells = [v[i] for v in values]
            record = {c.name: v for c, v in zip(self.columns, cells, strict=True) if v is not None}
            case = _Case(row, None, None, RowError("", ""), record)
            try:
                if ids is not None:
                    record[CASE_ID] = ids[i]
                case.case_id = case_id_of(ids[i] if ids is not None else None, row)
                case.facts = self.plan.from_record(_nest(self.columns, cells))
                if not case.facts:
                    raise RowError("", msg("row.no_cells"))
            except RowError as err:
                case.facts = err
            yield case


def selected(rows: Sequence[ResultRow], rule_ids: frozenset[str] | None) -> Sequence[ResultRow]:
    """The rows of the rules chosen for output (all when none were chosen). Every rule is
    decided and funded first, so choosing never changes a row."""
    if rule_ids is None:
        return rows
    return [r for r in rows if r.rule in rule_ids]


def _nest(columns: Sequence[Column], cells: Sequence[Any]) -> dict[str, Any]:
    """A nested record from typed Parquet cells; text cells go through the CSV conversion."""
    out: dict[str, Any] = {}
    for column, value in zip(columns, cells, strict=True):
        if value is None or (isinstance(value, str) and not (value := value.strip())):
            continue
        if isinstance(value, str):
            try:
                value = column.convert(value)
            except RowError as err:
                raise RowError(err.path or column.name, err.text) from None
        target = out
        for key in column.keys[:-1]:
            target = target.setdefault(key, {})
        target[column.keys[-1]] = value
    return out


def _spanning(reason: Text, line: int, last: int) -> Text:
    """A reason for a CSV record that ran over several lines: likely an unclosed quote that
    swallowed the rows below it, which are named so that none is lost unseen."""
    if last <= line:
        return reason
    lines, more = last - line + 1, last - line
    return msg("row.spanning", reason=reason, line=line, last=last, lines=lines, more=more)


def _reject(
    case: _Case, err: RowError, tally: Tally, header: Sequence[str] | None
) -> dict[str, Any]:
    tally.reject(err.path.split("[")[0] or "row", case.row, case.line, err.reason)
    record = case.record
    if header is not None and isinstance(record, list) and len(record) == len(header):
        record = {name: cell for name, cell in zip(header, record, strict=True) if cell}
    out = {
        "row": case.row,
        "line": case.line,
        "case_id": case.case_id,
        "reason": str(err),
        "record": record,
    }
    if case.last_line is not None and case.line is not None and case.last_line > case.line:
        tally.malformed_records += 1
        tally.lines_in_malformed += case.last_line - case.line + 1
        out["last_line"] = case.last_line
    return out
