"""Every command over a corpus of bad inputs, run as a user runs it: `clause`'s entry point.

Each probe asserts what issue 10 asks of every bad input: exit code 1 or 2 (never 3, never a
traceback), a message naming the file and the place (file:line:col, or the JSON path), an
answer within PROBE_SECONDS (a timer interrupts a probe that hangs: a failure, not a wait), and
no file outside the outputs the probe names created, changed or removed (the whole work folder
is hashed before and after). The probes run in this process, through `main()` as the console
script runs it, so the suite stays quick; `test_probes_in_a_fresh_process` runs a few again as
separate `python -m clause.cli` processes, with stdin, exit status and all. The corpus is built
in a temporary folder from the mini package: no network, no particular machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
PROBE_SECONDS = 60  # generous for a loaded 2-core machine: the hangs this catches took minutes
ESC = "\x1b"

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Probe:
    """One bad input: how to make it, the command line, and what the answer must name."""

    name: str
    args: tuple[str, ...]
    where: str  # text the message must contain: the file and place (file:line:col or a path)
    setup: Setup = lambda root: None
    stdin: bytes | None = None
    codes: tuple[int, ...] = (1, 2)
    outputs: tuple[str, ...] = field(default=())  # files the probe may create (none expected)


def write(path: str, data: str | bytes) -> Setup:
    def make(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")

    return make


def edit(path: str, old: str, new: str) -> Setup:
    def change(root: Path) -> None:
        target = root / path
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{path}: {old!r} not found"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def both(*steps: Setup) -> Setup:
    def run(root: Path) -> None:
        for step in steps:
            step(root)

    return run


def symlink(path: str, target: str) -> Setup:
    def make(root: Path) -> None:
        link = root / path
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)

    return make


def remove(path: str) -> Setup:
    def run(root: Path) -> None:
        target = root / path
        shutil.rmtree(target) if target.is_dir() else target.unlink()

    return run


def damaged_parquet(root: Path) -> None:
    """A Parquet file whose footer is sound but whose second row group's page header is not:
    the file opens, and reading fails part-way, as with a corrupted data page."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 3000
    table = pa.table(
        {"case_id": [f"C{i}" for i in range(rows)], "person.transport_cost": [1.0] * rows}
    )
    path = root / "reg.parquet"
    pq.write_table(table, path, row_group_size=1000, compression="NONE")
    offset = pq.ParquetFile(path).metadata.row_group(1).column(1).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


PKG = ("--package", "mini")
DAY = ("--date", "2030-06-01")
EXPLAIN = ("explain", "facts.yaml", *DAY, *PKG)
CSV_HEADER = "case_id,person.poverty_alleviated,person.transport_cost,person.grants\n"
CSV_ROWS = CSV_HEADER + "".join(f"C{i},true,{i},[]\n" for i in range(50))

