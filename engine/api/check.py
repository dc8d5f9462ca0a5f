"""`clause check`: every policy file checked, findings sorted by place.

In: paths (packages, folders or files). Out: a CheckReport (diagnostics, what was looked at).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clause.engine.api.files import input_finding, read_limited
from clause.engine.diagnostics import Diagnostic, DiagnosticError, DiagnosticSet, localized
from clause.engine.load.library import load_library
from clause.engine.load.loader import load_yaml
from clause.engine.load.package import find_packages


@dataclass
class CheckReport:
    """Everything `clause check` found, sorted by place, and what was looked at."""

    diagnostics: list[Diagnostic]
    packages: list[str]
    files: int
    unreadable: bool

    @property
    def errors(self) -> int:
        return sum(d.severity.value == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity.value == "warning" for d in self.diagnostics)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "packages": self.packages,
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [localized(d, lang).to_json() for d in self.diagnostics],
        }


#: Files `clause check` reads outside a package: YAML (and JSON, which YAML reads too).
DATA_SUFFIXES = (".yaml", ".yml", ".json")


def check(paths: list[Path]) -> CheckReport:
    """Check policy packages (and loose YAML files) under `paths`: every finding, sorted.

    Nothing checked is not success: a path that holds no package and no YAML file, or a file
    that is not YAML, is a usage error (U006), so CI never passes on an empty or wrong folder.
    """
    found = DiagnosticSet()
    for path in paths:
        if not path.exists():
            found.add(input_finding("L001/missing", str(path), path=str(path)))
    roots, loose = find_packages([p for p in paths if p.exists()], found)
    files = 0
    wanted_files = {str(p) for p in paths if p.is_file()}
    existing = [p for p in paths if p.exists()]
    if roots:  # checked as a library: each package, and the relations between them
        load = load_library(existing)
        files += load.files
        diagnostics = load.all_diagnostics
        if wanted_files and all(Path(w).is_file() for w in map(str, paths)):
            diagnostics = [d for d in diagnostics if d.span.file in wanted_files] or diagnostics
        found.extend(diagnostics)
        roots = [lp.root for lp in load.packages] or roots
    for path in loose:
        if path.suffix.lower() not in DATA_SUFFIXES:
            found.add(input_finding("U006/not_policy", str(path), path=str(path)))
            continue
        files += 1
        try:
            load_yaml(read_limited(path), file=str(path))
        except DiagnosticError as err:
            found.extend(err.diagnostics)
            continue
        found.add(input_finding("W002", str(path), path=str(path)))
    if files == 0 and not found.has_errors:
        where = ", ".join(str(p) for p in paths)
        found.add(input_finding("U006", str(paths[0]) if paths else ".", where=where))
    items = found.sorted()
    unreadable = any(d.code.startswith(("L", "U")) for d in items)
    return CheckReport(items, [str(r) for r in roots], files, unreadable)
