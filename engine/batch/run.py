"""Batch evaluation: a whole register decided on one date, streamed, with totals per rule and fund.

In: a policy library, a register (CSV, JSON Lines or Parquet; columns and rows as in
docs/batch.md) and BatchOptions. Out: a result file (one row per case and decided rule), a
rejects file (every row that could not be decided, with its line and reason) and a
BatchSummary whose counts reconcile: rows read = rows decided + rows rejected.

Ordering constraints: chunks are decided in any process but merged strictly in input order,
and budgets are spent in the parent in that order, so the output and the totals are the same
byte for byte whatever the number of workers. Files appear under their names only at the end.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from clause.engine.batch.checks import check_options, error, rejects_beside
from clause.engine.batch.chunk import BACKENDS, ChunkResult, ChunkWorker, Job
from clause.engine.batch.facts import ColumnError
from clause.engine.batch.ids import SeenIds
from clause.engine.batch.read import Chunk, InputError, Source, format_of, open_source
from clause.engine.batch.totals import OUTCOMES, BatchSummary, Tally
from clause.engine.batch.write import Encoder, RejectSink, ResultRow, Sink, open_sink
from clause.engine.columnar import native
from clause.engine.decide import Budget, allocate
from clause.engine.decide.funding import bounded_shares
from clause.engine.diagnostics import DiagnosticError
from clause.engine.library import Library
from clause.engine.messages import msg

__all__ = [
    "BACKENDS",
    "OUTCOMES",
    "BatchOptions",
    "BatchProgress",
    "BatchSummary",
    "evaluate_batch",
]


@dataclass(frozen=True)
class BatchOptions:
    """How to run a register. `out` None: totals only. `rejects` None: beside the output (or
    the input), named `<stem>.rejects.jsonl`. `only`: outcomes written to `out` (the totals
    count every outcome). `budget`: remaining quota per fund, spent in input order.
    `manifest` and `report`: where engine.batch.filed writes the run manifest and the
    dashboard after the run (evaluate_batch itself writes neither); checked with the other
    outputs before a row is read."""

    on: date
    out: Path | None = None
    rejects: Path | None = None
    rule_ids: frozenset[str] | None = None
    only: frozenset[str] | None = None
    budget: Mapping[str, Decimal] | None = None
    budget_file: Path | None = None  # where the budget was read: never written over
    workers: int = 1
    chunk_size: int = 2000
    encoding: str = "utf-8"
    backend: str = "columnar"
    engine: str = "local"  # or "spark": chunks decided in Spark executors
    layout: str = "long"  # or "wide": one row per case, a group of columns per rule
    master: str = "local[2]"  # the Spark master, with engine "spark"
    manifest: Path | None = None
    report: Path | None = None


@dataclass(frozen=True)
class BatchProgress:
    """Reported after each chunk is written. `done`/`total` are bytes for CSV and JSON Lines,
    rows for Parquet; `total` is None when unknown."""

    rows_read: int
    rows_rejected: int
    done: int
    total: int | None
    record_path: int = 0  # rows the columnar backend handed whole to the record path


# -- worker processes ----------------------------------------------------------------------

_WORKER: ChunkWorker | str | None = None


def _init_worker(job: Job) -> None:
    """Load the library once per process. A failure is kept, not raised: a Pool whose
    initializer raises restarts it forever."""
    # Ctrl-C, SIGTERM and SIGHUP (sent to the whole process group) are the parent's to
    # handle: it stops the pool and removes the partial files.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    load_worker(job)


def load_worker(job: Job) -> None:
    """The worker of this process for `job` (or why there is none), in `_WORKER`. Spark's
    Python workers call this directly: their signals are Spark's to handle."""
    global _WORKER
    try:
        library = _rebuilt(job)
        if library is None:
            _WORKER = "the policy library no longer loads"
        elif library.digest != job.digest:
            _WORKER = "the policy library changed while the register was running"
        else:
            _WORKER = ChunkWorker(job, library)
            gc.collect()
            gc.freeze()  # see _settled_memory; a worker lives for one run
    except Exception as exc:  # reported by the first task, as one line
        _WORKER = f"{type(exc).__name__}: {exc}"


def _rebuilt(job: Job) -> Library | None:
    """The library the parent decides under, loaded again from its package folders: with
    the library around them (library.yaml: places, shared facts), as `clause eval` opens it,
    or, when that is not the one the parent has (a library built from the packages alone,
    as the Python API allows), from the packages alone."""
    from clause.engine.load.library import load_library
    from clause.engine.load.package import load_package

    roots = [Path(root) for root in job.roots]
    around = load_library(roots[:1], roots).library
    if around is not None and around.digest == job.digest:
        return around
    packages = []
    for root in roots:
        loaded = load_package(root)
        if loaded.package is None or loaded.has_errors:
            return around
        packages.append(loaded.package)
    return Library.of(packages)