PROBES = [
    # -- numbers that used to hang or crash (items 1, 2) -----------------------------------
    Probe(
        "facts huge exponent",
        EXPLAIN,
        "facts.yaml:1:",
        write("facts.yaml", "person: {transport_cost: 1e999999999}\n"),
    ),
    Probe(
        "facts tiny exponent",
        EXPLAIN,
        "facts.yaml:1:",
        write("facts.yaml", "person: {transport_cost: 1e-999999999}\n"),
    ),
    Probe(
        "facts 5001 digits",
        EXPLAIN,
        "facts.yaml:1:",
        write("facts.yaml", "person: {transport_cost: " + "9" * 5001 + "}\n"),
    ),
    Probe(
        "facts JSON 5001-digit int",
        ("explain", "f.json", *DAY, *PKG),
        "f.json:1:",
        write("f.json", '{"person": {"transport_cost": ' + "9" * 5001 + "}}"),
    ),
    Probe(
        "rule max huge",
        ("check", "mini"),
        "mini/rules/transport.yaml:22:",
        edit("mini/rules/transport.yaml", "max: 500", "max: 1e999999999"),
    ),
    Probe(
        "parameter value huge",
        ("check", "mini"),
        "mini/parameters/",
        edit("mini/parameters/training-monthly-rate.yaml", "value: 600", "value: 6e999999999"),
    ),
    Probe(
        "test amount huge",
        ("test", "mini"),
        "mini/tests/cases.yaml:",
        edit("mini/tests/cases.yaml", "amount: 500", "amount: 5e999999999"),
    ),
    Probe(
        "budget huge",
        ("explain", "facts.yaml", *DAY, *PKG, "--budget", "b.yaml"),
        "b.yaml:1:",
        both(
            write("facts.yaml", "person: {poverty_alleviated: true}\n"),
            write("b.yaml", "bridging_fund: 1e999999999\n"),
        ),
    ),
    # -- nesting, encodings, shapes (items 3, 4, 5) ------------------------------------------
    Probe(
        "facts JSON nested 500",
        ("explain", "f.json", *DAY, *PKG),
        "f.json:1:1",
        write("f.json", '{"person": {"x": ' + "[" * 500 + "]" * 500 + "}}"),
    ),
    Probe(
        "facts YAML nested 100",
        EXPLAIN,
        "facts.yaml:1:",
        write("facts.yaml", "person: {x: " + "[" * 100 + "]" * 100 + "}\n"),
    ),
    Probe(
        "random bytes on stdin",
        ("explain", "-", *DAY, *PKG),
        "<stdin>:",
        stdin=bytes(range(256)) * 8,
    ),
    Probe(
        "GBK on stdin",
        ("explain", "-", *DAY, *PKG),
        "<stdin>:2:",
        stdin="person:\n  scope: 跨省\n".encode("gbk"),
    ),
    Probe(
        "UTF-16 facts file",
        EXPLAIN,
        "facts.yaml:1:",
        write("facts.yaml", "person: {scope: 跨省}\n".encode("utf-16")),
    ),
    Probe(
        "expr facts /etc/passwd",
        ("expr", "1", "--facts", "passwd"),
        "passwd:1:1",
        write("passwd", "root:x:0:0:root:/root:/bin/bash\n"),
    ),
    Probe(
        "expr schema /etc/passwd",
        ("expr", "1", "--schema", "passwd"),
        "passwd:1:1",
        write("passwd", "root:x:0:0:root:/root:/bin/bash\n"),
    ),
    Probe(
        "expr schema bad shape",
        ("expr", "1", "--schema", "s.json"),
        "s.json:1:1",
        write("s.json", '{"properties": 5}'),
    ),
    Probe(
        "expr params a list",
        ("expr", "1", "--params", "p.yaml"),
        "p.yaml:1:1",
        write("p.yaml", "- 1\n- 2\n"),
    ),
    Probe("expr exponent", ("expr", "1e3 + 1"), "<expr>:1:1"),
    Probe("expr minus first", ("expr", "-1 + 2"), "<command line>:1:1"),
    Probe("expr deep", ("expr", "(" * 300 + "1" + ")" * 300), "<expr>:1:"),
    Probe("expr number 40 digits", ("expr", "1" * 40), "<expr>:1:1"),
    # -- registers (items 6, 7, 8, 20) ---------------------------------------------------------
    Probe(
        "register symlink loop",
        ("eval", "loop.csv", *DAY, *PKG),
        "loop.csv:1:1",
        symlink("loop.csv", "loop.csv"),
    ),
    Probe(
        "register damaged parquet",
        ("eval", "reg.parquet", *DAY, *PKG, "--rejects", "rej.jsonl"),
        "reg.parquet:1:1",
        damaged_parquet,
    ),
    Probe(
        "--out is a directory",
        ("eval", "reg.csv", *DAY, *PKG, "--out", "outdir"),
        "<command line>:1:1",
        both(write("reg.csv", CSV_ROWS), write("outdir/keep", "x")),
    ),
    Probe(
        "--rejects is a directory",
        ("eval", "reg.csv", *DAY, *PKG, "--out", "o.csv", "--rejects", "outdir"),
        "<command line>:1:1",
        both(write("reg.csv", CSV_ROWS), write("outdir/keep", "x")),
    ),
    Probe(
        "--rejects is a package file",
        ("eval", "reg.csv", *DAY, *PKG, "--rejects", "mini/funds.yaml"),
        "<command line>:1:1",
        write("reg.csv", CSV_ROWS),
    ),
    Probe(
        "--out is the budget",
        ("eval", "reg.csv", *DAY, *PKG, "--budget", "b.jsonl", "--out", "b.jsonl"),
        "<command line>:1:1",
        both(write("reg.csv", CSV_ROWS), write("b.jsonl", "{}")),
    ),
    Probe(
        "--workers beyond the processors",
        ("eval", "reg.csv", *DAY, *PKG, "--workers", "10000"),
        "<command line>:1:1",
        write("reg.csv", CSV_ROWS),
    ),
    Probe(
        "--chunk-size 0",
        ("eval", "reg.csv", *DAY, *PKG, "--chunk-size", "0"),
        "<command line>:1:1",
        write("reg.csv", CSV_ROWS),
    ),
    Probe(
        "budget JSON duplicate key",
        ("eval", "reg.csv", *DAY, *PKG, "--budget", "b.json"),
        "b.json:1:",
        both(
            write("reg.csv", CSV_ROWS), write("b.json", '{"bridging_fund": 1, "bridging_fund": 2}')
        ),
    ),
    # -- conflicting facts (item 10) -----------------------------------------------------------
    Probe(
        "alias beside its name",
        EXPLAIN,
        "facts.yaml:1:",
        write("facts.yaml", "person: {脱贫人口: true, poverty_alleviated: false}\n"),
    ),
    Probe(
        "entity alias beside its name",
        EXPLAIN,
        "facts.yaml:2:",
        write("facts.yaml", "person: {organised: true}\n人员: {organised: false}\n"),
    ),
    Probe(
        "JSON duplicate key",
        ("explain", "f.json", *DAY, *PKG),
        "f.json:1:",
        write("f.json", '{"person": {"organised": true, "organised": false}}'),
    ),
    # -- checks that passed by mistake (items 11, 12, 13) -------------------------------------
    Probe(
        "window inverted",
        ("check", "mini"),
        "mini/rules/transport.yaml:11:12",
        edit(
            "mini/rules/transport.yaml",
            "valid: {from: 2030-03-01, to: 2032-12-31}",
            "valid: {from: 2032-12-31, to: 2030-03-01}",
        ),
    ),
    Probe(
        "amount against its quote",
        ("check", "mini"),
        "mini/rules/transport.yaml:24:16",
        edit("mini/rules/transport.yaml", "max: 500", "max: 600"),
    ),
    Probe("check an empty folder", ("check", "empty"), "empty:1:1", write("empty/.keep", "")),
    Probe(
        "check a non-policy file",
        ("check", "passwd"),
        "passwd:1:1",
        write("passwd", "root:x:0:0\n"),
    ),
    Probe("rules folder missing", ("check", "mini"), "mini/rules:1:1", remove("mini/rules")),
    Probe(
        "rules is a file",
        ("check", "mini"),
        "mini/rules:1:1",
        both(remove("mini/rules"), write("mini/rules", "x")),
    ),
    Probe("no tests", ("test", "mini"), "mini/tests:1:1", remove("mini/tests")),
    # -- injection and reach (items 17, 18, 19) ------------------------------------------------
    Probe(
        "forged annotation",
        ("check", "mini", "--format", "github"),
        "file=mini/rules/transport.yaml",
        edit(
            "mini/rules/transport.yaml",
            "title:",
            '"x\\n::warning file=README.md,line=1::forged": 1\ntitle:',
        ),
    ),
    Probe(
        "escape codes in a key",
        ("check", "mini"),
        "mini/rules/transport.yaml:",
        edit("mini/rules/transport.yaml", "title:", '"\\e[2J\\e[31mred": 1\ntitle:'),
    ),
    Probe(
        "escape codes in a fact",
        EXPLAIN,
        "facts.yaml:1:",
        write("facts.yaml", 'person: {scope: "\\e[2J\\e]0;owned\\a"}\n'),
    ),
    Probe(
        "text outside the package",
        ("check", "mini"),
        "mini/document.yaml:18:7",
        both(
            write("secret.yaml", "password: x\n"),
            edit("mini/document.yaml", "text: notice.yaml", "text: ../secret.yaml"),
        ),
    ),
    Probe(
        "rule linked outside",
        ("check", "mini"),
        "mini/rules/leak.yaml:1:1",
        both(
            write("secret.yaml", "password: x\n"),
            symlink("mini/rules/leak.yaml", "../../secret.yaml"),
        ),
    ),
    # -- other commands on a broken package ---------------------------------------------------
    Probe(
        "rules on a broken package",
        ("rules", *PKG),
        "mini/rules/transport.yaml:22:",
        edit("mini/rules/transport.yaml", "max: 500", "max: 1e999999999"),
    ),
    Probe(
        "coverage on a broken package",
        ("coverage", "mini"),
        "mini/rules/transport.yaml:22:",
        edit("mini/rules/transport.yaml", "max: 500", "max: 1e999999999"),
    ),
    Probe("show an unknown rule", ("show", "nope", *PKG), "<command line>:1:1"),
    Probe(
        "explain bad date",
        ("explain", "facts.yaml", "--date", "2030-02-30", *PKG),
        "<command line>:1:1",
        write("facts.yaml", "person: {}\n"),
    ),
]


