"""The run manifest: what an auditor files beside a register's results to prove which run made them.

In: the run's BatchSummary and options, the library, digests of the input and output files,
the command line and the start and end times. Out: JSON data conforming to
`schemas/run-manifest.schema.json`, written atomically. Everything in it is a function of
the inputs and options except `times`, which holds the only wall-clock values, so that two
runs of the same command compare equal once `times` is set aside.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clause.engine import __version__
from clause.engine.batch.read import format_of
from clause.engine.batch.run import BatchOptions, BatchSummary
from clause.engine.batch.totals import yuan_text
from clause.engine.library import Library

#: The version of the manifest format; bumped when its shape or meaning changes.
MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class FileDigest:
    """A file's path as given, its size in bytes and the sha256 of its content."""

    path: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def file_digest(path: Path) -> FileDigest:
    """Size and sha256 of the file at `path`, read in blocks (memory stays flat).

    Raises OSError when it cannot be read."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return FileDigest(str(path), path.stat().st_size, "sha256:" + digest.hexdigest())


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the manifest records besides the summary: the files and the clock."""

    source: FileDigest
    results: FileDigest | None
    rejects: FileDigest
    report: str | None
    command: str | None
    started: datetime
    finished: datetime


def manifest(
    summary: BatchSummary, options: BatchOptions, library: Library, run: RunFacts
) -> dict[str, Any]:
    """The manifest of a completed run, as JSON data."""
    t = summary.tally
    return {
        "manifest_version": MANIFEST_VERSION,
        "engine": {"name": "clause", "version": __version__},
        "command": run.command,
        "input": {**run.source.to_json(), "format": format_of(Path(run.source.path))},
        "ruleset": {
            "digest": library.digest,
            "documents": [d.ref for d in library.documents],
        },
        "decision_date": options.on.isoformat(),
        "options": options_json(options),
        "outputs": {
            "results": run.results.to_json() if run.results is not None else None,
            "rejects": run.rejects.to_json(),
            "report": run.report,
        },
        "counts": {
            "read": t.rows_read,
            "decided": t.rows_decided,
            "rejected": t.rows_rejected,
            "reconciled": summary.reconciled,
        },
        "funds": [summary.fund_json(fund) for fund in summary.funds],
        **summary.record_path_json(),  # columnar: what it left to the record path, and why
        "times": {
            "started": _instant(run.started),
            "finished": _instant(run.finished),
            "seconds": round((run.finished - run.started).total_seconds(), 3),
        },
    }


def options_json(options: BatchOptions) -> dict[str, Any]:
    """The options that shaped the results (files aside: they are under `outputs`)."""
    return {
        "rules": sorted(options.rule_ids) if options.rule_ids is not None else None,
        "only": sorted(options.only) if options.only is not None else None,
        "budget": _budget(options.budget),
        "backend": options.backend,
        "engine": options.engine,
        "layout": options.layout,
        "workers": options.workers,
        "chunk_size": options.chunk_size,
        "encoding": options.encoding,
    }


def _budget(budget: Mapping[str, Any] | None) -> dict[str, str] | None:
    if budget is None:
        return None
    return {fund: yuan_text(amount) for fund, amount in sorted(budget.items())}


def _instant(moment: datetime) -> str:
    """An aware time in UTC, to the second: `2026-11-30T16:10:05Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to a hidden partial file beside `path`, then rename it into place."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
