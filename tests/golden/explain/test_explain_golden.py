"""`clause explain` golden files: for each case, the exact text, JSON and Markdown output, and
the HTML page with its stylesheet set aside (the page's markup is compared; style changes do
not rewrite every golden file).

A case is `<name>.yaml`: `date`, `facts`, and optionally `lang`, `rule`, `budget` and `package`
(a folder of tests/fixtures; `mini` by default, `forms` for the language forms of issue 11; or
a path from the repository's root, such as `policies/hubei/ehrs-2021-25`).
Run `pytest --update-golden` to rewrite the outputs and review the diff.
The JSON is also validated against `schemas/trace.schema.json`.
"""

from __future__ import annotations

import json
import re
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
    package = case.get("package", "mini")  # a fixture, or a path from the repository's root
    source = ROOT / package if "/" in package else MINI.parent / package
    package = source.name
    args = ["explain", "facts.yaml", "--date", str(case["date"]), "--package", package]
    args += ["--format", fmt, "--lang", case.get("lang", "zh")]
    if "rule" in case:
        args += ["--rule", case["rule"]]
    if "budget" in case:
        (tmp_path / "budget.yaml").write_text(yaml.safe_dump(case["budget"]), encoding="utf-8")
        args += ["--budget", "budget.yaml"]
    monkeypatch.chdir(tmp_path)
    if not (tmp_path / package).exists():
        (tmp_path / package).symlink_to(source, target_is_directory=True)
    library = next((p for p in source.parents if (p / "library.yaml").is_file()), None)
    for shared in ("library.yaml", "facts.schema.json") if library is not None else ():
        if not (tmp_path / shared).exists():  # the package's library: places, vocabulary
            (tmp_path / shared).symlink_to(library / shared)
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


def without_stylesheet(page: str) -> str:
    """The page with the inline stylesheet replaced by its name: the markup is what is compared."""
    return re.sub(
        r"<style>.*?</style>", "<style>/* engine/templates/style.css */</style>", page, flags=re.S
    )


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_explain_html_golden(case_file, tmp_path, monkeypatch, clause, request) -> None:
    result = run_case(case_file, "html", tmp_path, monkeypatch, clause)
    assert result.code == 0, result.err
    page = without_stylesheet(result.out)
    golden = case_file.with_suffix(".html")
    if request.config.getoption("--update-golden"):
        golden.write_text(page, encoding="utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review it"
    assert page == golden.read_text(encoding="utf-8")
