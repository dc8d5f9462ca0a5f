"""How long a large facts file takes to load, the careful way and the fast way, against PyYAML.

    python benchmarks/bench_load.py [--keys N] [--repeat R]

Writes a facts YAML of N keys under one entity (the 5 MB of issue 10 is about 300,000 short
keys) in a temporary folder, then loads it three ways in the same run, best of R: PyYAML's
`yaml.safe_load` (the baseline: no positions, no checks), clause's careful composer (pure
Python, every rule checked node by node) and clause's default, which composes with libyaml
when the text has no alias and no nesting beyond the limit. All three give the same data.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from clause.engine.load.composer import DEFAULT_LIMITS
from clause.engine.load.yamlnodes import build_data


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facts.yaml"
        lines = ["person:", *(f"  k{i:06d}: {i}" for i in range(args.keys))]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        size = path.stat().st_size
    runs = {
        "yaml.safe_load (baseline)": lambda: yaml.safe_load(text),
        "clause, careful composer": lambda: build_data(text, "f", DEFAULT_LIMITS, fast=False),
        "clause, default (libyaml)": lambda: build_data(text, "f", DEFAULT_LIMITS),
    }
    base = None
    print(f"{args.keys:,} keys, {size / 1e6:.1f} MB")
    print(f"{'load':<28} {'seconds':>8} {'µs/key':>8} {'vs baseline':>12}")
    for name, fn in runs.items():
        seconds = best_of(args.repeat, fn)
        base = base or seconds
        print(
            f"{name:<28} {seconds:>8.2f} {seconds / args.keys * 1e6:>8.1f} {seconds / base:>11.2f}x"
        )


if __name__ == "__main__":
    main()
