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
from clause.engine.batch.ids import SeenIds
from clause.engine.batch.read import Chunk, CsvSource, ParquetSource, Source
from clause.engine.batch.totals import Tally
from clause.engine.columnar.backend import layout_columns
from clause.engine.columnar.convert import CASE, ROW, SUSPECT, convert
from clause.engine.columnar.csvblocks import LINE as LINE_
from clause.engine.columnar.csvblocks import ROW as ROW_
from clause.engine.columnar.csvblocks import CsvBlocks
from clause.engine.columnar.encode import Encoded, encode, long_rows, spend, tally_of
from clause.engine.columnar.plan import RISK, Plan
from clause.engine.columnar.wide import encode_wide
from clause.engine.decide import Budget
from clause.engine.library import Library
from clause.engine.messages import Text


def record_rules(library: Library, job: Job) -> dict[str, Text]:
    """The rules the columnar backend leaves to the record path, and why."""
    return dict(Plan(library, job.on, layout_columns(library)).fallback)


def supported(library: Library, job: Job, kind: str) -> bool:
    """Whether the native path can run this job: CSV or Parquet, every rule compiled."""
    if kind not in ("csv", "parquet") or job.backend != "columnar":
        return False
    return not Plan(library, job.on, layout_columns(library)).fallback


class NativeRun:
    """Decides a register batch by batch; `stats` counts rows handed to the record path."""

    def __init__(self, library: Library, job: Job, budget: Budget | None, seen: SeenIds) -> None:
        self.library, self.job, self.budget, self.seen = library, job, budget, seen
        self.plan = Plan(library, job.on, layout_columns(library))
        self.facts = FactsPlan(library.facts_schema, library.env.facts)
        slow_job = replace(job, backend="record", budgeted=True)
        self.slow = ChunkWorker(slow_job, library)
        self.stats = {"rows": 0, "record path": 0}

    def results(self, source: Source, chunk_size: int) -> Iterator[ChunkResult]:
        if isinstance(source, ParquetSource):
            for chunk in source.chunks(max(chunk_size, 65_536)):
                raw = pl.from_arrow(chunk.records)
                assert isinstance(raw, pl.DataFrame)
                rows = pl.int_range(pl.len()) + chunk.first_row
                yield self._batch(raw, rows, chunk, [])
            return
        assert isinstance(source, CsvSource)
        blocks = CsvBlocks(source)
        names = {f"c{i}": n for i, n in enumerate(source.header or [])}
        for block in blocks.blocks():
            self.stats["csv records read by the record path"] = blocks.fallback_rows
            cells = block.cells.rename(names)
            yield self._batch(cells, pl.col(ROW_), None, block.records, block.spaced)

    def _batch(
        self,
        raw: pl.DataFrame,
        rows: pl.Expr,
        chunk: Chunk | None,
        records: list[Any],
        spaced: bool = True,
    ) -> ChunkResult:
        """One batch: `raw` cells (with `?row`/`?line` for CSV), and for CSV the records the
        record path's reader read itself."""
        frame = convert(raw, self.facts, self.library.env.facts, rows, chunk is None, spaced)
        good = frame.filter(~pl.col(SUSPECT))
        decided = self.plan.run(good) if good.height else None
        slow_rows = frame.filter(pl.col(SUSPECT)).get_column(ROW).to_list()
        if decided is not None:
            slow_rows += decided.filter(pl.col(RISK)).get_column(ROW).to_list()
            decided = decided.filter(~pl.col(RISK))
        slow_rows.sort()
        result = None
        if slow_rows or records:
            result = self.slow.run(self._slow_chunk(raw, slow_rows, chunk, records))
        decided, result = self._refuse_repeats(raw, decided, slow_rows, chunk, records, result)
        self.stats["rows"] += frame.height + len(records)
        self.stats["record path"] += len(slow_rows) + len(records)
        tally = Tally(rows_read=frame.height)
        rejects: list[dict[str, Any]] = []
        parts = []
        if decided is not None and decided.height:
            parts.append(self._native_rows(decided))
            tally.rows_decided += decided.height
        if result is not None:
            tally.rows_read += len(records)
            tally.merge(_counts_only(result.tally))
            tally.record_path += result.tally.rows_decided  # decided there, not rejected
            rejects = result.rejects
            parts.append(long_rows(result.rows or [], result.row_numbers or [], self.library))
        long = pl.concat(parts, how="vertical") if parts else long_rows([], [], self.library)
        return self._out(long.sort(["row", "position"]), tally, rejects)

    def _refuse_repeats(
        self,
        raw: pl.DataFrame,
        decided: pl.DataFrame | None,
        slow_rows: list[int],
        chunk: Chunk | None,
        records: list[Any],
        result: ChunkResult | None,
    ) -> tuple[pl.DataFrame | None, ChunkResult | None]:
        """The batch with every row whose case id an earlier row of the register had (in this
        batch or before) rejected, as engine.batch.run does: the ids of the decided rows, in
        row order, go through the run's SeenIds; rows found again are decided once more by
        the record path's worker, which rejects them with its own words."""
        ids: list[tuple[int, str]] = list(result.ids) if result is not None else []
        if decided is not None and decided.height:
            ids += decided.select(pl.col(ROW), pl.col(CASE)).rows()
        ids.sort()
        repeats = self.seen.repeats(ids)
        if not repeats:
            return decided, result
        moved: list[int] = []
        if decided is not None:
            again = pl.col(ROW).is_in(sorted(repeats))
            moved = decided.filter(again).get_column(ROW).to_list()
            decided = decided.filter(~again)
        rows = sorted([*slow_rows, *moved])
        return decided, self.slow.run(self._slow_chunk(raw, rows, chunk, records), repeats)

    def _out(self, long: pl.DataFrame, tally: Tally, rejects: list[dict[str, Any]]) -> ChunkResult:
        if self.budget is not None:
            long = spend(long, self.budget)
        if self.job.rule_ids is not None:
            long = long.filter(pl.col("rule").is_in(sorted(self.job.rule_ids)))
        tally_of(long, tally)
        payload: Encoded = None
        if self.job.out_kind is not None and self.job.layout == "wide":
            payload = encode_wide(long, self.job.out_kind, self.job.shown, self.job.only)
        elif self.job.out_kind is not None:
            shown = long
            if self.job.only is not None:
                shown = long.filter(pl.col("outcome").is_in(sorted(self.job.only)))
            payload = encode(shown, self.job.out_kind)
        return ChunkResult(tally, rejects, payload=payload)

    def _native_rows(self, decided: pl.DataFrame) -> pl.DataFrame:
        from clause.engine.columnar.encode import plan_rows

        return plan_rows(self.plan, decided, CASE, ROW)

    def _slow_chunk(
        self, raw: pl.DataFrame, rows: Sequence[int], chunk: Chunk | None, records: list[Any]
    ) -> Chunk:
        """The record path's view of some rows of the batch: a Parquet slice, or CSV cells
        (with the records its own reader read), in row order."""
        if chunk is not None:
            import pyarrow as pa

            offsets = [r - chunk.first_row for r in rows]
            taken = chunk.records.take(pa.array(offsets, pa.int64()))
            return Chunk(taken, chunk.first_row, tuple(rows))
        wanted = pl.DataFrame({ROW_: list(rows)}, schema={ROW_: pl.Int64()})
        picked = raw.join(wanted, on=ROW_, how="semi", maintain_order="left")
        cells = [c for c in raw.columns if c not in (ROW_, LINE_)]
        mine = [
            (row, line, line, list(values))
            for row, line, *values in picked.select(ROW_, LINE_, *cells).iter_rows()
        ]
        return Chunk(sorted([*mine, *records], key=lambda r: r[0]))


def _counts_only(tally: Tally) -> Tally:
    """The slow worker's row counts and rejects (its decided rows are tallied with the batch's,
    after spending)."""
    return Tally(
        rows_read=0,
        rows_decided=tally.rows_decided,
        rows_rejected=tally.rows_rejected,
        rejected_by=tally.rejected_by,
        malformed_records=tally.malformed_records,
        lines_in_malformed=tally.lines_in_malformed,
        duplicate_ids=tally.duplicate_ids,
        rejected_first=tally.rejected_first,
    )
