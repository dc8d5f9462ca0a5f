"""Golden outputs of `clause analyse` (the planted-faults fixture and the shipped library) and
`clause whynot` (a shipped example on the day before its year of business completes), in
English and in Chinese.
Run `pytest --update-golden` to rewrite, then review the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[2]

RUNS = {
    "faults.txt": ("analyse", "tests/fixtures/faults"),
    "faults.json": ("analyse", "tests/fixtures/faults", "--format", "json"),
    "faults.zh.txt": ("analyse", "tests/fixtures/faults", "--lang", "zh"),
    "hubei.txt": ("analyse", "policies"),
    "whynot-returning-entrepreneur.txt": (
        "whynot", "examples/hubei/returning-entrepreneur.yaml", "--date", "2022-03-14"),
    "whynot-returning-entrepreneur.json": (
        "whynot", "examples/hubei/returning-entrepreneur.yaml", "--date", "2022-03-14",
        "--format", "json"),
    "whynot-returning-entrepreneur.zh.txt": (
        "whynot", "examples/hubei/returning-entrepreneur.yaml", "--date", "2022-03-14",
        "--lang", "zh"),
    "whynot-returning-entrepreneur.md": (
        "whynot", "examples/hubei/returning-entrepreneur.yaml", "--date", "2022-03-14",
        "--format", "md"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(RUNS))
def test_golden(name, clause, monkeypatch, request) -> None:
    monkeypatch.chdir(ROOT)
    result = clause(*RUNS[name])
    assert result.code in (0, 1), result.err
    golden = HERE / name
    if request.config.getoption("--update-golden"):
        golden.write_text(result.out, encoding="utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review it"
    assert result.out == golden.read_text(encoding="utf-8")
    if name.endswith(".json"):
        json.loads(result.out)
