"""Rule sets by content: a library's files captured once, stored by digest, rebuilt anywhere.

In: an opened library and the folder it was opened from, or stored files. Out: `RuleSetFiles`
(the files' bytes by path, named by a digest over their content) and, from stored files, the
same library again, rebuilt in a scratch folder but reading as it did where it was first loaded
(same spans, same digest), so a decision can be replayed after `policies/` has changed.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clause.engine import api
from clause.engine.library import Library


class RuleSetError(ValueError):
    """Stored files that cannot be the rule set they claim to be."""


@dataclass(frozen=True)
class RuleSetFiles:
    """The files a library was loaded from, by path relative to its folder, and that folder's
    name as it was given (what every span of its rules starts with)."""

    shown_as: str
    ruleset_digest: str
    files: Mapping[str, bytes] = field(repr=False)

    @property
    def file_digests(self) -> dict[str, str]:
        return {path: blob_digest(data) for path, data in sorted(self.files.items())}

    @property
    def id(self) -> str:
        """sha256 over the folder's name and every file's path and content: two rule sets with
        the same data but other layout (so other line numbers in traces) are not confused."""
        h = hashlib.sha256()
        h.update(self.shown_as.encode("utf-8") + b"\0")
        for path, digest in self.file_digests.items():
            h.update(path.encode("utf-8") + b"\0" + digest.encode("ascii") + b"\0")
        return "sha256:" + h.hexdigest()


def blob_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def capture(library: Library, folder: Path) -> RuleSetFiles:
    """The files of every package of `library` (opened from `folder`), tests left out."""
    base = folder.resolve()
    files: dict[str, bytes] = {}
    for package in library.packages:
        tests = {str(Path(t).resolve()) for t in package.test_files}
        for name in package.files:
            path = Path(name).resolve()
            if str(path) in tests:
                continue
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                raise RuleSetError(f"{name} is not under the library folder {folder}") from None
            files[rel] = path.read_bytes()
    return RuleSetFiles(str(folder), library.digest, files)


def rebuild(stored: RuleSetFiles) -> Library:
    """The library the stored files make, named as they were first loaded. Raises RuleSetError
    when a path would leave the scratch folder or the rebuilt digest is not the stored one,
    and DiagnosticError when the files do not load."""
    with tempfile.TemporaryDirectory(prefix="clause-ruleset-") as scratch:
        root = Path(scratch).resolve()
        for rel, data in stored.files.items():
            target = (root / rel).resolve()
            if root not in target.parents:
                raise RuleSetError(f"stored path {rel!r} leaves the rule set's folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        library = api.open_library(root, shown_as=stored.shown_as)
    if library.digest != stored.ruleset_digest:
        raise RuleSetError(
            f"rebuilt rule set has digest {library.digest}, stored as {stored.ruleset_digest}"
        )
    return library
