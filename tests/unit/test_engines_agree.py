"""Every backend and engine writes the same files: record vs columnar, local vs Spark.

The register is the seeded Hubei one from benchmarks/gen_register.py (a few thousand rows with
missing cells, grant histories, broken rows and repeated case ids), decided with and without a
budget, written as CSV, JSON Lines and Parquet. Files must be equal byte for byte, rejects
included. The Spark run uses local mode (Java 17 is required; the test says so and skips only
when it is absent).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clause.engine.api import open_library
from clause.engine.batch.run import BatchOptions, evaluate_batch
from clause.engine.library import Library
from clause.engine.load.package import load_package

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "policies" / "hubei" / "ehrs-2021-25"
ON = date(2022, 12, 31)
BUDGET = {
    "bridging_fund_cross_province": Decimal("20000"),
    "employment_subsidy_fund": Decimal("50000"),
}


@pytest.fixture(scope="module")
def library() -> Library:
    return open_library(HUBEI)  # with the library around it: places, the shared facts


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("registers")
    out = {}
    for kind in ("csv", "jsonl", "parquet"):
        path = folder / f"hubei.{kind}"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "gen_register.py"), str(path),
             "--rows", "3000", "--seed", "7", "--repeated", "0.01"],
            check=True, capture_output=True,
        )  # fmt: skip
        out[kind] = path
    return out


def _run(library: Library, source: Path, out: Path, **options: object) -> tuple[Any, ...]:
    """The results, the rejects and the totals (what the summary, the manifest and the
    dashboard show: counts, money, missing facts per decision and per case, rejects by
    reason), without the file names and the columnar path's own report."""
    summary = evaluate_batch(library, source, BatchOptions(on=ON, out=out, **options))  # type: ignore[arg-type]
    assert summary.tally.rows_read == 3000
    # about 1% of the rows reuse an earlier id: refused on every path, never decided twice
    assert 10 <= summary.tally.duplicate_ids <= 50
    rejects = out.with_name(f"{out.stem}.rejects.jsonl")
    totals = summary.to_json()
    for key in ("input", "output", "rejects", "record_path"):
        totals.pop(key, None)
    first = {
        k: (row, line, str(why)) for k, (row, line, why) in summary.tally.rejected_first.items()
    }
    return out.read_bytes(), rejects.read_bytes(), totals, first


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("budget", [False, True])
def test_columnar_writes_what_record_writes(
    library: Library, registers: dict[str, Path], tmp_path: Path, kind: str, budget: bool
) -> None:
    more = {"budget": BUDGET} if budget else {}
    record = _run(library, registers[kind], tmp_path / f"record.{kind}", backend="record", **more)
    columnar = _run(library, registers[kind], tmp_path / f"col.{kind}", backend="columnar", **more)
    assert columnar[1] == record[1]
    assert columnar[0] == record[0]
    assert columnar[2:] == record[2:]
    assert record[1], "the seeded register has broken rows: the rejects must not be empty"
    assert any(m["cases"] for m in record[2]["missing"]), "missing facts counted per case"


def test_columnar_in_worker_processes_writes_what_record_writes(
    library: Library, registers: dict[str, Path], tmp_path: Path
) -> None:
    """`--workers 2` runs the columnar backend in two processes, chunk by chunk (the native
    path is one process): the same files, repeated ids and budget included."""
    more = {"budget": BUDGET, "chunk_size": 500}
    record = _run(library, registers["csv"], tmp_path / "record.csv", backend="record", **more)
    pool = _run(library, registers["csv"], tmp_path / "pool.csv", workers=2, **more)
    assert pool == record


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 (java not found)")
def test_spark_local_mode_writes_what_one_machine_writes(
    library: Library, registers: dict[str, Path], tmp_path: Path
) -> None:
    pytest.importorskip("pyspark", reason="the test extra installs pyspark")
    for kind, more in (("csv", {"budget": BUDGET}), ("parquet", {})):
        local = _run(library, registers[kind], tmp_path / f"local.{kind}", chunk_size=500, **more)
        spark = _run(
            library,
            registers[kind],
            tmp_path / f"spark.{kind}",
            chunk_size=500,
            engine="spark",
            master="local[2]",
            **more,
        )
        assert spark == local


