"""Regression tests of issue 10, as a user meets each defect on the command line.

The bad inputs that must end in exit 1 or 2 with a located message are probed in a fresh
process by tests/hostile/; here are the items whose right answer is something else: a run that
completes while rejecting a row, a value shown a particular way, a signal handled, a file left
alone, a report that stays well-formed. Each test names its item.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.dom import minidom

import pytest

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
HUBEI = ROOT / "policies" / "hubei" / "ehrs-2021-25"
HEADER = (
    "case_id,person.poverty_alleviated,person.organised,person.scope,person.departure_date,"
    "person.transport_cost,person.grants"
)


def row(case: str, cost: str = "620", grants: str = "[]") -> str:
    return f"{case},true,true,跨省,2030-05-01,{cost},{grants}"


def register(tmp_path: Path, *rows: str, name: str = "reg.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def run_eval(clause: Any, source: Path, *more: str) -> Any:
    rejects = source.with_name("rej.jsonl")
    args = ["eval", str(source), "--date", "2030-06-01", "--package", str(MINI)]
    return clause(*args, "--rejects", str(rejects), "--format", "json", *more), rejects


def rejects_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- item 3: one row's cell nested 5,000 deep rejects that row, not the run ------------------------


def test_a_deeply_nested_cell_rejects_its_row_only(clause: Any, tmp_path: Path) -> None:
    source = register(tmp_path, row("ok"), row("deep", grants='"' + "[" * 5000 + '"'), row("ok2"))
    result, rejects = run_eval(clause, source)
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert (summary["rows_decided"], summary["rows_rejected"]) == (2, 1)
    [reject] = rejects_of(rejects)
    assert reject["case_id"] == "deep" and "person.grants" in reject["reason"]


# -- items 1, 2: huge numbers in register cells and ids --------------------------------------------


def test_huge_numbers_in_a_register_reject_their_rows(clause: Any, tmp_path: Path) -> None:
    source = tmp_path / "reg.jsonl"
    lines = [
        '{"case_id": "a", "person": {"transport_cost": 1e999999999}}',
        '{"case_id": ' + "9" * 5001 + ', "person": {"transport_cost": 1}}',
        '{"case_id": "c", "person": {"transport_cost": 100}}',
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, rejects = run_eval(clause, source)
    assert result.code == 0, result.err
    reasons = [r["reason"] for r in rejects_of(rejects)]
    assert len(reasons) == 2 and all("L016" not in r and "number" in r for r in reasons)
    csv = register(tmp_path, row("x", cost="1e999999999"), row("y"), name="r2.csv")
    result, rejects = run_eval(clause, csv)
    assert result.code == 0 and "out of range" in rejects_of(rejects)[0]["reason"]


# -- item 7: nothing is committed when an output cannot be written ---------------------------------


def test_out_and_rejects_are_checked_before_the_run(clause: Any, tmp_path: Path) -> None:
    source = register(tmp_path, row("a"))
    (tmp_path / "dir").mkdir()
    out = tmp_path / "out.csv"
    result = clause(
        *("eval", str(source), "--date", "2030-06-01", "--package", str(MINI)),
        *("--out", str(out), "--rejects", str(tmp_path / "dir")),
    )
    assert result.code == 2 and "B003" in result.err and "is a directory" in result.err
    assert not out.exists()


# -- item 8: --rejects naming a package file never replaces it -------------------------------------


def test_rejects_naming_a_package_file_is_refused(clause: Any, tmp_path: Path) -> None:
    funds = MINI / "funds.yaml"
    before = funds.read_bytes()
    source = register(tmp_path, row("a"))
    result = clause(
        *("eval", str(source), "--date", "2030-06-01", "--package", str(MINI)),
        *("--rejects", str(funds)),
    )
    assert result.code == 2 and "policy package" in result.err
    assert funds.read_bytes() == before


# -- item 9: SIGTERM during a run with workers: no partial files, no live workers ------------------


def _children(pid: int) -> set[int]:
    """Live (not zombie) child processes of `pid`."""
    out = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text and "State:\tZ" not in text:
            out.add(int(status.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process parents from /proc")
@pytest.mark.parametrize("backend", ["record", "columnar"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_run_cleanly(tmp_path: Path, signum: int, backend: str) -> None:
    """With two workers (processes of the pool, whichever backend decides in them)."""
    rows = [row(f"C{i}", cost=str(i % 900)) for i in range(60_000)]
    source = register(tmp_path, *rows)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "clause.cli", "eval", str(source), "--date", "2030-06-01"]
    command += ["--package", str(MINI), "--out", str(out), "--workers", "2", "--chunk-size", "500"]
    command += ["--backend", backend]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    partial = tmp_path / ".out.csv.partial"
    workers: set[int] = set()
    while proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        if len(workers) >= 3 and partial.exists() and partial.stat().st_size > 0:
            break  # two workers and the resource tracker, and results being written
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    proc.send_signal(signum)
    code = proc.wait(timeout=120)
    assert code == 128 + signum, proc.stderr.read() if proc.stderr else ""
    assert not list(tmp_path.glob(".*.partial")) and not out.exists()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not {p for p in workers if _alive(p)}, "workers outlived the run"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process parents from /proc")
def test_a_signal_stops_the_columnar_batches_cleanly(tmp_path: Path) -> None:
    """The default path with one worker: Arrow batches decided in the process itself."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 400_000
    columns = {
        "case_id": [f"C{i}" for i in range(n)],
        "person.poverty_alleviated": [True] * n,
        "person.organised": [i % 3 > 0 for i in range(n)],
        "person.scope": ["跨省"] * n,
        "person.departure_date": ["2030-05-01"] * n,
        "person.transport_cost": [float(i % 900) for i in range(n)],
    }
    source = tmp_path / "reg.parquet"
    pq.write_table(pa.table(columns), source, row_group_size=65_536)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "clause.cli", "eval", str(source), "--date", "2030-06-01"]
    command += ["--package", str(MINI), "--out", str(out)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    partial = tmp_path / ".out.csv.partial"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if partial.exists() and partial.stat().st_size > 0:
            break  # the first batch written
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=120)
    assert code == 128 + signal.SIGTERM, proc.stderr.read() if proc.stderr else ""
    assert not list(tmp_path.glob(".*.partial")) and not out.exists()


