"""How long `clause check` takes on a policy package, against the plain YAML parse it needs.

    python benchmarks/bench_check.py [PACKAGE] [--repeat N]

Prints a table: the full check (load, schema, parse, type-check, compile, quotes, cross-file
checks) and, as the baseline, only reading the same files with PyYAML's safe loader, in the
same run. Best of N runs, wall-clock.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from clause.engine.api.check import check


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default="policies/hubei/ehrs-2021-25")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = Path(args.package)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".json"))

    def parse_only() -> None:
        for path in files:
            yaml.safe_load(path.read_text(encoding="utf-8"))

    report = check([root])
    full = best_of(args.repeat, lambda: check([root]))
    base = best_of(args.repeat, parse_only)
    rules = sum(1 for p in (root / "rules").glob("*.yaml"))
    print(f"package {root}: {len(files)} files, {rules} rule files, {report.errors} errors")
    print(f"{'what':<44}{'seconds':>10}{'ratio':>8}")
    print(f"{'clause check (everything)':<44}{full:>10.3f}{full / base:>8.1f}")
    print(f"{'baseline: yaml.safe_load of the same files':<44}{base:>10.3f}{1:>8.1f}")


if __name__ == "__main__":
    main()
