"""Static checks run with the suite, so CI enforces them: mypy --strict, ruff lint and format."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_mypy_strict_on_engine_and_cli() -> None:
    result = run(sys.executable, "-m", "mypy")  # configuration: [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("command", [("check", "."), ("format", "--check", ".")])
def test_ruff(command: tuple[str, ...]) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = run(ruff, *command)
    assert result.returncode == 0, result.stdout + result.stderr
