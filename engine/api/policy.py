"""Policy tests, notice coverage and rule listings of packages.

In: paths or a package. Out: test runs with coverage; clause coverage; a rule beside its clause.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clause.engine.api.decide import open_package
from clause.engine.api.files import COMMAND_LINE, input_finding, read_limited
from clause.engine.coverage import notice_coverage as compute
from clause.engine.diagnostics import DiagnosticError, DiagnosticSet
from clause.engine.library import Library
from clause.engine.load.package import find_packages
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
    for root in roots:
        package = open_package(root)
        run = run_tests(Library.of([package]))
        if not run.cases:  # nothing tested is not a pass
            tests = str(Path(package.root) / "tests")
            raise DiagnosticError([input_finding("U007", tests, package=package.document.number)])
        runs.append((package, run))
    return runs


def notice_coverage(path: Path | None) -> tuple[Any, list[Any]]:
    package = open_package(path)
    return package, compute(package)


def rule_with_clause(package: Any, rule_id: str) -> tuple[Any, Any, str]:
    """A rule, the clause it encodes, and its YAML source text."""
    rule = package.rule(rule_id)
    if rule is None:
        unencoded = next((u for u in package.unencoded if u.id == rule_id), None)
        if unencoded is None:
            known = ", ".join(r.id for r in package.rules)
            raise DiagnosticError(
                [input_finding("U003", COMMAND_LINE, option="", rule=rule_id, known=known)]
            )
        rule = unencoded
    clause = package.notice.get(rule.clause)
    source = read_limited(Path(rule.file)).decode("utf-8", "replace")
    return rule, clause, source
