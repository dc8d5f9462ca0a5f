"""What the dashboard and the run manifest cost a `clause eval` run: time and peak memory.

    python benchmarks/bench_report.py [--rows N] [--sample N]

Two measurements on a seeded Hubei register of N rows (benchmarks/gen_register.py, shared
with bench_eval.py under benchmarks/out/):

1. The tally on the hot path. The result rows of the first `--sample` cases are decided once,
   then counted by the pipeline's Tally.add_case (outcomes, amounts, and what the dashboard
   adds: missing facts per rule and per case) and by a copy of the tally as it was before the
   dashboard (outcomes and amounts only, one method call per row). Best of 5.
2. Whole runs, each in its own process so that peak memory is its own: evaluate_batch alone
   (results written, no manifest), and the same with the manifest and the --report page
   (input and outputs hashed, charts drawn).

Prints one table per measurement. Default 200,000 rows; the README quotes --rows 1000000.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "policies" / "hubei" / "ehrs-2021-25"
OUT = ROOT / "benchmarks" / "out"
ON = date(2022, 12, 31)
SEED = 2021


def register_for(rows: int) -> Path:
    """The seeded register of `rows` rows, generated once and reused (delete it to renew)."""
    path = OUT / f"register-hubei-{rows}-seed{SEED}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.partial.csv")
        generator = ROOT / "benchmarks" / "gen_register.py"
        command = [sys.executable, str(generator), str(partial), "--rows", str(rows)]
        subprocess.run([*command, "--seed", str(SEED)], check=True)
        partial.rename(path)
    return path


# -- 1. the tally ----------------------------------------------------------------------------


def decided_cases(register: Path, sample: int) -> list[list[Any]]:
    """The result rows of the first `sample` decided cases, as the pipeline tallies them."""
    from clause.engine.api import open_library
    from clause.engine.batch.chunk import ChunkWorker, Job
    from clause.engine.batch.facts import RowError
    from clause.engine.batch.read import open_source

    library = open_library(PACKAGE)
    source = open_source(register, "utf-8")
    job = Job(
        roots=library.roots, digest=library.digest, kind=source.kind,
        header=tuple(source.header or ()), out_kind=None, on=ON, rule_ids=None, only=None,
        budgeted=False, backend="record",
    )  # fmt: skip
    worker = ChunkWorker(job, library)
    cases: list[list[Any]] = []
    for chunk in source.chunks(2000):
        decoded = [c for c in worker._decode(chunk) if not isinstance(c.facts, RowError)]
        results = worker.backend.decide([(c.case_id, c.facts) for c in decoded])
        cases.extend(r for r in results if not isinstance(r, RowError))
        if len(cases) >= sample:
            break
    source.close()
    return cases[:sample]


class BaselineTally:
    """The tally as it was before the dashboard (outcomes and eligible amounts per rule, one
    method call per result row), kept here to measure what the dashboard's counting adds."""

    def __init__(self) -> None:
        self.rules: dict[str, Any] = {}

    def add(self, row: Any) -> None:
        totals = self.rules.get(row.rule)
        if totals is None:
            totals = self.rules[row.rule] = _Totals()
        totals.outcomes[row.outcome] += 1
        if row.outcome == "eligible":
            if row.amount is None:
                totals.amount_unknown += 1
            else:
                totals.amount += row.amount


class _Totals:
    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.amount = Decimal("0.00")
        self.amount_unknown = 0


def baseline_tally(cases: list[list[Any]]) -> BaselineTally:
    tally = BaselineTally()
    for rows in cases:
        for row in rows:
            tally.add(row)
    return tally


def engine_tally(cases: list[list[Any]]) -> Any:
    from clause.engine.batch.totals import Tally

    tally = Tally()
    for rows in cases:
        tally.add_case(rows)
    return tally


def best_of(runs: int, fn: Any, arg: Any) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - started)
    return best


def tally_table(register: Path, sample: int) -> None:
    cases = decided_cases(register, sample)
    rows = sum(len(c) for c in cases)
    check = engine_tally(cases)
    base = baseline_tally(cases)
    assert {r: dict(t.outcomes) for r, t in check.rules.items()} == {
        r: dict(t.outcomes) for r, t in base.rules.items()
    }, "the two tallies disagree"
    timings = [("before the dashboard: outcomes and amounts", best_of(5, baseline_tally, cases))]
    timings.append(("Tally.add_case (with missing facts)", best_of(5, engine_tally, cases)))
    print(f"\ntally of {len(cases):,} decided cases ({rows:,} result rows), best of 5\n")
    print("| tally | ms | µs/case | µs/result row |")
    print("|---|---:|---:|---:|")
    for name, seconds in timings:
        per_case, per_row = seconds / len(cases) * 1e6, seconds / rows * 1e6
        print(f"| {name} | {seconds * 1e3:.1f} | {per_case:.2f} | {per_row:.3f} |")


# -- 2. whole runs ----------------------------------------------------------------------------


def child(kind: str, register: Path) -> None:
    """One run in this process; prints seconds and peak memory as JSON."""
    from clause.engine.api import BatchOptions, open_library
    from clause.engine.batch.filed import RunRecord, run_and_file
    from clause.engine.batch.run import evaluate_batch

    library = open_library(PACKAGE)
    options = BatchOptions(on=ON, out=OUT / f"report-bench-{kind}.csv")
    started = time.perf_counter()
    if kind == "plain":
        evaluate_batch(library, register, options)
    else:
        options = replace(options, report=OUT / "report-bench.html")
        run_and_file(library, register, options, RunRecord(lang="zh"))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def runs_table(register: Path, rows: int) -> None:
    print(f"\nwhole runs on {rows:,} rows ({register.stat().st_size / 1e6:.0f} MB of CSV)\n")
    print("| run | seconds | µs/row | peak memory |")
    print("|---|---:|---:|---:|")
    for kind, name in (
        ("plain", "evaluate_batch, results only"),
        ("report", "+ manifest and --report"),
    ):
        command = [sys.executable, __file__, "--child", kind, "--register", str(register)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        figures = json.loads(done.stdout)
        per_row = figures["seconds"] / rows * 1e6
        print(
            f"| {name} | {figures['seconds']:.1f} | {per_row:.1f} | {figures['peak_mb']:.0f} MB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=50_000, help="cases for the tally timing")
    parser.add_argument("--child", choices=("plain", "report"), help=argparse.SUPPRESS)
    parser.add_argument("--register", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.register))
        return
    register = register_for(args.rows)
    tally_table(register, min(args.sample, args.rows))
    runs_table(register, args.rows)


if __name__ == "__main__":
    main()
