"""A whole register decided on one date: the facade over engine.batch for `clause eval`.

In: a library, a register path, BatchOptions (with where the manifest and the dashboard go),
an optional progress callback and a RunRecord (the dashboard's language, the command line).
Out: a BatchSummary (counts, totals per rule and fund) after the result, rejects and manifest
files (and the dashboard, when asked) are written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clause.engine.batch.filed import RunRecord, run_and_file
from clause.engine.batch.run import BatchOptions, BatchProgress, BatchSummary
from clause.engine.library import Library

__all__ = ["BatchOptions", "BatchProgress", "BatchSummary", "RunRecord", "evaluate_register"]


def evaluate_register(
    library: Library,
    source: Path,
    options: BatchOptions,
    progress: Callable[[BatchProgress], None] | None = None,
    record: RunRecord | None = None,
) -> BatchSummary:
    """Decide every row of the register at `source` (engine.batch.run.evaluate_batch), then
    write the run manifest and the dashboard (engine.batch.filed.run_and_file)."""
    return run_and_file(library, source, options, record or RunRecord(), progress)
