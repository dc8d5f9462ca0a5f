"""A register run with the files people keep: the run manifest and, when asked, the dashboard.

In: the library, the register, BatchOptions and RunFiles (where the manifest and dashboard
go, their language, the command line). Out: the BatchSummary of evaluate_batch, after the
results and rejects are written, with the manifest written beside them (always) and the
dashboard page (with --report). Both are written atomically, after the results, and name
the results' sha256, so a manifest never describes files that are not there.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from clause.engine.batch import charts
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
from clause.engine.source import Span


@dataclass(frozen=True)
class RunFiles:
    """The files a run leaves besides results and rejects. `manifest` None: beside the results
    (or the register without --out), named `<stem>.manifest.json`. `report` None: no
    dashboard. `command`: the command line, recorded as given."""

    manifest: Path | None = None
    report: Path | None = None
    lang: str = "zh"
    command: str | None = None


def run_and_file(
    library: Library,
    source: Path,
    options: BatchOptions,
    files: RunFiles,
    progress: Callable[[BatchProgress], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> BatchSummary:
    """evaluate_batch, then the manifest and the dashboard. Raises DiagnosticError for an
    unusable manifest or report path (B003) or a dashboard without its chart library (B006),
    before anything is decided."""
    manifest_path = files.manifest or beside(options.out or source, "manifest.json")
    _check_files(source, options, files, manifest_path)
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
        report=str(files.report) if files.report is not None else None,
        command=files.command,
        started=started,
        finished=finished,
    )
    data = manifest(summary, options, library, facts)
    _write(manifest_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if files.report is not None:
        from clause.engine.batch.report import dashboard

        page = dashboard(summary, data, library, files.lang, str(manifest_path))
        _write(files.report, page)
    return dataclasses.replace(
        summary,
        manifest=str(manifest_path),
        report=str(files.report) if files.report is not None else None,
    )


def beside(path: Path, suffix: str) -> Path:
    """`<stem>.<suffix>` in the folder of `path`: results.csv -> results.manifest.json."""
    return path.with_name(f"{path.stem}.{suffix}")


def _check_files(source: Path, options: BatchOptions, files: RunFiles, manifest: Path) -> None:
    problems = []
    rejects = options.rejects or beside(options.out or source, "rejects.jsonl")
    taken = {p.resolve(): name for p, name in ((source, "the register"), (rejects, "rejects"))}
    if options.out is not None:
        taken[options.out.resolve()] = "the results"
    for path, name in ((manifest, "the manifest"), (files.report, "the report")):
        if path is None:
            continue
        other = taken.get(path.resolve())
        if other is not None:
            problems.append(_error("B003", f"{name} would overwrite {other}: {path}"))
        elif path.is_dir():
            problems.append(_error("B003", f"{name} is a folder: {path}"))
        elif not path.parent.is_dir():
            problems.append(_error("B003", f"{name}: no such folder {path.parent}"))
        taken[path.resolve()] = name
    if files.report is not None and not charts.available():
        message = "--report needs the chart library: pip install 'clause[report]'"
        problems.append(_error("B006", message))
    if problems:
        raise DiagnosticError(problems)


def _write(path: Path, text: str) -> None:
    try:
        write_text_atomically(path, text)
    except OSError as err:
        raise DiagnosticError([_error("B003", f"cannot write {path}: {err.strerror}")]) from None


def _error(code: str, message: str) -> Diagnostic:
    return Diagnostic(code, message, Span("<command line>", 1, 1, 1, 1))
