"""`clause explain` golden files: for each case, the exact text, JSON and Markdown output.

A case is `<name>.yaml`: `date`, `facts`, and optionally `lang`, `rule`, `budget` and `package`
(a folder of tests/fixtures; `mini` by default, `forms` for the language forms of issue 11).
Run `pytest --update-golden` to rewrite the outputs and review the diff.
The JSON is also validated against `schemas/trace.schema.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
CASES = sorted(HERE.glob("*.yaml"))
FORMATS = {"text": ".txt", "json": ".json", "md": ".md"}


def run_case(case_file: Path, fmt: str, tmp_path: Path, monkeypatch, clause):
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    facts = tmp_path / "facts.yaml"
    facts.write_text(yaml.safe_dump(case["facts"], allow_unicode=True), encoding="utf-8")
    package = case.get("package", "mini")
    args = ["explain", "facts.yaml", "--date", str(case["date"]), "--package", package]
    args += ["--format", fmt, "--lang", case.get("lang", "zh")]
    if "rule" in case:
        args += ["--rule", case["rule"]]
    if "budget" in case:
        (tmp_path / "budget.yaml").write_text(yaml.safe_dump(case["budget"]), encoding="utf-8")
        args += ["--budget", "budget.yaml"]
    monkeypatch.chdir(tmp_path)
    if not (tmp_path / package).exists():
        (tmp_path / package).symlink_to(MINI.parent / package, target_is_directory=True)
    return clause(*args)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_explain_golden(case_file, fmt, tmp_path, monkeypatch, clause, request) -> None:
    result = run_case(case_file, fmt, tmp_path, monkeypatch, clause)
    assert result.code == 0, result.err
    golden = case_file.with_suffix(FORMATS[fmt])
    if request.config.getoption("--update-golden"):
        golden.write_text(result.out, encoding="utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review it"
    assert result.out == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_json_conforms_to_trace_schema(case_file, tmp_path, monkeypatch, clause) -> None:
    result = run_case(case_file, "json", tmp_path, monkeypatch, clause)
    schema = json.loads((ROOT / "schemas" / "trace.schema.json").read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(json.loads(result.out)), key=str)
    assert not errors, errors[0].message
