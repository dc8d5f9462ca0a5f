"""The shipped examples (`examples/hubei/*.yaml`), explained exactly as the README tells a
newcomer to run them: golden text (zh), JSON and Markdown (en), the JSON checked against the
trace schema. Each example's first `clause explain` line gives its decision date.
Run `pytest --update-golden` to rewrite, then review the diff."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
EXAMPLES = sorted((ROOT / "examples" / "hubei").glob("*.yaml"))
RUNS = {"txt": ("text", "zh"), "json": ("json", "en"), "md": ("md", "en")}


def decision_date(example: Path) -> str:
    match = re.search(r"clause explain \S+ --date (\d{4}-\d{2}-\d{2})", example.read_text("utf-8"))
    assert match, f"{example.name} must say how to run it"
    return match.group(1)


@pytest.mark.parametrize("suffix", sorted(RUNS))
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_explanation(example, suffix, clause, monkeypatch, request) -> None:
    monkeypatch.chdir(ROOT)
    fmt, lang = RUNS[suffix]
    rel = example.relative_to(ROOT).as_posix()
    result = clause(
        "explain", rel, "--date", decision_date(example), "--format", fmt, "--lang", lang
    )
    assert result.code == 0, result.err
    golden = HERE / f"{example.stem}.{suffix}"
    if request.config.getoption("--update-golden"):
        golden.write_text(result.out, encoding="utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review it"
    assert result.out == golden.read_text(encoding="utf-8")
    if fmt == "json":
        schema = json.loads((ROOT / "schemas" / "trace.schema.json").read_text("utf-8"))
        errors = list(Draft202012Validator(schema).iter_errors(json.loads(result.out)))
        assert not errors, errors[0].message
