"""Whole batches of a register decided columnar, from Arrow in to encoded results out.

In: a Library, a Job, a Source (CSV or Parquet) and the budget being spent. Out: ChunkResults
in input order, as engine.batch.run consumes them (tally, rejects, encoded payload). Each batch
is converted by engine.columnar.convert, decided by the Plan, and written by
engine.columnar.encode; the rows it cannot decide exactly (suspect cells, rows at risk of a
run-time error) are decided by the record path's ChunkWorker itself and merged back in order,
so rejects, outcomes and files are those of the record path. Memory is bounded by the batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import polars as pl

from clause.engine.batch.chunk import ChunkResult, ChunkWorker, Job
from clause.engine.batch.facts import FactsPlan
from clause.engine.batch.read import Chunk, CsvSource, ParquetSource, Source
from clause.engine.batch.totals import Tally
from clause.engine.columnar.backend import layout_columns
from clause.engine.columnar.convert import CASE, ROW, SUSPECT, convert
from clause.engine.columnar.csvblocks import CsvBlocks
from clause.engine.columnar.encode import Encoded, encode, long_rows, spend, tally_of
from clause.engine.columnar.plan import RISK, Plan
from clause.engine.decide import Budget
from clause.engine.library import Library


def supported(library: Library, job: Job, kind: str) -> bool:
    """Whether the native path can run this job: CSV or Parquet, every rule compiled."""
    if kind not in ("csv", "parquet") or job.backend != "columnar":
        return False
    return not Plan(library, job.on, layout_columns(library)).fallback


class NativeRun:
    """Decides a register batch by batch; `stats` counts rows handed to the record path."""

    def __init__(self, library: Library, job: Job, budget: Budget | None) -> None:
        self.library, self.job, self.budget = library, job, budget
        self.plan = Plan(library, job.on, layout_columns(library))
        self.facts = FactsPlan(library.facts_schema, library.env.facts)
        slow_job = replace(job, backend="record", budgeted=True)
        self.slow = ChunkWorker(slow_job, library)
        self.stats = {"rows": 0, "record path": 0}
        self.handed_over_at: int | None = None

    def results(self, source: Source, chunk_size: int) -> Iterator[ChunkResult]:
        if isinstance(source, ParquetSource):
            for chunk in source.chunks(max(chunk_size, 65_536)):
                raw = pl.from_arrow(chunk.records)
                assert isinstance(raw, pl.DataFrame)
                yield self._batch(raw, chunk.first_row, chunk, None)
            return
        assert isinstance(source, CsvSource)
        blocks = CsvBlocks(source)
        header = source.header or []
        for block in blocks.blocks():
            cells = block.cells.rename({f"c{i}": n for i, n in enumerate(header)})
            yield self._batch(cells, block.first_row, None, block.first_line)
        self.handed_over_at = blocks.handed_over_at
        rest = blocks.rest()
        worker = ChunkWorker(replace(self.job, backend="columnar", budgeted=True), self.library)
        for chunk in rest.chunks(chunk_size):
            result = worker.run(chunk)
            self.stats["rows"] += result.tally.rows_read
            self.stats["record path"] += result.tally.rows_read
            yield self._finish(result)

    def _finish(self, result: ChunkResult) -> ChunkResult:
        """A chunk decided by the chunk worker (after a hand-over): spend and encode here."""
        frame = long_rows(result.rows or [], result.row_numbers or [], self.library)
        tally = _counts_only(result.tally)
        tally.rows_read = result.tally.rows_read
        return self._out(frame, tally, result.rejects)

    def _batch(
        self, raw: pl.DataFrame, first_row: int, chunk: Chunk | None, first_line: int | None
    ) -> ChunkResult:
        frame = convert(raw, self.facts, self.library.env.facts, first_row, chunk is None)
        good = frame.filter(~pl.col(SUSPECT))
        decided = self.plan.run(good) if good.height else None
        slow_rows = frame.filter(pl.col(SUSPECT)).get_column(ROW).to_list()
        if decided is not None:
            slow_rows += decided.filter(pl.col(RISK)).get_column(ROW).to_list()
            decided = decided.filter(~pl.col(RISK))
        slow_rows.sort()
        self.stats["rows"] += frame.height
        self.stats["record path"] += len(slow_rows)
        tally = Tally(rows_read=frame.height)
        rejects: list[dict[str, Any]] = []
        parts = []
        if decided is not None and decided.height:
            parts.append(self._native_rows(decided))
            tally.rows_decided += decided.height
        if slow_rows:
            result = self.slow.run(self._slow_chunk(raw, slow_rows, first_row, chunk, first_line))
            tally.merge(_counts_only(result.tally))
            rejects = result.rejects
            parts.append(long_rows(result.rows or [], result.row_numbers or [], self.library))
        long = pl.concat(parts, how="vertical") if parts else long_rows([], [], self.library)
        return self._out(long.sort(["row", "position"]), tally, rejects)

    def _out(self, long: pl.DataFrame, tally: Tally, rejects: list[dict[str, Any]]) -> ChunkResult:
        if self.budget is not None:
            long = spend(long, self.budget)
        if self.job.rule_ids is not None:
            long = long.filter(pl.col("rule").is_in(sorted(self.job.rule_ids)))
        tally_of(long, tally)
        payload: Encoded = None
        if self.job.out_kind is not None:
            shown = long
            if self.job.only is not None:
                shown = long.filter(pl.col("outcome").is_in(sorted(self.job.only)))
            payload = encode(shown, self.job.out_kind)
        return ChunkResult(tally, rejects, payload=payload)

    def _native_rows(self, decided: pl.DataFrame) -> pl.DataFrame:
        from clause.engine.columnar.encode import plan_rows

        return plan_rows(self.plan, decided, CASE, ROW)

    def _slow_chunk(
        self,
        raw: pl.DataFrame,
        rows: Sequence[int],
        first_row: int,
        chunk: Chunk | None,
        first_line: int | None,
    ) -> Chunk:
        """The record path's view of some rows of the batch: CSV cells or a Parquet slice."""
        offsets = [r - first_row for r in rows]
        if chunk is not None:
            import pyarrow as pa

            taken = chunk.records.take(pa.array(offsets, pa.int64()))
            return Chunk(taken, first_row, tuple(rows))
        assert first_line is not None
        picked = raw[offsets]
        return Chunk(
            [
                (row, first_line + (row - first_row), list(cells))
                for row, cells in zip(rows, picked.iter_rows(), strict=True)
            ]
        )


def _counts_only(tally: Tally) -> Tally:
    """The slow worker's row counts (its rows are tallied with the batch's, after spending)."""
    return Tally(
        rows_read=0,
        rows_decided=tally.rows_decided,
        rows_rejected=tally.rows_rejected,
        rejected_by=tally.rejected_by,
    )
