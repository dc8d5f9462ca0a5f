"""Policy tests, notice coverage and rule listings of packages.

In: paths or a package. Out: test runs with coverage; clause coverage; a rule beside its clause.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clause.engine.api.decide import open_package
from clause.engine.api.files import input_error
from clause.engine.coverage import notice_coverage as compute
from clause.engine.diagnostics import DiagnosticError
from clause.engine.library import Library
from clause.engine.load.package import find_packages
from clause.engine.testing import run_tests


def run_policy_tests(paths: list[Path]) -> list[tuple[Any, Any]]:
    """Run the policy test cases of every package under `paths`: [(package, TestRun)]."""
    roots, _ = find_packages([p for p in paths if p.exists()])
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise DiagnosticError([input_error("L001", f"no such path: {missing[0]}", str(missing[0]))])
    if not roots:
        raise DiagnosticError([input_error("U002", "no policy package found", str(paths[0]))])
    runs = []
    for root in roots:
        package = open_package(root)
        runs.append((package, run_tests(Library.of([package]))))
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
                [input_error("U003", f"no rule `{rule_id}`; rules: {known}", "<command line>")]
            )
        rule = unencoded
    clause = package.notice.get(rule.clause)
    return rule, clause, Path(rule.file).read_text(encoding="utf-8")