def _run_chunk(chunk: Chunk) -> ChunkResult:
    if not isinstance(_WORKER, ChunkWorker):
        raise RuntimeError(_WORKER or "worker not initialised")
    return _WORKER.run(chunk)


def _results(
    source: Source, local: ChunkWorker, job: Job, options: BatchOptions
) -> Generator[tuple[Chunk, ChunkResult], None, None]:
    """Chunks and their results in input order, with at most two chunks per worker in flight,
    so memory stays bounded however large the register (Pool.imap would read ahead without
    limit). Closing the generator stops the pool: the caller closes it on any way out."""
    if options.engine == "spark":
        yield from _spark(source, job, options)
        return
    chunks = source.chunks(options.chunk_size)
    if options.workers <= 1:
        for chunk in chunks:
            yield chunk, local.run(chunk)
        return
    context = multiprocessing.get_context("spawn")  # no fork: safe with threads, same on all OSes
    pool = ProcessPoolExecutor(options.workers, context, _init_worker, (job,))
    pending: deque[tuple[Chunk, Future[ChunkResult]]] = deque()
    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(_run_chunk, chunk)))
            if len(pending) >= 2 * options.workers:
                done, future = pending.popleft()
                yield done, _get(future)
        while pending:
            done, future = pending.popleft()
            yield done, _get(future)
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _spark(source: Source, job: Job, options: BatchOptions) -> Iterator[tuple[Chunk, ChunkResult]]:
    """Chunks and their results from Spark executors; a Spark that cannot start or a failed
    task is one B007 line, not a Java stack trace."""
    from clause.engine.batch.spark import spark_results

    try:
        yield from spark_results(source, job, options.chunk_size, options.master)
    except InputError as err:
        raise DiagnosticError([error("B007", err.reason, "<spark>")]) from None
    except DiagnosticError:
        raise
    except Exception as exc:  # py4j and pyspark raise many types, all with long Java traces
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        reason = msg("B007", master=options.master, reason=first[:300])
        raise DiagnosticError([error("B007", reason, "<spark>")]) from None


def _get(future: Future[ChunkResult]) -> ChunkResult:
    try:
        return future.result()
    except (RuntimeError, BrokenProcessPool) as exc:  # BrokenProcessPool is a RuntimeError
        raise DiagnosticError([error("B005", msg("B005", reason=str(exc)), "<workers>")]) from None


# -- the run -------------------------------------------------------------------------------