# -- item 14: a stray quote that swallows rows says how many ---------------------------------------


def test_a_stray_quote_reports_the_lines_it_swallowed(clause: Any, tmp_path: Path) -> None:
    rows = [row("a"), '"b,true,true,跨省,2030-05-01,100,[]', row("c"), row("d"), row("e")]
    source = register(tmp_path, *rows)
    result, rejects = run_eval(clause, source)
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    [reject] = rejects_of(rejects)
    assert reject["line"] == 3 and reject["last_line"] == 6
    assert "runs over lines 3-6 (4 lines)" in reject["reason"]
    assert summary["malformed_records"] == 1 and summary["lines_in_malformed"] == 4
    text = clause("eval", str(source), "--date", "2030-06-01", "--package", str(MINI))
    assert "1 malformed record(s) took 4 line(s) between them" in text.out


# -- item 15: a case id seen twice is refused, whichever chunk or worker saw it --------------------


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_repeated_case_id_is_rejected(clause: Any, tmp_path: Path, workers: str) -> None:
    rows = [row("a"), row("b"), row("a", cost="100"), row("c"), row("b")]
    source = register(tmp_path, *rows)
    out = tmp_path / "out.jsonl"
    result, rejects = run_eval(
        clause, source, "--out", str(out), "--workers", workers, "--chunk-size", "2"
    )
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert (summary["rows_decided"], summary["duplicate_ids"]) == (3, 2)
    found = [(r["row"], r["reason"]) for r in rejects_of(rejects)]
    assert found == [
        (3, "case_id: 'a' was already used on row 1"),
        (5, "case_id: 'b' was already used on row 2"),
    ]
    paid = [json.loads(line)["case_id"] for line in out.read_text().splitlines()]
    assert sorted(set(paid)) == ["a", "b", "c"] and paid.count("a") == len(paid) // 3


# -- item 16: -0 is never shown as -0.00 -----------------------------------------------------------


def test_negative_zero_is_shown_as_zero(clause: Any, tmp_path: Path) -> None:
    facts = tmp_path / "f.yaml"
    facts.write_text(
        "person: {poverty_alleviated: true, organised: true, scope: 跨省, "
        "departure_date: 2030-05-01, transport_cost: -0, grants: []}\n",
        encoding="utf-8",
    )
    result = clause(
        "explain", str(facts), "--date", "2030-06-01", "--package", str(MINI), "--format", "json"
    )
    assert result.code == 0, result.err
    amounts = [d["amount"] for d in json.loads(result.out)["decisions"] if d["rule"] == "transport"]
    assert amounts == ["0.00"]


# -- item 18: Markdown and JUnit reports stay inert and well-formed --------------------------------


def test_markdown_report_escapes_fact_text(clause: Any, tmp_path: Path) -> None:
    facts = tmp_path / "f.yaml"
    facts.write_text(
        'person: {locality: "a|b\\n# h <script>x</script> \\e[31m", organised: true}\n',
        encoding="utf-8",
    )
    result = clause(
        *("explain", str(facts), "--date", "2031-03-15", "--package", str(MINI)), "--format", "md"
    )
    assert result.code == 0, result.err
    assert "<script>" not in result.out and "\x1b" not in result.out
    assert "\n# h" not in result.out


