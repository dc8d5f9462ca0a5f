"""Every backend and engine writes the same files: record vs columnar, local vs Spark.

The register is the seeded Hubei one from benchmarks/gen_register.py (a few thousand rows with
missing cells, grant histories and broken rows), decided with and without a budget, written
as CSV, JSON Lines and Parquet. Files must be equal byte for byte, rejects included. The Spark
run uses local mode (Java 17 is required; the test says so and skips only when it is absent).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

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
    package = load_package(HUBEI).package
    assert package is not None
    return Library.of([package])


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("registers")
    out = {}
    for kind in ("csv", "jsonl", "parquet"):
        path = folder / f"hubei.{kind}"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "gen_register.py"), str(path),
             "--rows", "3000", "--seed", "7"],
            check=True, capture_output=True,
        )  # fmt: skip
        out[kind] = path
    return out


def _run(library: Library, source: Path, out: Path, **options: object) -> tuple[bytes, bytes]:
    summary = evaluate_batch(library, source, BatchOptions(on=ON, out=out, **options))  # type: ignore[arg-type]
    assert summary.tally.rows_read == 3000
    rejects = out.with_name(f"{out.stem}.rejects.jsonl")
    return out.read_bytes(), rejects.read_bytes()


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
    assert record[1], "the seeded register has broken rows: the rejects must not be empty"


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
