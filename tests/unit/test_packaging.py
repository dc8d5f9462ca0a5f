"""The installed distribution adds one import namespace, `clause`, and nothing generic."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("clause-*.whl")
    return found


def test_wheel_top_level_is_only_clause(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        top_level = next(n for n in names if n.endswith("top_level.txt"))
        assert zf.read(top_level).decode().split() == ["clause"]
        record = next(n for n in names if n.endswith("RECORD"))
        paths = [line.split(",")[0] for line in zf.read(record).decode().splitlines()]
    tops = {p.split("/")[0] for p in paths}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"clause"}
    # every package of the checkout is in the wheel (pyproject lists them one by one)
    for folder in ("engine", "cli"):
        for init in (ROOT / folder).rglob("__init__.py"):
            installed = "clause/" + init.relative_to(ROOT).as_posix()
            assert installed in paths, f"{installed} is missing: add it to pyproject packages"
    # the data the engine needs at run time travels with it
    assert "clause/engine/expr/grammar.lark" in paths
    assert "clause/schemas/rule.schema.json" in paths
    assert "clause/schemas/trace.schema.json" in paths
    assert "clause/schemas/service-decision-record.schema.json" in paths
    assert "clause/engine/service/migrations/env.py" in paths
    assert "clause/engine/service/migrations/versions/0001_store.py" in paths
    assert "clause/schemas/run-manifest.schema.json" in paths
    for template in ("page.html.j2", "explanation.html.j2", "dashboard.html.j2", "style.css"):
        assert f"clause/engine/templates/{template}" in paths


def test_no_source_imports_the_old_top_level_names() -> None:
    # imports, and module names given as strings (importlib.resources, find_spec)
    pattern = re.compile(r"^\s*(from|import)\s+(engine|cli)\b|[\"'](engine|cli)\.\w", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("engine", "cli", "tests", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8")) and path.name != "test_packaging.py"
    ]
    assert offenders == []


def test_the_checkout_root_is_not_on_the_import_path() -> None:
    import importlib.util

    for name in ("engine", "cli"):
        spec = importlib.util.find_spec(name)
        places = list(spec.submodule_search_locations or []) if spec else []
        assert str(ROOT / name) not in places, f"`import {name}` finds the checkout's folder"
