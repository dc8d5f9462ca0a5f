"""Batch evaluation: a whole register decided on one date, streamed, with totals per rule and fund.

In: a policy package, a register (CSV, JSON Lines or Parquet; columns and rows as in
docs/batch.md) and BatchOptions. Out: a result file (one row per case and decided rule), a
rejects file (every row that could not be decided, with its line and reason) and a
BatchSummary whose counts reconcile: rows read = rows decided + rows rejected.

Ordering constraints: chunks are decided in any process but merged strictly in input order,
and budgets are spent in the parent in that order, so the output and the totals are the same
byte for byte whatever the number of workers. Files appear under their names only at the end.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.batch_backend import BACKENDS, BackendConfig
from engine.batch_facts import (
    CASE_ID,
    Column,
    ColumnError,
    FactsPlan,
    RowError,
    case_id_of,
)
from engine.batch_io import (
    Chunk,
    Encoder,
    InputError,
    RejectSink,
    ResultRow,
    Sink,
    Source,
    format_of,
    open_sink,
    open_source,
)
from engine.diagnostics import Diagnostic, DiagnosticError
from engine.evaluate import Budget, allocate
from engine.model import Package
from engine.source import Span

# every outcome, in the order totals show them: the deciding ones first
OUTCOMES = ("eligible", "ineligible", "compliant", "violation", "not_applicable", "undetermined")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BatchOptions:
    """How to run a register. `out` None: totals only. `rejects` None: beside the output (or
    the input), named `<stem>.rejects.jsonl`. `only`: outcomes written to `out` (the totals
    count every outcome). `budget`: remaining quota per fund, spent in input order."""

    on: date
    out: Path | None = None
    rejects: Path | None = None
    rule_ids: frozenset[str] | None = None
    only: frozenset[str] | None = None
    budget: Mapping[str, Decimal] | None = None
    workers: int = 1
    chunk_size: int = 2000
    encoding: str = "utf-8"
    backend: str = "compiled"


@dataclass(frozen=True)
class BatchProgress:
    """Reported after each chunk is written. `done`/`total` are bytes for CSV and JSON Lines,
    rows for Parquet; `total` is None when unknown."""

    rows_read: int
    rows_rejected: int
    done: int
    total: int | None


# -- totals --------------------------------------------------------------------------------


@dataclass
class RuleTotals:
    outcomes: Counter[str] = field(default_factory=Counter)
    amount: Decimal = ZERO  # eligible decisions with a known amount
    amount_unknown: int = 0  # eligible, amount not known (not configured, claim missing…)
    uncovered: Decimal = ZERO  # what no funding source could cover

    def merge(self, other: RuleTotals) -> None:
        self.outcomes.update(other.outcomes)
        self.amount += other.amount
        self.amount_unknown += other.amount_unknown
        self.uncovered += other.uncovered


@dataclass
class FundTotals:
    allocated: Decimal = ZERO
    passed_on: Decimal = ZERO  # shortfall this source passed to the next one (or uncovered)
    cases: int = 0

    def merge(self, other: FundTotals) -> None:
        self.allocated += other.allocated
        self.passed_on += other.passed_on
        self.cases += other.cases


@dataclass
class Tally:
    """Counts and sums of a part of the register; parts merge exactly (decimals, counters)."""

    rows_read: int = 0
    rows_decided: int = 0
    rows_rejected: int = 0
    rules: dict[str, RuleTotals] = field(default_factory=dict)
    funds: dict[str, FundTotals] = field(default_factory=dict)
    rejected_by: Counter[str] = field(default_factory=Counter)  # fact path (or "row")

    def add(self, row: ResultRow) -> None:
        totals = self.rules.get(row.rule)
        if totals is None:
            totals = self.rules[row.rule] = RuleTotals()
        totals.outcomes[row.outcome] += 1
        if row.outcome == "eligible":
            if row.amount is None:
                totals.amount_unknown += 1
            else:
                totals.amount += row.amount

    def add_funding(self, row: ResultRow) -> None:
        if row.amount is None or not row.funding:
            return
        left = row.amount
        for fund, share in row.funding:
            if share is None:
                continue
            totals = self.funds.get(fund)
            if totals is None:
                totals = self.funds[fund] = FundTotals()
            totals.allocated += share
            totals.cases += share > 0
            if left > share:
                totals.passed_on += left - share
            left -= share
        if left > 0:
            self.rules[row.rule].uncovered += left

    def merge(self, other: Tally) -> None:
        self.rows_read += other.rows_read
        self.rows_decided += other.rows_decided
        self.rows_rejected += other.rows_rejected
        for rule, totals in other.rules.items():
            self.rules.setdefault(rule, RuleTotals()).merge(totals)
        for fund, ftotals in other.funds.items():
            self.funds.setdefault(fund, FundTotals()).merge(ftotals)
        self.rejected_by.update(other.rejected_by)


@dataclass(frozen=True)
class BatchSummary:
    """The result of a run: what was read, written and rejected, totals per rule and fund."""

    input: str
    output: str | None
    rejects: str
    on: date
    tally: Tally
    funds: tuple[str, ...]  # every fund of the package, in funds.yaml order
    budget: Mapping[str, Decimal] | None = None
    remaining: Mapping[str, Decimal] | None = None
    titles: Mapping[str, str] = field(default_factory=dict)

    @property
    def reconciled(self) -> bool:
        t = self.tally
        return t.rows_read == t.rows_decided + t.rows_rejected

    def to_json(self) -> dict[str, Any]:
        t = self.tally
        return {
            "input": self.input,
            "output": self.output,
            "rejects": self.rejects,
            "date": self.on.isoformat(),
            "rows_read": t.rows_read,
            "rows_decided": t.rows_decided,
            "rows_rejected": t.rows_rejected,
            "reconciled": self.reconciled,
            "rejected_by": dict(sorted(t.rejected_by.items())),
            "rules": [
                {
                    "rule": rule,
                    "outcomes": {o: r.outcomes[o] for o in OUTCOMES if r.outcomes[o]},
                    "amount": _text(r.amount),
                    "amount_unknown": r.amount_unknown,
                    "uncovered": _text(r.uncovered),
                }
                for rule, r in sorted(t.rules.items())
            ],
            "funds": [self.fund_json(fund) for fund in self.funds],
        }

    def fund_json(self, fund: str) -> dict[str, Any]:
        totals = self.tally.funds.get(fund, FundTotals())
        out: dict[str, Any] = {
            "fund": fund,
            "allocated": _text(totals.allocated),
            "cases": totals.cases,
            "passed_on": _text(totals.passed_on),
        }
        if self.budget is not None and fund in self.budget:
            out["quota"] = _text(self.budget[fund])
            out["remaining"] = _text((self.remaining or {}).get(fund, ZERO))
        return out


def _text(value: Decimal) -> str:
    """Yuan with at least the cents: 400 -> 400.00, 0.125 stays 0.125."""
    if value.as_tuple().exponent > -2:  # type: ignore[operator]
        value = value.quantize(ZERO)
    return format(value, "f")


# -- one chunk, in whichever process -------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """Everything a worker process needs to decide chunks; small and picklable."""

    root: str
    digest: str
    kind: str
    header: tuple[str, ...] | None
    out_kind: str | None
    on: date
    rule_ids: frozenset[str] | None
    only: frozenset[str] | None
    budgeted: bool
    backend: str


@dataclass
class ChunkResult:
    tally: Tally
    rejects: list[dict[str, Any]]
    payload: Any = None  # encoded output (no budget)
    rows: list[ResultRow] | None = None  # decided rows awaiting budget allocation


@dataclass
class _Case:
    """One row on its way: where it was read, its id, its facts (or why it has none), and
    the row as read, which a reject keeps so that nothing is lost."""

    row: int
    line: int | None
    case_id: str | None
    facts: Mapping[str, Any] | RowError
    record: Any


class ChunkWorker:
    """Decodes, decides, tallies and encodes chunks for one Job."""

    def __init__(self, job: Job, package: Package) -> None:
        self.job = job
        self.plan = FactsPlan(package.facts_schema, package.env.facts)
        self.columns: list[Column] = []
        self.case_index: int | None = None
        if job.header is not None:
            self.columns, self.case_index = self.plan.columns(job.header)
        config = BackendConfig(job.on, job.rule_ids, chains=job.budgeted)
        self.backend = BACKENDS[job.backend](package, config)
        self.encoder = Encoder(job.out_kind, job.only) if job.out_kind else None

    def run(self, chunk: Chunk) -> ChunkResult:
        tally = Tally()
        rejects: list[dict[str, Any]] = []
        cases = []
        for case in self._decode(chunk):
            tally.rows_read += 1
            if isinstance(case.facts, RowError):
                rejects.append(_reject(case, case.facts, tally))
            else:
                cases.append(case)
        results = self.backend.decide([(c.case_id, c.facts) for c in cases])
        rows: list[ResultRow] = []
        for case, result in zip(cases, results, strict=True):
            if isinstance(result, RowError):
                rejects.append(_reject(case, result, tally))
                continue
            tally.rows_decided += 1
            for r in result:
                tally.add(r)
                if not self.job.budgeted:
                    tally.add_funding(r)
            rows.extend(result)
        rejects.sort(key=lambda r: r["row"])
        if self.job.budgeted:
            return ChunkResult(tally, rejects, rows=rows)
        payload = self.encoder.encode(rows) if self.encoder is not None else None
        return ChunkResult(tally, rejects, payload=payload)

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
        for row, line, cells in records:
            if isinstance(cells, tuple):  # (reason, raw text): the line could not be split
                yield _Case(row, line, None, RowError("", cells[0]), cells[1])
                continue
            if len(cells) != width:
                message = f"the row has {len(cells)} cells, the header has {width}"
                yield _Case(row, line, None, RowError("", message), cells)
                continue
            record = {name: cell for name, cell in zip(header, cells, strict=True) if cell}
            case_id = cells[at].strip() if at is not None else str(row)
            yield _Case(row, line, case_id or None, self._csv_facts(case_id, cells), record)

    def _csv_facts(self, case_id: str, cells: list[str]) -> Any:
        try:
            if not case_id:
                raise RowError(CASE_ID, "is empty")
            facts = self.plan.from_cells(self.columns, cells)
            if not facts:
                raise RowError("", "no facts: every cell of the row is empty")
            return facts
        except RowError as err:
            return err

    def _jsonl(self, records: Sequence[Any]) -> Iterator[_Case]:
        for row, line, raw in records:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-8", "replace").rstrip("\r\n")
                yield _Case(row, line, None, RowError("", "not UTF-8 text"), text)
                continue
            case = _Case(row, line, None, RowError("", ""), text.rstrip("\r\n"))
            try:
                data = json.loads(text, parse_float=Decimal)
                if not isinstance(data, dict):
                    raise RowError("", "expected a JSON object of facts per line")
                case.case_id = case_id_of(data.pop(CASE_ID, None), row)
                case.facts = self.plan.from_record(data)
                if not case.facts:
                    raise RowError("", "no facts in this row")
            except json.JSONDecodeError as err:
                case.facts = RowError("", f"invalid JSON: {err.msg.lower()} at column {err.colno}")
            except RecursionError:
                case.facts = RowError("", "invalid JSON: nested too deeply")
            except RowError as err:
                case.facts = err
            yield case

    def _parquet(self, chunk: Chunk) -> Iterator[_Case]:
        batch = chunk.records
        values = [batch.column(c.index).to_pylist() for c in self.columns]
        ids = batch.column(self.case_index).to_pylist() if self.case_index is not None else None
        for i in range(batch.num_rows):
            row = chunk.first_row + i
            cells = [v[i] for v in values]
            record = {c.name: v for c, v in zip(self.columns, cells, strict=True) if v is not None}
            case = _Case(row, None, None, RowError("", ""), record)
            try:
                if ids is not None:
                    record[CASE_ID] = ids[i]
                case.case_id = case_id_of(ids[i] if ids is not None else None, row)
                case.facts = self.plan.from_record(_nest(self.columns, cells))
                if not case.facts:
                    raise RowError("", "no facts: every cell of the row is empty")
            except RowError as err:
                case.facts = err
            yield case


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
                raise RowError(err.path or column.name, err.message) from None
        target = out
        for key in column.keys[:-1]:
            target = target.setdefault(key, {})
        target[column.keys[-1]] = value
    return out


def _reject(case: _Case, err: RowError, tally: Tally) -> dict[str, Any]:
    tally.rows_rejected += 1
    tally.rejected_by[err.path.split("[")[0] or "row"] += 1
    return {
        "row": case.row,
        "line": case.line,
        "case_id": case.case_id,
        "reason": str(err),
        "record": case.record,
    }


# -- worker processes ----------------------------------------------------------------------

_WORKER: ChunkWorker | str | None = None


def _init_worker(job: Job) -> None:
    """Load the package once per process. A failure is kept, not raised: a Pool whose
    initializer raises restarts it forever."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        from engine.package import load_package

        loaded = load_package(Path(job.root))
        package = loaded.package
        if package is None or loaded.has_errors:
            _WORKER = f"the package at {job.root} no longer loads"
        elif package.digest != job.digest:
            _WORKER = f"the package at {job.root} changed while the register was running"
        else:
            _WORKER = ChunkWorker(job, package)
    except Exception as exc:  # reported by the first task, as one line
        _WORKER = f"{type(exc).__name__}: {exc}"


