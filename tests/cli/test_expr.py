"""`clause expr`: what an officer sees when trying an expression, and what scripts can parse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

SCHEMA = str(EXAMPLES / "expr" / "facts.schema.json")
FACTS = str(EXAMPLES / "expr" / "returning-entrepreneur.yaml")
PARAMS = str(EXAMPLES / "expr" / "params.yaml")


def test_value_type_and_tree(clause):
    r = clause("expr", "0.1 + 0.2 == 0.3")
    assert r.code == 0, r.err
    assert "value    true" in r.out
    assert "type     bool" in r.out
    assert "0.1 + 0.2  = 0.3  number" in r.out


def test_json_output_shape(clause):
    r = clause("expr", "min(500, 620) * 2", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["value"] == "1000"
    assert data["type"] == "number"
    assert data["unknown"] == []
    assert [n["expr"] for n in data["nodes"]][:2] == ["min(500, 620) * 2", "min(500, 620)"]


def test_chinese_aliases_with_schema_and_facts(clause):
    expr = "人员.返乡 and months_between(经营主体.登记日期, decision_date) >= 12"
    r = clause(
        "expr",
        expr,
        "--schema",
        SCHEMA,
        "--facts",
        FACTS,
        "--date",
        "2022-03-15",
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    assert json.loads(r.out)["value"] is True
    r = clause(
        "expr",
        expr,
        "--schema",
        SCHEMA,
        "--facts",
        FACTS,
        "--date",
        "2022-03-14",
        "--format",
        "json",
    )
    assert json.loads(r.out)["value"] is False


def test_missing_fact_is_unknown_and_named(clause):
    r = clause(
        "expr",
        "person.poverty_alleviated and person.contract_months >= 12",
        "--schema",
        SCHEMA,
        "--facts",
        FACTS,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["value"] is None
    assert data["unknown"] == ["person.contract_months"]


def test_parameters_file(clause):
    r = clause("expr", "min(620, param.transport.cross_province_cap)", "--params", PARAMS)
    assert r.code == 0, r.err
    assert "value    500" in r.out


def test_type_error_has_caret_under_chinese_text_and_exit_2(clause):
    r = clause("expr", '人员.务工范围 == "跨省份"', "--schema", SCHEMA)
    assert r.code == 2
    lines = r.err.splitlines()
    assert lines[0].startswith("<expr>:1:12: T204 ")
    caret_line = next(line for line in lines if "^" in line)
    # `人员.务工范围 == ` is 11 code points but 17 terminal cells: six Chinese characters are wide
    assert caret_line.index("^") - caret_line.index("|") - 2 == 17
    assert "did you mean `跨省`?" in r.err


def test_parse_error_exit_2_no_traceback(clause):
    r = clause("expr", "person.age >= = 3")
    assert r.code == 2
    assert r.err.startswith("<expr>:1:15: P001 unexpected character `=`")
    assert "help: write == to compare" in r.err
    assert "Traceback" not in r.err


def test_runtime_error_exit_1(clause):
    r = clause("expr", "1 / (2 - 2)")
    assert r.code == 1
    assert "E301 division by zero" in r.err


def test_bad_date_and_missing_file_exit_2(clause):
    assert clause("expr", "1", "--date", "2021-02-30").code == 2
    r = clause("expr", "1", "--facts", "no/such/file.yaml")
    assert r.code == 2
    assert "no/such/file.yaml" in r.err


def test_facts_from_stdin(clause):
    r = clause("expr", "a.b + 1", "--facts", "-", stdin='{"a": {"b": 41}}')
    assert r.code == 0, r.err
    assert "value    42" in r.out


def test_console_script_prints_no_traceback_on_hostile_input():
    """End to end: a 50,000-deep nest (about the longest argv holds) fails fast, exit 2."""
    proc = subprocess.run(
        [sys.executable, "-m", "clause.cli", "expr", "(" * 50_000 + "1" + ")" * 50_000],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "P101" in proc.stderr or "P102" in proc.stderr
    assert "Traceback" not in proc.stderr
