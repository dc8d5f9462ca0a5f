"""Peak memory and time of `clause diff --register` beside two `clause eval` runs, by size.

    python benchmarks/bench_diff.py [--rows 100000 1000000] [--keep DIR]

For each size, a seeded register of the invented amendment library (tests/fixtures/amendments,
benchmarks/gen_register.py) is decided three ways, each in its own process: `clause diff
before after --register` (both states, one pass), and the baseline `clause eval` under
`before` and under `after`. Each process's peak resident memory is measured by a small
wrapper process (getrusage of its only child), with the wall time. Memory that stays flat as
rows grow tenfold is what "streamed" means here.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "amendments"
CLAUSE = [sys.executable, "-m", "clause.cli"]
DATE = "2042-06-30"


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `command`, run by a fresh wrapper process so that the
    children's peak belongs to this command alone."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "t = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, t, peak)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    code, seconds, peak_kb = int(out[0]), float(out[1]), int(out[2])
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited with {code}")
    return seconds, peak_kb / 1024  # Linux reports kilobytes


def generate(rows: int, into: Path) -> Path:
    path = into / f"register-{rows}.csv"
    subprocess.run(
        [
            *[sys.executable, str(ROOT / "benchmarks" / "gen_register.py"), str(path)],
            *["--rows", str(rows), "--package", str(FIXTURE / "after" / "original")],
        ],
        check=True,
        capture_output=True,
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, help="write the registers and results here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-diff-"))
    work.mkdir(parents=True, exist_ok=True)
    print("| rows | run | seconds | µs/row | peak memory (MB) |")
    print("|---:|---|---:|---:|---:|")
    try:
        for rows in args.rows:
            register = generate(rows, work)
            runs = {
                "`clause diff before after --register`": [
                    *CLAUSE,
                    "diff",
                    "before",
                    "after",
                    "--register",
                    str(register),
                    "--date",
                    DATE,
                    "--format",
                    "json",
                ],
                **{
                    f"baseline: `clause eval --library {side}`": [
                        *CLAUSE,
                        "eval",
                        str(register),
                        "--date",
                        DATE,
                        "--library",
                        side,
                        "--out",
                        str(work / f"{side}-{rows}.csv"),
                        "--quiet",
                    ]
                    for side in ("before", "after")
                },
            }
            for name, command in runs.items():
                seconds, peak = measure(command, FIXTURE)
                per_row = seconds / rows * 1e6
                print(f"| {rows:,} | {name} | {seconds:.1f} | {per_row:.0f} | {peak:.0f} |")
                sys.stdout.flush()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
