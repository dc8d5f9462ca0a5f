"""A whole register decided on one date: the facade over engine.batch for `clause eval`.

In: a library, a register path, BatchOptions, RunFiles (manifest, dashboard, command line)
and an optional progress callback. Out: a BatchSummary (counts, totals per rule and fund)
after the result, rejects and manifest files (and the dashboard, when asked) are written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clause.engine.batch.filed import RunFiles, run_and_file
from clause.engine.batch.run import BatchOptions, BatchProgress, BatchSummary
from clause.engine.library import Library

__all__ = ["BatchOptions", "BatchProgress", "BatchSummary", "RunFiles", "evaluate_register"]


def evaluate_register(
    library: Library,
    source: Path,
    options: BatchOptions,
    progress: Callable[[BatchProgress], None] | None = None,
    files: RunFiles | None = None,
) -> BatchSummary:
    """Decide every row of the register at `source` (engine.batch.run.evaluate_batch), then
    write the run manifest and the dashboard (engine.batch.filed.run_and_file)."""
    return run_and_file(library, source, options, files or RunFiles(), progress)
