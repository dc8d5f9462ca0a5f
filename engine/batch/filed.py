"""A register run with the files people keep: the run manifest and, when asked, the dashboard.

In: the library, the register, BatchOptions (where the manifest and the dashboard go:
`options.manifest`, `options.report`) and a RunRecord (the dashboard's language, the command
line). Out: the BatchSummary of evaluate_batch, after the results and rejects are written,
with the manifest written beside them (always) and the dashboard page (with --report). Their
paths are checked with the other outputs before a row is read (engine.batch.checks). Both are
written atomically, after the results, and name the results' sha256, so a manifest never
describes files that are not there.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from clause.engine.batch.checks import manifest_beside
from clause.engine.batch.manifest import (
    FileDigest,
    RunFacts,
    file_digest,
    manifest,
    write_text_atomically,
)
from clause.engine.batch.run import BatchOptions, BatchProgress, BatchSummary, evaluate_batch
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.library import Library
from clause.engine.messages import msg, os_reason
from clause.engine.source import Span


@dataclass(frozen=True)
class RunRecord:
    """What the manifest and the dashboard record beyond the options: the language of the
    dashboard and the command line, as given."""

    lang: str = "zh"
    command: str | None = None


def run_and_file(
    library: Library,
    source: Path,
    options: BatchOptions,
    record: RunRecord,
    progress: Callable[[BatchProgress], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> BatchSummary:
    """evaluate_batch, then the manifest and the dashboard. Raises DiagnosticError, before
    anything is decided, for an unusable manifest or report path (B003) or a dashboard
    without its chart library (B008), as for any other unusable option."""
    if options.manifest is None:
        options = dataclasses.replace(options, manifest=manifest_beside(options.out or source))
    manifest_path = options.manifest
    assert manifest_path is not None
    started = clock()
    try:
        source_digest: FileDigest | None = file_digest(source)
    except OSError:
        source_digest = None  # evaluate_batch says why the register cannot be read (B001)
    summary = evaluate_batch(library, source, options, progress)
    finished = clock()
    assert source_digest is not None
    facts = RunFacts(
        source=source_digest,
        results=file_digest(options.out) if options.out is not None else None,
        rejects=file_digest(Path(summary.rejects)),
        report=str(options.report) if options.report is not None else None,
        command=record.command,
        started=started,
        finished=finished,
    )
    data = manifest(summary, options, library, facts)
    _write(manifest_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if options.report is not None:
        from clause.engine.batch.report import dashboard

        page = dashboard(summary, data, library, record.lang, str(manifest_path))
        _write(options.report, page)
    return dataclasses.replace(
        summary,
        manifest=str(manifest_path),
        report=str(options.report) if options.report is not None else None,
    )


def _write(path: Path, text: str) -> None:
    try:
        write_text_atomically(path, text)
    except OSError as err:
        problem = Diagnostic.make(
            "B003",
            msg("B003", path=str(path), reason=os_reason(err)),
            Span("<command line>", 1, 1, 1, 1),
        )
        raise DiagnosticError([problem]) from None