MINI = ROOT / "tests" / "fixtures" / "mini"
MINI_HEADER = (
    "case_id,person.poverty_alleviated,person.organised,person.scope,person.departure_date,"
    "person.transport_cost,person.grants,site.residents,site.has_station,site.full_time_staff"
)
AWKWARD_ROWS = [
    "p1,true,true,跨省,2030-05-01,620,[],,,",
    "p2, TRUE ,1,跨省,2030-05-01, 300.50 ,"
    '"[{""program"": ""transport"", ""date"": ""2030-01-02""}]",,,',
    "",  # a blank line is no record
    "p3,true,true,跨省,2030-05-01,12abc,[],,,",  # not a number
    'p4,true,true,"跨\n省",2030-05-01,620,[],,,',  # a quoted line break
    "p5,true,true,跨省,2030-02-30,620,[],,,",  # no such date
    'p6,true,"tr"ue,跨省,2030-05-01,620,[],,,',  # a stray quote
    "p7,true,true,跨省",  # cut short
    "p8,是,否,省内县外,2030-05-01,1E3,[],,,",  # an exponent: the record path's own reading
    "p9,true,true,跨省,2030-05-01,0.00001,[],,,",  # finer than the columns carry
    ",true,true,跨省,2030-05-01,620,[],,,",  # no case id
    "p10,,,,,,,,,",  # no facts
    "s1,,,,,,,900,是,0\r",  # a CRLF line
    'p11,true,true,跨省,2030-05-01,620,"[{""program"": ""transport"", ""program"": ""x""}]",,,',
    "p12,true,true,跨省,2030-05-01,620,[{}],,,",
    "p13,true,true,跨省\x1c,2030-05-01,620,[],,,",  # Python strips \x1c, Arrow does not
    '"p\r14",true,true,跨省,2030-05-01,620,[],,,',  # a carriage return inside a case id
]


@pytest.mark.parametrize("block", [64, 1 << 20])
@pytest.mark.parametrize("out_kind", ["csv", "jsonl", "parquet"])
def test_awkward_csv_reads_and_rejects_as_the_record_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, out_kind: str
) -> None:
    """Quoted line breaks, blank lines, stray quotes, bad text, CRLF, odd spaces and bytes
    that are not UTF-8, split across small blocks: the same results and rejects."""
    import clause.engine.columnar.csvblocks as csvblocks

    monkeypatch.setattr(csvblocks, "BLOCK", block)
    package = load_package(MINI).package
    assert package is not None
    mini = Library.of([package])
    # seven repetitions with ids of their own, then the first again: every id it decided
    # comes back, and both paths must refuse those rows alike
    rows = [_renamed(row, k) for k in (1, 2, 3, 4, 5, 6, 7, 1) for row in AWKWARD_ROWS]
    text = "\ufeff" + MINI_HEADER + "\n" + "\n".join(rows) + "\n"
    source = tmp_path / "awkward.csv"
    source.write_bytes(text.encode("utf-8") + b"p99,true,true,\xff\xfe,2030-05-01,1,[],,,\n")
    got = {}
    for backend in ("record", "columnar"):
        out = tmp_path / f"{backend}.{out_kind}"
        options = BatchOptions(on=date(2030, 12, 1), out=out, backend=backend)
        summary = evaluate_batch(mini, source, options)
        got[backend] = (
            out.read_bytes(),
            out.with_name(f"{out.stem}.rejects.jsonl").read_bytes(),
            summary.tally.rows_read,
            summary.tally.rows_rejected,
            summary.tally.duplicate_ids,
        )
    assert got["columnar"] == got["record"]
    bad = 8  # rows p3 to p7, no case id, no facts, a key twice in a JSON cell (p11)
    decided_once = len([r for r in AWKWARD_ROWS if r]) - bad
    assert got["record"][4] == decided_once  # the last repetition's ids, all seen before
    # the bad rows of eight repetitions, the bad bytes and the repeated ids
    assert got["record"][3] == bad * 8 + 1 + decided_once


def _renamed(row: str, k: int) -> str:
    """An awkward row with a case id of repetition `k` (rows without an id stay so)."""
    if row.startswith('"'):
        return f'"r{k}' + row[1:]
    return f"r{k}{row}" if row[:1].isalpha() else row


