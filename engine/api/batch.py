"""A whole register decided on one date: the facade over engine.batch for `clause eval`.

In: a library, a register path, BatchOptions and an optional progress callback. Out: a
BatchSummary (counts, totals per rule and fund) after the result and rejects files are written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clause.engine.batch.run import BatchOptions, BatchProgress, BatchSummary, evaluate_batch
from clause.engine.library import Library

__all__ = ["BatchOptions", "BatchProgress", "BatchSummary", "evaluate_register"]


def evaluate_register(
    library: Library,
    source: Path,
    options: BatchOptions,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchSummary:
    """Decide every row of the register at `source`; see engine.batch.run.evaluate_batch."""
    return evaluate_batch(library, source, options, progress)