def _run_chunk(chunk: Chunk) -> ChunkResult:
    if not isinstance(_WORKER, ChunkWorker):
        raise RuntimeError(_WORKER or "worker not initialised")
    return _WORKER.run(chunk)


def _results(
    source: Source, local: ChunkWorker, job: Job, options: BatchOptions
) -> Iterator[ChunkResult]:
    """Chunk results in input order, with at most two chunks per worker in flight."""
    chunks = source.chunks(options.chunk_size)
    if options.workers <= 1:
        for chunk in chunks:
            yield local.run(chunk)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(options.workers, _init_worker, (job,)) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_run_chunk, (chunk,)))
            if len(pending) >= 2 * options.workers:
                yield _get(pending.popleft())
        while pending:
            yield _get(pending.popleft())


def _get(result: Any) -> ChunkResult:
    try:
        got: ChunkResult = result.get()
    except RuntimeError as exc:
        raise DiagnosticError([_error("B005", f"a worker process failed: {exc}", "")]) from None
    return got


# -- the run -------------------------------------------------------------------------------


def evaluate_batch(
    package: Package,
    source: Path,
    options: BatchOptions,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchSummary:
    """Decide every row of the register at `source` on `options.on`.

    Raises DiagnosticError (exit 2 in the CLI) for problems with the whole input or options:
    an unreadable or unsupported file, a header that does not fit the facts schema, an
    unknown rule, outcome or fund. Problems with a row never raise: the row is rejected.
    KeyboardInterrupt propagates after the partial files are removed.
    """
    _check_options(package, source, options)
    rejects_path = options.rejects or _rejects_beside(options.out or source)
    try:
        reader = open_source(source, options.encoding)
    except InputError as err:
        raise DiagnosticError([_error("B001", str(err), str(source), err.line)]) from None
    sinks: list[Sink] = []
    try:
        job = _job(package, reader, options)
        local = ChunkWorker(job, package)
        out = open_sink(options.out, job.out_kind) if options.out and job.out_kind else None
        sinks = [s for s in (out,) if s is not None]
        rejects = RejectSink(rejects_path)
        sinks.append(rejects)
        summary = _run(package, source, reader, local, job, options, out, rejects, progress)
        for sink in sinks:
            sink.commit()
        return summary
    except ColumnError as err:
        raise DiagnosticError([_error("B002", str(err), str(source), 1)]) from None
    except InputError as err:
        raise DiagnosticError([_error("B003", str(err), str(options.out or source))]) from None
    finally:
        for sink in sinks:
            if sink.partial.exists():
                sink.abort()
        reader.close()


def _run(
    package: Package,
    source: Path,
    reader: Source,
    local: ChunkWorker,
    job: Job,
    options: BatchOptions,
    out: Sink | None,
    rejects: RejectSink,
    progress: Callable[[BatchProgress], None] | None,
) -> BatchSummary:
    tally = Tally()
    budget = Budget(dict(options.budget)) if options.budget is not None else None
    encoder = Encoder(job.out_kind, options.only) if job.out_kind else None
    for result in _results(reader, local, job, options):
        tally.merge(result.tally)
        rejects.add(result.rejects)
        payload = result.payload
        if result.rows is not None:  # budgets are spent here, in input order
            rows = [_spend(r, budget) for r in result.rows]
            for r in rows:
                tally.add_funding(r)
            payload = encoder.encode(rows) if encoder is not None else None
        if out is not None:
            out.write(payload)
        if progress is not None:
            progress(BatchProgress(tally.rows_read, tally.rows_rejected, reader.done, reader.total))
    return BatchSummary(
        input=str(source),
        output=str(options.out) if options.out else None,
        rejects=str(rejects.path),
        on=options.on,
        tally=tally,
        funds=tuple(package.funds),
        budget=dict(options.budget) if options.budget is not None else None,
        remaining=dict(budget.remaining) if budget is not None else None,
    )


def _spend(row: ResultRow, budget: Budget | None) -> ResultRow:
    if not row.chain or row.amount is None:
        return row
    shares = allocate(row.amount, row.chain, budget)
    return row._replace(funding=tuple((f, s) for (f, _), s in zip(row.chain, shares, strict=True)))


def _job(package: Package, reader: Source, options: BatchOptions) -> Job:
    out_kind = format_of(options.out) if options.out else None
    return Job(
        root=str(package.root),
        digest=package.digest,
        kind=reader.kind,
        header=tuple(reader.header) if reader.header is not None else None,
        out_kind=out_kind,
        on=options.on,
        rule_ids=options.rule_ids,
        only=options.only,
        budgeted=options.budget is not None,
        backend=options.backend,
    )


def _check_options(package: Package, source: Path, options: BatchOptions) -> None:
    problems: list[Diagnostic] = []
    known = {r.id for r in package.rules}
    for rule in sorted(options.rule_ids or ()):
        if rule not in known:
            problems.append(_error("U003", f"no rule `{rule}`; rules: {', '.join(sorted(known))}"))
    for outcome in sorted(options.only or ()):
        if outcome not in OUTCOMES:
            problems.append(
                _error("U004", f"--only: unknown outcome `{outcome}`; use {', '.join(OUTCOMES)}")
            )
    for fund in sorted(options.budget or {}):
        if fund not in package.funds:
            funds = ", ".join(package.funds) or "none"
            problems.append(_error("B004", f"the budget names no fund `{fund}`; funds: {funds}"))
    if options.out is not None and format_of(options.out) is None:
        problems.append(_error("B003", "unsupported output format; use .csv, .jsonl or .parquet"))
    if options.workers < 1 or options.chunk_size < 1:
        problems.append(_error("U004", "--workers and the chunk size must be at least 1"))
    if options.backend not in BACKENDS:
        problems.append(_error("U004", f"no backend `{options.backend}`"))
    rejects = options.rejects or _rejects_beside(options.out or source)
    for target in (options.out, rejects):
        if target is not None and target.resolve() == source.resolve():
            problems.append(_error("B003", f"{target} is the input; choose another file"))
    if options.out is not None and options.out.resolve() == rejects.resolve():
        problems.append(_error("B003", "the output and the rejects file must differ"))
    if problems:
        raise DiagnosticError(problems)


def _rejects_beside(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.jsonl")


def _error(code: str, message: str, file: str = "<command line>", line: int = 0) -> Diagnostic:
    return Diagnostic(code, message, Span(file, max(line, 1), 1, max(line, 1), 1))
