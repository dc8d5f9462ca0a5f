"""Shared test configuration: the import path, Hypothesis profiles, the `clause` fixture.

Tests import the installed distribution (`clause.engine`, `clause.cli`), never the checkout's
folders as top-level modules: `python -m pytest` puts the repository root on sys.path, where
`engine` and `cli` would import and hide a module that the installed package cannot find. The
root is taken off the path before any test module is imported.

Hypothesis: `ci` (loaded when the CI environment variable is set) is deterministic and quick;
`dev` is the default for local runs. Choose another with HYPOTHESIS_PROFILE=name.
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != ROOT]

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=5_000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output (review with git diff)",
    )


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def clause(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """clause("expr", "1+1") -> Result; runs with a fixed width and no color."""

    def run(*args: str, stdin: str | bytes | None = None) -> Result:
        monkeypatch.setattr(sys, "argv", ["clause", *args])
        monkeypatch.setenv("COLUMNS", "100")
        monkeypatch.setenv("NO_COLOR", "1")
        for name in ("LC_ALL", "LC_MESSAGES"):  # English unless a test asks for --lang zh
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("LANG", "C.UTF-8")
        if stdin is not None:
            raw = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
        code = 0
        from clause.cli.app import main

        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
