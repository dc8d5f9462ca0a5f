"""Amendments through every command: golden outputs of `check`, `test`, `explain`, `rules` and
`diff` on the invented fixture library `tests/fixtures/amendments/` (before and after four
amending documents: an amount raised, a window extended, a condition added, a rule repealed).

Commands run from the fixture folder, so the paths they print are `before/…` and `after/…`.
An explanation case is `<name>.yaml` here (`date`, `lang`, `rule`, `facts`), decided under
`after/`; its outputs are `<name>.txt|.json|.md|.html`. The other outputs are named after the
command. Run `pytest --update-golden` to rewrite them and review the diff.
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
FIXTURE = ROOT / "tests" / "fixtures" / "amendments"
CASES = sorted(HERE.glob("*.yaml"))
SUFFIX = {"text": ".txt", "json": ".json", "md": ".md", "html": ".html"}

#: golden file -> the command line (run in FIXTURE)
COMMANDS: dict[str, list[str]] = {
    "check-after.txt": ["check", "after"],
    "check-after.json": ["check", "after", "--format", "json"],
    "test-after.txt": ["test", "after"],
    "test-after.json": ["test", "after", "--format", "json"],
    "rules-after.txt": ["rules", "--library", "after", "--lang", "en"],
    "rules-after-zh.txt": ["rules", "--library", "after", "--lang", "zh"],
    "rules-after.json": ["rules", "--library", "after", "--format", "json"],
    "diff.txt": ["diff", "before", "after", "--lang", "en"],
    "diff-zh.txt": ["diff", "before", "after", "--lang", "zh"],
    "diff.json": ["diff", "before", "after", "--format", "json", "--lang", "en"],
    "diff.md": ["diff", "before", "after", "--format", "md", "--lang", "zh"],
    **{
        f"diff-register{suffix}": [
            *["diff", "before", "after", "--register", "register.csv", "--date", "2042-06-30"],
            *["--format", fmt, "--lang", "en"],
        ]
        for fmt, suffix in SUFFIX.items()
        if fmt != "html"
    },
}


def without_stylesheet(page: str) -> str:
    """The page's markup, its inline stylesheet set aside (as tests/golden/explain does)."""
    return re.sub(
        r"<style>.*?</style>", "<style>/* engine/templates/style.css */</style>", page, flags=re.S
    )


def compare(golden: Path, out: str, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-golden"):
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review it"
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_golden(name, monkeypatch, clause, request) -> None:
    monkeypatch.chdir(FIXTURE)
    result = clause(*COMMANDS[name])
    assert result.code == 0, result.err
    compare(HERE / name, result.out, request)


def explain(case_file: Path, fmt: str, tmp_path: Path, monkeypatch, clause):
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    facts = tmp_path / "facts.yaml"
    facts.write_text(yaml.safe_dump(case["facts"], allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(FIXTURE)
    return clause(
        *["explain", str(facts), "--date", str(case["date"]), "--library", "after"],
        *["--rule", case["rule"], "--format", fmt, "--lang", case["lang"]],
    )


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_explain_golden(case_file, fmt, tmp_path, monkeypatch, clause, request) -> None:
    result = explain(case_file, fmt, tmp_path, monkeypatch, clause)
    assert result.code == 0, result.err
    out = without_stylesheet(result.out) if fmt == "html" else result.out
    compare(case_file.with_suffix(SUFFIX[fmt]), out, request)


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_explanation_names_the_enacting_document(case_file, tmp_path, monkeypatch, clause):
    """The JSON trace conforms to its schema, and says which document made the version
    applied what it is: the amending notice and the version it replaced, the extension, or
    the repeal."""
    result = explain(case_file, "json", tmp_path, monkeypatch, clause)
    data = json.loads(result.out)
    schema = json.loads((ROOT / "schemas" / "trace.schema.json").read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=str)
    assert not errors, errors[0].message
    (decision,) = data["decisions"]
    layer = decision["layer"]
    if case_file.stem == "raise-amount":
        assert (layer["enacted_by"], layer["enacted_clause"]) == ("虚构人社发〔2041〕2号", "一")
        assert layer["replaces_version"] == 1
        assert layer["replaces_enacted_by"] == "虚构人社发〔2040〕1号"
        assert decision["amount"] == "600.00"
    elif case_file.stem == "add-condition":
        assert layer["enacted_by"] == "虚构人社发〔2041〕3号"
        assert decision["outcome"] == "ineligible"
    elif case_file.stem == "extend-window":
        assert layer["extended_by"] == "虚构人社发〔2041〕9号"
        assert decision["outcome"] == "eligible"
    else:
        assert decision["outcome"] == "not_applicable"
        assert "虚构人社发〔2041〕4号" in decision["reason"]
