"""`clause diff`: two states of a library compared, and optionally their effect on a register.

In: OLD and NEW, each a folder or a git revision (of the library folder inside the current
repository), and options. Out: the changes and, with a register, a RegisterEffect.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from clause.engine.api.decide import open_library
from clause.engine.api.files import input_finding
from clause.engine.batch.run import BatchOptions
from clause.engine.diagnostics import DiagnosticError
from clause.engine.diff.changes import Change, diff_libraries
from clause.engine.diff.register import RegisterEffect, compare_register
from clause.engine.library import Library


@dataclass(frozen=True)
class LibraryDiff:
    """What `clause diff` reports."""

    old: str
    new: str
    changes: list[Change]
    effect: RegisterEffect | None = None


def diff(
    old: str,
    new: str,
    library: Path = Path("policies"),
    register: Path | None = None,
    options: BatchOptions | None = None,
    out: Path | None = None,
) -> LibraryDiff:
    """Compare the library at `old` with the one at `new` (folders, or git revisions of the
    `library` folder); with `register` and `options`, decide it under both."""
    with ExitStack() as stack:
        before = stack.enter_context(_state(old, library))
        after = stack.enter_context(_state(new, library))
        changes = diff_libraries(before, after)
        effect = None
        if register is not None and options is not None:
            effect = compare_register(before, after, register, options, out)
        return LibraryDiff(old, new, changes, effect)


@contextmanager
def _state(spec: str, library: Path) -> Iterator[Library]:
    """The library a folder holds, or the one a git revision held (extracted to a temporary
    folder for as long as it is needed)."""
    path = Path(spec)
    if path.exists():
        yield open_library(path)
        return
    with tempfile.TemporaryDirectory(prefix="clause-diff-") as tmp:
        yield open_library(_checkout(spec, library, Path(tmp)))


def _checkout(revision: str, library: Path, into: Path) -> Path:
    """Extract `library` as it was at `revision` into `into`; a usage error (U011) when the
    revision or the folder does not exist there."""
    top = _git("rev-parse", "--show-toplevel")
    if top is None:
        raise _usage("U011/no_repository", revision=revision)
    root = Path(top.decode().strip())
    try:
        inside = (Path.cwd() / library).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise _usage("U011/outside", library=str(library)) from None
    if _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is None:
        raise _usage("U011/revision", revision=revision)
    archive = _git("archive", "--format=tar", revision, "--", inside, cwd=root)
    if archive is None:
        raise _usage("U011/missing", folder=inside, revision=revision)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / inside


def _git(*args: str, cwd: Path | None = None) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _usage(key: str, /, **args: str) -> DiagnosticError:
    return DiagnosticError([input_finding(key, "<command line>", **args)])
