"""Options of a batch run checked before anything is read or written.

In: the library, the register's path and the run's options. Out: nothing, or a DiagnosticError
listing every problem: an unknown rule, outcome, fund, backend, engine or layout (U003, U004,
B004), counts out of range (`--workers` at most the processors this process may use,
`--chunk-size` 1..100,000), and output paths that would lose data (B003): a directory, a
missing folder, an unsupported format, the register itself, the budget file, another file of
the same run, or any file of a policy package. Results, rejects, the run manifest and the
dashboard are only ever written where nothing the run reads, or the library holds, can be hit.
A dashboard asked for without its chart library installed is refused here too (B008), before
anything is decided. The same checks hold whatever the backend or engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clause.engine.batch.read import format_of
from clause.engine.batch.totals import OUTCOMES
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.library import Library
from clause.engine.messages import Text, msg
from clause.engine.source import Span

if TYPE_CHECKING:
    from clause.engine.batch.run import BatchOptions

MAX_CHUNK = 100_000
REJECT_SUFFIXES = (".jsonl", ".ndjson")
OUTPUT_SUFFIXES = (".csv", ".jsonl", ".parquet")
ENGINES = ("local", "spark")
LAYOUTS = ("long", "wide")
#: The files a run keeps besides results and rejects: (option, suffixes, what, kind).
KEPT = {
    "--manifest": ((".json",), "B003/what.manifest", "JSON"),
    "--report": ((".html", ".htm"), "B003/what.report", "HTML"),
}


def usable_cpus() -> int:
    """Processors this process may run on (its affinity where the system says, else all)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        try:
            return max(len(affinity(0)), 1)
        except OSError:
            pass
    return max(os.cpu_count() or 1, 1)


def rejects_beside(path: Path) -> Path:
    """The default rejects file: `<stem>.rejects.jsonl` beside `path`."""
    return path.with_name(f"{path.stem}.rejects.jsonl")


def manifest_beside(path: Path) -> Path:
    """The default run manifest: `<stem>.manifest.json` beside `path` (the results, or the
    register when there are none)."""
    return path.with_name(f"{path.stem}.manifest.json")


def error(code: str, message: Text, file: str = "<command line>", line: int = 0) -> Diagnostic:
    return Diagnostic.make(code, message, Span(file, max(line, 1), 1, max(line, 1), 1))


def check_options(library: Library, source: Path, options: BatchOptions, backends: Any) -> None:
    """Every problem with the options, at once; DiagnosticError when there is one."""
    problems = [*_selection(library, options, backends), *_counts(options)]
    problems += _outputs(library, source, options)
    if problems:
        raise DiagnosticError(problems)


def _selection(library: Library, options: BatchOptions, backends: Any) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    known = ", ".join(sorted(r.id for r in library.rules_by_id))
    ids = {r.id for r in library.rules_by_id}
    for rule in sorted((options.rule_ids or frozenset()) - ids):
        out.append(error("U003", msg("U003", option=msg("option.rule"), rule=rule, known=known)))
    for outcome in sorted((options.only or frozenset()) - set(OUTCOMES)):
        out.append(error("U004", msg("U004/outcome", outcome=outcome, known=", ".join(OUTCOMES))))
    for fund in sorted(options.budget or {}):
        if fund not in library.funds:
            funds = ", ".join(library.funds) or "-"
            out.append(error("B004", msg("B004", fund=fund, funds=funds)))
    if options.backend not in backends:
        out.append(error("U004", msg("U004/backend", backend=options.backend)))
    if options.engine not in ENGINES:
        out.append(error("U004", msg("U004/engine", engine=options.engine)))
    if options.layout not in LAYOUTS:
        out.append(error("U004", msg("U004/layout", layout=options.layout)))
    return out


def _counts(options: BatchOptions) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    cpus = usable_cpus()
    if options.workers < 1:
        count = msg("U004/count", option="--workers", max=cpus, value=options.workers)
        out.append(error("U004", count))
    elif options.workers > cpus:
        out.append(
            Diagnostic.of(
                "U004/workers",
                Span("<command line>", 1, 1, 1, 1),
                value=options.workers,
                cpus=cpus,
            )
        )
    if not 1 <= options.chunk_size <= MAX_CHUNK:
        size = options.chunk_size
        out.append(
            error("U004", msg("U004/count", option="--chunk-size", max=MAX_CHUNK, value=size))
        )
    return out


def _real(path: Path) -> str:
    """The path with links followed; never raises, even for a link loop."""
    return os.path.realpath(path)


def _outputs(library: Library, source: Path, options: BatchOptions) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    rejects = options.rejects or rejects_beside(options.out or source)
    if options.out is not None and format_of(options.out) is None:
        suffix = options.out.suffix
        known = ", ".join(OUTPUT_SUFFIXES)
        out.append(error("B003", msg("B003/format", option="--out", suffix=suffix, known=known)))
    if options.rejects is not None and options.rejects.suffix.lower() not in REJECT_SUFFIXES:
        out.append(error("B003", msg("B003/rejects_format", path=str(options.rejects))))
    named = [
        ("--out", options.out),
        ("--rejects", rejects),
        ("--manifest", options.manifest),
        ("--report", options.report),
    ]
    for option, target in named:
        if target is not None:
            out.extend(_target(option, target, library, source, options.budget_file))
    if options.out is not None and _real(options.out) == _real(rejects):
        out.append(error("B003", msg("B003/same")))
    out += _kept(named)
    return out


def _kept(named: list[tuple[str, Path | None]]) -> list[Diagnostic]:
    """The manifest and the dashboard: their format, a file of their own, and for the
    dashboard its chart library."""
    out: list[Diagnostic] = []
    for i, (option, target) in enumerate(named):
        if option not in KEPT or target is None:
            continue
        suffixes, what, kind = KEPT[option]
        path = str(target)
        if target.suffix.lower() not in suffixes:
            wrong = msg(
                "B003/kept_format", option=option, path=path, what=msg(what), kind=kind,
                suffix=suffixes[0],
            )  # fmt: skip
            out.append(error("B003", wrong))
        for other, earlier in named[:i]:
            if earlier is not None and _real(earlier) == _real(target):
                same = msg("B003/same_file", option=option, path=path, other=other)
                out.append(error("B003", same))
                break
    if dict(named).get("--report") is not None:
        from clause.engine.batch.charts import available

        if not available():
            out.append(error("B008", msg("B008")))
    return out


def _target(
    option: str, target: Path, library: Library, source: Path, budget: Path | None
) -> Iterable[Diagnostic]:
    """Why `target` may not be written, if it may not: each path check of the module doc."""
    real = _real(target)
    shown = str(target)
    if os.path.isdir(real):
        yield error("B003", msg("B003/directory", option=option, path=shown))
        return
    parent = os.path.dirname(real) or "."
    if not os.path.isdir(parent):
        yield error("B003", msg("B003/parent", option=option, parent=str(target.parent)))
        return
    if real == _real(source):
        yield error("B003", msg("B003/input", option=option, path=shown))
    elif budget is not None and real == _real(budget):
        yield error("B003", msg("B003/budget", option=option, path=shown))
    else:
        for root in library.roots:
            base = _real(Path(root))
            if real == base or real.startswith(base + os.sep):
                yield error("B003", msg("B003/package", option=option, path=shown, package=root))
                return