def tree_digest(root: Path) -> dict[str, str]:
    """Every file and link under `root` (hidden ones too) and a digest of its content."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[rel] = "dir"
    return out


class ProbeTimeout(BaseException):
    """Raised by the timer when a probe runs past PROBE_SECONDS."""


def _expire(signum: int, frame: object) -> None:
    raise ProbeTimeout(f"no answer within {PROBE_SECONDS} s")


def run_in_process(clause: Any, probe: Probe, root: Path, monkeypatch: Any) -> tuple[int, str]:
    """The probe through `clause.cli.app.main`, in `root`, stopped by a timer if it hangs."""
    monkeypatch.chdir(root)
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, PROBE_SECONDS)
    try:
        result = clause(*probe.args, stdin=probe.stdin)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return result.code, result.out + result.err


def run_probe(probe: Probe, root: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG="C.UTF-8", COLUMNS="100", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "clause.cli", *probe.args],
        cwd=root,
        input=probe.stdin or b"",
        capture_output=True,
        timeout=PROBE_SECONDS,
        env=env,
        check=False,
    )


def check_answer(probe: Probe, code: int, out: str, before: dict[str, str], root: Path) -> None:
    assert "ProbeTimeout" not in out, f"no answer within {PROBE_SECONDS} s"
    assert code in probe.codes, f"exit {code}:\n{out}"
    assert "Traceback" not in out and "internal error" not in out, out
    assert probe.where in out, f"the message does not name {probe.where!r}:\n{out}"
    assert ESC not in out, "a terminal escape reached the output"
    after = tree_digest(root)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= set(probe.outputs), f"files touched: {sorted(changed)}"


def prepared(probe: Probe, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "work"
    shutil.copytree(MINI, root / "mini")
    probe.setup(root)
    return root, tree_digest(root)


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_hostile_input(probe: Probe, tmp_path: Path, clause: Any, monkeypatch: Any) -> None:
    root, before = prepared(probe, tmp_path)
    code, out = run_in_process(clause, probe, root, monkeypatch)
    check_answer(probe, code, out, before, root)


FRESH = ("random bytes on stdin", "facts huge exponent", "register symlink loop", "no tests")


@pytest.mark.parametrize("name", FRESH)
def test_probes_in_a_fresh_process(name: str, tmp_path: Path) -> None:
    probe = next(p for p in PROBES if p.name == name)
    root, before = prepared(probe, tmp_path)
    try:
        result = run_probe(probe, root)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {PROBE_SECONDS} s")
    out = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
    check_answer(probe, result.returncode, out, before, root)


def test_forged_annotation_stays_one_line(tmp_path: Path, clause: Any, monkeypatch: Any) -> None:
    """The GitHub form: one workflow command per finding, the forged one kept inside it."""
    probe = next(p for p in PROBES if p.name == "forged annotation")
    root, _ = prepared(probe, tmp_path)
    monkeypatch.chdir(root)
    lines = clause(*probe.args).out.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ")) for line in lines), lines
    assert not any("file=README.md" in line.split("::", 2)[1] for line in lines), lines
