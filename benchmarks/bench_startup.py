"""How long the command line takes to start, against the interpreter starting with nothing.

    python benchmarks/bench_startup.py [--runs N]

Runs each command N times as a fresh process (as a user or CI would) and prints a table of the
best and the median wall-clock time: `python -c pass` (the floor), `python -c "import typer"`
(the CLI framework alone), `clause --help`, `clause expr '1+1'`, and `clause check --help`. All in
the same run, interleaved, so the machine's load moves them alike; compare the columns, not the
absolute numbers, on a shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    'python -c "import typer"': [sys.executable, "-c", "import typer"],
    "clause --help": ["clause", "--help"],
    "clause expr '1+1'": ["clause", "expr", "1+1"],
    "clause check --help": ["clause", "check", "--help"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    clause = shutil.which("clause")
    if clause is None:
        sys.exit("clause is not on PATH: pip install -e . first")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            argv = [clause, *command[1:]] if command[0] == "clause" else command
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    floor = min(times["python -c pass"])
    print(f"{'command':<28} {'best s':>8} {'median s':>9} {'best - python s':>16}")
    for name, runs in times.items():
        best, median = min(runs), statistics.median(runs)
        print(f"{name:<28} {best:>8.3f} {median:>9.3f} {best - floor:>16.3f}")


if __name__ == "__main__":
    main()