def evaluate_batch(
    library: Library,
    source: Path,
    options: BatchOptions,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchSummary:
    """Decide every row of the register at `source` on `options.on`.

    Raises DiagnosticError (exit 2 in the CLI) for problems with the whole input or options:
    an unreadable or unsupported file, a header that does not fit the facts schema, an
    unknown rule, outcome or fund, an output path that would overwrite an input, a package
    file or a directory (engine.batch.checks). Problems with a row never raise: the row is
    rejected, and so is a row whose case id an earlier row already had. KeyboardInterrupt
    (and any other exception) propagates after the pool is stopped and the partial files are
    removed.
    """
    check_options(library, source, options, BACKENDS)
    with _settled_memory():
        return _evaluate(library, source, options, progress)


def _evaluate(
    library: Library,
    source: Path,
    options: BatchOptions,
    progress: Callable[[BatchProgress], None] | None,
) -> BatchSummary:
    rejects_path = options.rejects or rejects_beside(options.out or source)
    try:
        reader = open_source(source, options.encoding)
    except InputError as err:
        raise DiagnosticError([error("B001", err.reason, str(source), err.line)]) from None
    sinks: list[Sink] = []
    try:
        job = make_job(library, reader, options)
        local = ChunkWorker(job, library)
        out = (
            open_sink(options.out, job.out_kind, job.layout, job.shown)
            if options.out and job.out_kind
            else None
        )
        sinks = [s for s in (out,) if s is not None]
        rejects = RejectSink(rejects_path)
        sinks.append(rejects)
        summary = _run(library, source, reader, local, job, options, out, rejects, progress)
        for sink in reversed(sinks):  # the rejects first: results never stand without them
            sink.commit()
        return summary
    except ColumnError as err:
        raise DiagnosticError([error("B002", p, str(source), 1) for p in err.problems]) from None
    except InputError as err:
        where = str(source) if err.code == "B001" else str(options.out or rejects_path)
        raise DiagnosticError([error(err.code, err.reason, where, err.line)]) from None
    finally:
        for sink in sinks:
            if sink.partial.exists():
                sink.abort()
        reader.close()


def _run(
    library: Library,
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
    encoder = (
        Encoder(job.out_kind, options.only, job.layout, library, job.shown)
        if job.out_kind
        else None
    )
    seen = SeenIds()
    with closing(_ordered(library, reader, local, job, options, budget, seen)) as results:
        for chunk, first in results:
            result = first
            if chunk is not None:  # the native path refuses repeated ids itself
                repeats = seen.repeats(first.ids)
                # a case id decided before: decide the chunk again here, those rows rejected
                result = local.run(chunk, repeats) if repeats else first
            _merge(result, tally, budget, encoder, options, out, rejects)
            if progress is not None:
                done = BatchProgress(
                    tally.rows_read, tally.rows_rejected, reader.done, reader.total,
                    tally.record_path,
                )  # fmt: skip
                progress(done)
    return BatchSummary(
        input=str(source),
        output=str(options.out) if options.out else None,
        rejects=str(rejects.path),
        on=options.on,
        tally=tally,
        funds=tuple(library.funds),
        budget=dict(options.budget) if options.budget is not None else None,
        remaining=dict(budget.remaining) if budget is not None else None,
        backend=options.backend,
        record_rules=native.record_rules(library, job) if options.backend == "columnar" else {},
    )


def _ordered(
    library: Library,
    reader: Source,
    local: ChunkWorker,
    job: Job,
    options: BatchOptions,
    budget: Budget | None,
    seen: SeenIds,
) -> Generator[tuple[Chunk | None, ChunkResult], None, None]:
    """Chunk results in input order: from the native columnar path (one process, Polars'
    threads; it spends budgets and refuses repeated case ids itself, so no chunk comes with
    them), or from the chunk workers (`--workers N`: N processes, whatever the backend)."""
    local_run = options.engine == "local" and options.workers <= 1
    if local_run and native.supported(library, job, reader.kind):
        run = native.NativeRun(library, job, budget, seen)
        for result in run.results(reader, options.chunk_size):
            yield None, result
        return
    yield from _results(reader, local, job, options)


def _merge(
    result: ChunkResult,
    tally: Tally,
    budget: Budget | None,
    encoder: Encoder | None,
    options: BatchOptions,
    out: Sink | None,
    rejects: RejectSink,
) -> None:
    """Add one chunk's result to the run: totals, rejects, budgets spent, output written."""
    tally.merge(result.tally)
    rejects.add(result.rejects)
    payload = result.payload
    if result.rows is not None:  # budgets are spent here, in input order
        spent = [spend_budget(r, budget) for r in result.rows]
        numbers = result.row_numbers or [0] * len(spent)
        chosen = [
            (r, n)
            for r, n in zip(spent, numbers, strict=True)
            if options.rule_ids is None or r.rule in options.rule_ids
        ]
        rows = [r for r, _ in chosen]
        for r in rows:
            tally.add_funding(r)
        payload = encoder.encode(rows, [n for _, n in chosen]) if encoder is not None else None
    if out is not None:
        out.write(payload)


def spend_budget(row: ResultRow, budget: Budget | None) -> ResultRow:
    """The row's funding re-split along its chain, spending `budget` (in input order)."""
    if not row.chain:
        return row
    if row.amount is not None:
        shares = allocate(row.amount, row.chain, budget)
    elif row.bounds is not None:
        shares = tuple(s.amount for s in bounded_shares(row.bounds, row.chain, budget))
    else:
        return row
    return row._replace(funding=tuple((f, s) for (f, _), s in zip(row.chain, shares, strict=True)))


def make_job(library: Library, reader: Source, options: BatchOptions) -> Job:
    """What a worker needs to decide chunks of this register."""
    out_kind = format_of(options.out) if options.out else None
    return Job(
        roots=library.roots,
        digest=library.digest,
        kind=reader.kind,
        header=tuple(reader.header) if reader.header is not None else None,
        out_kind=out_kind,
        on=options.on,
        rule_ids=options.rule_ids,
        only=options.only,
        budgeted=options.budget is not None,
        backend=options.backend,
        layout=options.layout,
        shown=tuple(
            r.id
            for r in library.rules_by_id
            if options.rule_ids is None or r.id in options.rule_ids
        ),
    )


@contextmanager
def _settled_memory() -> Iterator[None]:
    """For the run, move everything alive now (the library: rules, compiled code, syntax
    trees) out of the cyclic garbage collector's reach, and put it back after. A register
    run allocates millions of short-lived objects, and each full collection would otherwise
    walk the whole library again: a third of the decision time on the Hubei register.
    Objects made during the run are collected as usual."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
