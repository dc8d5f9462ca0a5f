"""Every policy package's own test cases, run by the project's suite (the same runner as
`clause test`), each under the documents that reach its cases (the package, with the library's
vocabulary and the documents it implements), with full coverage of rules, versions and
conditions required."""

from __future__ import annotations

from pathlib import Path

import pytest

from clause.engine.load.library import load_library
from clause.engine.load.package import find_packages
from clause.engine.testing import run_tests

ROOT = Path(__file__).resolve().parents[2]
PACKAGES, _ = find_packages(
    [ROOT / "policies", ROOT / "tests" / "fixtures" / "mini", ROOT / "tests" / "fixtures" / "forms"]
)


@pytest.mark.parametrize("root", PACKAGES, ids=[p.name for p in PACKAGES])
def test_package_cases_pass(root: Path) -> None:
    result = load_library([root], [root])
    errors = [d for d in result.all_diagnostics if d.severity.value == "error"]
    assert not errors, errors[0]
    assert result.library is not None
    package = next(p for p in result.library.packages if Path(p.root).resolve() == root.resolve())
    run = run_tests(result.library, list(package.test_files), {r.id for r in package.rules})
    assert run.cases, "a package needs policy test cases"
    failures = [
        f"{c.file}:{c.line} {c.name}: "
        + "; ".join(
            f"{m.rule}.{m.field} expected {m.expected}, got {m.actual}" for m in c.mismatches
        )
        + str(c.error)
        for c in run.failed
    ]
    assert not failures, "\n".join(failures)
    assert run.coverage.percent == 100.0, run.coverage.gaps()
