"""Policy tests, notice coverage and rule listings of packages.

In: paths or a package. Out: test runs with coverage; clause coverage; a rule beside its clause.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clause.engine.api.decide import open_library
from clause.engine.api.files import COMMAND_LINE, input_finding, read_limited
from clause.engine.coverage import notice_coverage as compute
from clause.engine.diagnostics import DiagnosticError, DiagnosticSet
from clause.engine.library import Library
from clause.engine.load.package import find_packages
from clause.engine.model import Package, Version, Window
from clause.engine.testing import run_tests


def run_policy_tests(paths: list[Path]) -> list[tuple[Any, Any]]:
    """Run the policy test cases of every package under `paths`: [(package, TestRun)]."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        where = str(missing[0])
        raise DiagnosticError([input_finding("L001/path", where, path=where)])
    problems = DiagnosticSet()
    roots, _ = find_packages(paths, problems)
    if problems.has_errors:
        raise DiagnosticError(problems.sorted())
    if not roots:
        raise DiagnosticError([input_finding("U002/none", str(paths[0]))])
    runs = []
    for root in roots:  # each package's cases, under the documents that reach its cases
        library = open_library(root, [root])
        package = next(p for p in library.packages if Path(p.root).resolve() == root.resolve())
        own = {r.id for r in package.rules}
        run = run_tests(library, list(package.test_files), own)
        if not run.cases:  # nothing tested is not a pass
            tests = str(Path(package.root) / "tests")
            raise DiagnosticError([input_finding("U007", tests, package=package.document.ref)])
        runs.append((package, run))
    return runs


def notice_coverage(path: Path | None) -> list[tuple[Package, list[Any]]]:
    """Coverage of the notice of every package of the library at `path` (or of the package)."""
    library = open_library(path)
    roots, _ = find_packages([path or Path("policies")])
    wanted = {r.resolve() for r in roots}
    return [
        (package, compute(package))
        for package in library.packages
        if Path(package.root).resolve() in wanted
    ]


def rule_listing(library: Library) -> list[dict[str, Any]]:
    """Every rule of every document of the library with its history across documents: each
    version (as the library decides it: moved by extensions) with its window and the document
    and clause that enacted it, the rule's in-force window, and the documents that extended or
    repealed it. JSON data, in package then file order."""
    out: list[dict[str, Any]] = []
    for package in library.packages:
        for own in package.rules:
            rule = library.rule(own.id) or own
            layer = library.layers.get(rule.id)
            window = library.in_force_by_rule.get(rule.id)
            out.append(
                {
                    "id": rule.id,
                    "document": package.document.ref,
                    "title": {"zh": rule.title_zh, "en": rule.title_en},
                    "kind": rule.kind,
                    "subject": rule.subject,
                    "clause": rule.clause,
                    "implements": rule.implements,
                    "in_force": _window(window) if window is not None else None,
                    "extended_by": layer.extended_by if layer is not None else None,
                    "repealed_by": layer.repealed_by if layer is not None else None,
                    "versions": [_version(v) for v in rule.versions],
                }
            )
    return out


def _window(window: Window) -> dict[str, str | None]:
    return {
        "from": window.start.isoformat() if window.start else None,
        "to": window.end.isoformat() if window.end else None,
    }


def _version(version: Version) -> dict[str, Any]:
    return {
        "version": version.number,
        **_window(version.window),
        "enacted_by": version.enacted_by,
        "enacted_clause": version.enacted_clause,
        "enacted_on": version.enacted_on.isoformat(),
        "amount_kind": version.amount.kind if version.amount else None,
    }


def rule_with_clause(library: Library, rule_id: str) -> tuple[Package, Any, Any, str]:
    """A rule (or an unencoded clause) of the library, its package, the clause it encodes,
    and its YAML source text."""
    for package in library.packages:
        rule: Any = package.rule(rule_id)
        if rule is None:
            rule = next((u for u in package.unencoded if u.id == rule_id), None)
        if rule is not None:
            clause = package.notice.get(rule.clause)
            source = read_limited(Path(rule.file)).decode("utf-8", "replace")
            return package, rule, clause, source
    known = ", ".join(r.id for r in library.rules_by_id)
    raise DiagnosticError(
        [input_finding("U003", COMMAND_LINE, option="", rule=rule_id, known=known)]
    )
