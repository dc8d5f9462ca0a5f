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


@dataclass(frozen=True)
class Hostile:
    """A copy of the mini package whose rule title, clause text, quote and fund name carry
    HTML and script, with facts and a register that do too: what reports must show as text."""

    package: Path
    facts: dict[str, object]
    register: Path
    strings: tuple[str, ...]  # every hostile string, as a person must read it on the page


HOSTILE_IMG = '<img src=x onerror="window.pwned=1">'
HOSTILE_TITLE = "Transport <script>window.pwned=2</script> subsidy"
HOSTILE_FUND = "Bridging <b onmouseover=window.pwned=3>fund</b>"
HOSTILE_FACT = "<script>window.pwned=4</script>"
HOSTILE_PROGRAM = "</td></tr><img src=x onerror=window.pwned=5>"
HOSTILE_CELL = "<iframe src=x></iframe>"


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    import shutil

    from clause.engine.load.package import load_package

    root = tmp_path_factory.mktemp("hostile")
    package = root / "package"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", package)

    def edit(name: str, old: str, new: str) -> None:
        path = package / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")

    edit("notice.yaml", "跨省务工的脱贫人口按每人", f"跨省务工的脱贫人口{HOSTILE_IMG}按每人")
    edit("rules/transport.yaml", "quote: 脱贫人口", f"quote: 脱贫人口{HOSTILE_IMG}")
    edit("rules/transport.yaml", "en: Cross-province transport subsidy", f"en: {HOSTILE_TITLE}")
    edit("funds.yaml", "en: Bridging fund", f"en: {HOSTILE_FUND}")
    loaded = load_package(package)
    assert loaded.package is not None and not loaded.has_errors, loaded.diagnostics
    facts: dict[str, object] = {
        "person": {
            "poverty_alleviated": True,
            "organised": True,
            "scope": "跨省",
            "departure_date": "2030-05-01",
            "transport_cost": 620,
            "locality": HOSTILE_FACT,
            "grants": [{"program": HOSTILE_PROGRAM, "date": "2030-01-01"}],
        }
    }
    register = root / "reg<i onclick=x>1.csv"
    register.write_text(
        "case_id,person.poverty_alleviated,person.organised,person.scope,"
        "person.departure_date,person.transport_cost,person.grants\n"
        "a,true,true,跨省,2030-05-01,620,[]\n"
        f"b,{HOSTILE_CELL},true,跨省,2030-05-01,620,[]\n",
        encoding="utf-8",
    )
    strings = (HOSTILE_IMG, HOSTILE_TITLE, HOSTILE_FUND, HOSTILE_FACT, HOSTILE_PROGRAM)
    return Hostile(package, facts, register, strings)