def test_junit_stays_xml_with_hostile_test_names(clause: Any, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(MINI, tmp_path / "mini")
    cases = tmp_path / "mini" / "tests" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    hostile = 'name: "a <b> & \\"c\\" \\e[31m \\x01 ]]> end"'
    text = text.replace("name: organised cross-province worker, cost above the cap", hostile)
    cases.write_text(text.replace("amount: 500", "amount: 400", 1), encoding="utf-8")
    result = clause("test", str(tmp_path / "mini"), "--format", "junit")
    assert result.code == 1
    doc = minidom.parseString(result.out.encode("utf-8"))  # raises on anything not XML
    names = [c.getAttribute("name") for c in doc.getElementsByTagName("testcase")]
    assert any(n.startswith('a <b> & "c"') for n in names)


# -- item 21: output to a file or pipe is never cropped --------------------------------------------


def test_output_to_a_pipe_is_not_cropped(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["LANG"] = "C.UTF-8"
    command = [sys.executable, "-m", "clause.cli", "show", "c2-1-transport-cross-province"]
    result = subprocess.run(
        [*command, "--package", str(HUBEI)], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    clause_line = next(line for line in result.stdout.splitlines() if "推进劳务输出。" in line)
    assert "按每人不超过500元标准给予一次性交通补助" in clause_line  # the whole clause, uncut
    assert clause_line.endswith("可按规定给予就业创业服务补助。")


# -- item 22: the documents say what works ---------------------------------------------------------


def test_docs_install_from_the_repository_and_name_real_facts(clause: Any) -> None:
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "pip install clause" not in ci.replace("pip install clause-", "")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "trip_cost" not in readme
    sample = readme.split("## The expression language", 1)[1].split("```")[1].strip()
    schema = str(HUBEI / "facts.schema.json")
    result = clause("expr", " ".join(sample.split()), "--schema", schema, "--format", "json")
    assert result.code == 0, result.err


def test_the_guide_amendment_can_be_completed(clause: Any, tmp_path: Path) -> None:
    """Officers' guide section 7 done as written: version 1 ends, version 2 raises the cap to
    800 with the notice's words kept and the difference named; check passes, and the date
    that selects the version decides between 500 and 800."""
    import shutil

    package = tmp_path / "hubei"
    shutil.copytree(HUBEI, package)
    for shared in ("library.yaml", "facts.schema.json"):  # the library's places and vocabulary
        shutil.copy(HUBEI.parents[1] / shared, tmp_path / shared)
    rule = package / "rules" / "c2-1-transport-cross-province.yaml"
    head, first = rule.read_text(encoding="utf-8").split("versions:\n", 1)
    first = first.replace("to: 2025-12-31}", "to: 2023-06-30}", 1)
    second = (
        first.replace("- version: 1", "- version: 2")
        .replace(
            "date: 2021-08-16, by: 鄂人社发〔2021〕25号, clause: 二.（一）",
            "date: 2023-06-15, by: 示例人社发〔2023〕1号, clause: 一",
        )
        .replace(
            "valid: {from: 2021-08-16, to: 2023-06-30}", "valid: {from: 2023-07-01, to: 2025-12-31}"
        )
        .replace("max: 500\n", "max: 800\n")
        .replace(
            "quote: 按每人不超过500元标准给予一次性交通补助\n",
            "quote: 按每人不超过500元标准给予一次性交通补助\n"
            "        differs_from_quote: 示例人社发〔2023〕1号 一 raises it to 800 yuan\n",
        )
    )
    rule.write_text(head + "versions:\n" + first + second, encoding="utf-8")
    checked = clause("check", str(package))
    assert checked.code == 0, checked.out
    facts = tmp_path / "f.yaml"
    for day, cap in (("2023-06-30", "500.00"), ("2023-07-01", "800.00")):
        facts.write_text(
            f"person: {{poverty_alleviated: true, organised_work: true, home_province: 湖北省, "
            f"work_province: 广东省, "
            f"departure_date: {day}, transport_cost: 900, grants: []}}\n",
            encoding="utf-8",
        )
        args = ("explain", str(facts), "--date", "2023-08-01", "--package", str(package))
        data = json.loads(
            clause(*args, "--rule", "c2-1-transport-cross-province", "--format", "json").out
        )
        assert data["decisions"][0]["amount_cap"] == cap


# -- item 23: small things a new user meets --------------------------------------------------------


def test_expression_starting_with_minus_after_double_dash(clause: Any) -> None:
    result = clause("expr", "--format", "json", "--", "-1 + 2")
    assert result.code == 0 and json.loads(result.out)["value"] == "1"
    refused = clause("expr", "-1 + 2")
    assert refused.code == 2 and "clause expr -- '-1 + 2'" in refused.err


def test_a_byte_order_mark_is_accepted_in_json(clause: Any, tmp_path: Path) -> None:
    facts = tmp_path / "f.json"
    facts.write_bytes(b"\xef\xbb\xbf" + json.dumps({"person": {"organised": True}}).encode())
    result = clause("explain", str(facts), "--date", "2030-06-01", "--package", str(MINI))
    assert result.code == 0, result.err


def test_one_off_line_of_an_eligible_rule_shows_a_tick(clause: Any, tmp_path: Path) -> None:
    facts = tmp_path / "f.yaml"
    facts.write_text(
        "person: {poverty_alleviated: true, organised: true, scope: 跨省, "
        "departure_date: 2030-05-01, transport_cost: 100, grants: []}\n",
        encoding="utf-8",
    )
    args = ("explain", str(facts), "--date", "2030-06-01", "--package", str(MINI), "--rule")
    result = clause(*args, "transport", "--lang", "en")
    once = [line for line in result.out.splitlines() if "one-off" in line]
    assert once and all("✓" in line and "✗" not in line for line in once), result.out


def test_eval_text_explains_the_open_split(clause: Any, tmp_path: Path) -> None:
    """No county quota fact: 500 yuan is decided but its split between the bridging fund and
    the employment fund is open; the totals say so instead of leaving a silent gap."""
    source = tmp_path / "h.csv"
    source.write_text(
        "case_id,person.poverty_alleviated,person.organised_work,person.home_province,"
        "person.work_province,person.departure_date,person.transport_cost,person.grants\n"
        "a,true,true,湖北省,广东省,2021-09-01,620,[]\n",
        encoding="utf-8",
    )
    args = ("eval", str(source), "--date", "2021-10-15", "--package", str(HUBEI))
    result = clause(*args, "--rejects", str(tmp_path / "r.jsonl"))
    assert result.code == 0, result.err
    assert "not split between funds (a quota is not known): 1 case(s), 500.00 yuan" in result.out


# -- item 26: Chinese for the officers, from the locale or --lang ----------------------------------


def test_check_and_test_speak_chinese(clause: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    result = clause("check", str(MINI), "--lang", "zh")
    assert "个文件中有 0 个错误" in result.out
    assert "通过" in clause("test", str(MINI), "--lang", "zh").out
    assert "用法" in clause("check", "--help", "--lang", "zh").out


def test_the_locale_chooses_the_language(clause: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from clause.cli.app import main

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(sys, "argv", ["clause", "check", str(MINI)])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    with pytest.raises(SystemExit):
        main()
    assert "个文件中有" in out.getvalue()


# -- item 24: the command line does not load what a command does not need --------------------------


def test_start_up_imports_only_what_the_command_needs() -> None:
    probe = (
        "import sys; from clause.cli.app import app; "
        "print(sorted(m for m in ('pyarrow', 'jsonschema', 'lark', 'rich.table', "
        "'clause.engine.batch.run', 'clause.engine.load.package') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# -- item 10: a key twice in a register's JSON line rejects that row -------------------------------


def test_a_json_line_with_a_key_twice_is_rejected(clause: Any, tmp_path: Path) -> None:
    source = tmp_path / "reg.jsonl"
    source.write_text(
        '{"case_id": "a", "person": {"organised": true, "organised": false}}\n'
        '{"case_id": "b", "person": {"organised": true, "有组织": false}}\n'
        '{"case_id": "c", "person": {"organised": true}}\n',
        encoding="utf-8",
    )
    result, rejects = run_eval(clause, source)
    assert result.code == 0, result.err
    reasons = {r["case_id"] or r["row"]: r["reason"] for r in rejects_of(rejects)}
    assert "duplicate key `organised`" in reasons[1]
    assert "name the same fact" in reasons["b"]


# -- item 25: a large facts file is composed by libyaml, not the pure-Python parser ----------------


def test_a_large_plain_file_takes_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from clause.engine.load import composer
    from clause.engine.load.loader import load_yaml

    def careful(*args: object) -> object:
        raise AssertionError("the pure-Python composer ran on a plain file")

    monkeypatch.setattr(composer, "_careful", careful)
    text = "person:\n" + "".join(f"  k{i:05d}: {i}\n" for i in range(20_000))
    assert len(load_yaml(text).data["person"]) == 20_000
