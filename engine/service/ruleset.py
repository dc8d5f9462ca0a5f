"""Rule sets by content: a library's files captured once, stored by digest, rebuilt anywhere.

In: an opened library and the folder it was opened from, or stored files. Out: `RuleSetFiles`
(the bytes of every file decisions depend on — library.yaml and its shared facts vocabulary,
each package's document, notice, funds, facts schema, parameters and rules — by path relative
to the library's root, named by a digest over their content) and, from stored files, the same
library again: rebuilt in a scratch folder, but reading as it did where it was first loaded
(same spans, same digest), so a decision can be replayed after `policies/` has changed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clause.engine import api
from clause.engine.library import Library
from clause.engine.load.library import LIBRARY_FILE, find_library_root
from clause.engine.load.loader import load_yaml
from clause.engine.messages import msg


class RuleSetError(ValueError):
    """Stored files that cannot be the rule set they claim to be (H013, H014); `key` and
    `args` are its catalog message."""

    def __init__(self, key: str, /, **args: object) -> None:
        self.key, self.args_ = key, args
        super().__init__(str(msg(key, **args)))


@dataclass(frozen=True)
class RuleSetFiles:
    """The files a library was loaded from, by path relative to the stored root (the folder of
    library.yaml, else the folder opened); the folder opened, relative to that root; and the
    name that folder was given (what every span of its rules starts with)."""

    shown_as: str
    opened: str
    ruleset_digest: str
    files: Mapping[str, bytes] = field(repr=False)

    @property
    def file_digests(self) -> dict[str, str]:
        return {path: blob_digest(data) for path, data in sorted(self.files.items())}

    @property
    def id(self) -> str:
        """sha256 over the names and every file's path and content: two rule sets with the
        same data but another layout (so other line numbers in traces) are not confused."""
        h = hashlib.sha256()
        h.update(self.shown_as.encode("utf-8") + b"\0" + self.opened.encode("utf-8") + b"\0")
        for path, digest in self.file_digests.items():
            h.update(path.encode("utf-8") + b"\0" + digest.encode("ascii") + b"\0")
        return "sha256:" + h.hexdigest()


def blob_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def capture(library: Library, folder: Path) -> RuleSetFiles:
    """The files of `library` (opened from `folder`), tests left out. Raises RuleSetError
    (H013) for a file outside the stored root."""
    root = find_library_root(folder) or folder
    base = root.resolve()
    wanted = [*_library_files(root)]
    for package in library.packages:
        tests = {str(Path(t).resolve()) for t in package.test_files}
        wanted += [Path(name) for name in package.files if str(Path(name).resolve()) not in tests]
    files: dict[str, bytes] = {}
    for path in wanted:
        try:
            rel = path.resolve().relative_to(base).as_posix()
        except ValueError:
            raise RuleSetError("H013", file=str(path), folder=str(root)) from None
        files[rel] = path.read_bytes()
    opened = Path(os.path.relpath(folder.resolve(), base)).as_posix()
    return RuleSetFiles(str(folder), opened, library.digest, files)


def _library_files(root: Path) -> list[Path]:
    """library.yaml and the shared facts vocabulary it names, when `root` has one."""
    path = root / LIBRARY_FILE
    if not path.is_file():
        return []
    data = load_yaml(path, file=str(path)).data
    vocabulary = data.get("facts") if isinstance(data, dict) else None
    return [path, *([root / vocabulary] if isinstance(vocabulary, str) else [])]


def rebuild(stored: RuleSetFiles) -> Library:
    """The library the stored files make, named as they were first loaded. Raises RuleSetError
    (H014) when a path would leave the scratch folder or the rebuilt digest is not the stored
    one, and DiagnosticError when the files do not load."""
    with tempfile.TemporaryDirectory(prefix="clause-ruleset-") as scratch:
        root = Path(scratch).resolve()
        for rel, data in stored.files.items():
            target = (root / rel).resolve()
            if root not in target.parents:
                raise RuleSetError("H014/path", path=rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        opened = (root / stored.opened).resolve()
        if opened != root and root not in opened.parents:
            raise RuleSetError("H014/path", path=stored.opened)
        library = api.open_library(opened, shown_as=stored.shown_as)
    if library.digest != stored.ruleset_digest:
        raise RuleSetError("H014/digest", rebuilt=library.digest, stored=stored.ruleset_digest)
    return library