def test_rules_and_rows_on_the_record_path_are_reported(tmp_path: Path) -> None:
    """A rule the columnar compiler cannot express (a division) runs on the record path for
    every row; the summary names it with the reason and counts rows handed over whole."""
    from dataclasses import replace

    from clause.engine.expr.check import check_expr
    from clause.engine.expr.compile import compile_expr
    from clause.engine.expr.syntax import expr_origin, parse_expr
    from clause.engine.expr.types import BOOL
    from clause.engine.model import Condition, Expr

    package = load_package(MINI).package
    assert package is not None
    text = "person.transport_cost / 2 > 100"
    origin = expr_origin(text)
    node = check_expr(parse_expr(text, origin), package.env, origin, expect=BOOL)
    base = next(r for r in package.rules if r.id == "transport")
    version = replace(
        base.versions[0],
        conditions=(Condition("half", Expr(text, node, compile_expr(node), base.span), "q",
                              base.span),),
        overrides=(),
        funding=(),
    )  # fmt: skip
    halves = replace(base, id="z-halves", versions=(version,))
    mini = Library.of([replace(package, rules=(*package.rules, halves))])
    source = tmp_path / "r.csv"
    rows = ["p1,true,true,跨省,2030-05-01,620,[],,,", "p2,true,true,跨省,2030-05-01,0.00001,[],,,"]
    source.write_text(MINI_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    outputs = []
    for backend in ("record", "columnar"):
        out = tmp_path / f"{backend}.csv"
        summary = evaluate_batch(
            mini, source, BatchOptions(on=date(2030, 12, 1), out=out, backend=backend)
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"z-halves" in outputs[1]
    reported = summary.to_json()["record_path"]
    assert "division" in reported["rules"]["z-halves"]
    from clause.engine.messages import render

    assert "除法" in render(summary.record_rules["z-halves"], "zh")
    assert reported["rows"] == 1  # 0.00001 is finer than the columns carry
    # the run manifest says the same, in the shape its schema gives
    import json

    from jsonschema import Draft202012Validator

    from clause.engine.api import RunRecord
    from clause.engine.batch.filed import run_and_file

    options = BatchOptions(on=date(2030, 12, 1), out=tmp_path / "filed.csv")
    filed = run_and_file(mini, source, options, RunRecord())
    manifest = json.loads(Path(filed.manifest or "").read_text(encoding="utf-8"))
    assert manifest["record_path"] == reported
    schema = json.loads((ROOT / "schemas" / "run-manifest.schema.json").read_text("utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(manifest))


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("budget", [False, True])
def test_the_wide_layout_is_the_same_on_both_paths(
    library: Library, registers: dict[str, Path], tmp_path: Path, kind: str, budget: bool
) -> None:
    """One row per case, a column group per rule: the record path and the columnar path
    write the same file; it holds the long layout's decisions, case by case."""
    more = {"budget": BUDGET} if budget else {}
    wide = {}
    for backend in ("record", "columnar"):
        out = tmp_path / f"{backend}.{kind}"
        evaluate_batch(
            library,
            registers["csv"],
            BatchOptions(on=ON, out=out, backend=backend, layout="wide", **more),  # type: ignore[arg-type]
        )
        wide[backend] = out.read_bytes()
    assert wide["columnar"] == wide["record"]
    if kind != "csv":
        return
    long = tmp_path / "long.csv"
    evaluate_batch(library, registers["csv"], BatchOptions(on=ON, out=long, **more))  # type: ignore[arg-type]
    import csv
    import io

    by_case = {}
    for row in csv.DictReader(io.StringIO(wide["record"].decode("utf-8"))):
        by_case[row["case_id"]] = row
    for row in csv.DictReader(long.open(encoding="utf-8")):
        cells = by_case[row["case_id"]]
        assert cells[f"{row['rule']}.outcome"] == row["outcome"]
        assert cells[f"{row['rule']}.amount"] == row["amount"]
        assert cells[f"{row['rule']}.funding"] == row["funding"]
        assert cells[f"{row['rule']}.missing"] == row["missing"]
