"""How long `clause analyse` and `clause whynot` take, against simple baselines in the same run.

    python benchmarks/bench_analysis.py [LIBRARY] [--repeat N] [--cases N]

Static analysis: `analyse()` on the library (best of N) and `clause analyse` as a command
(Python start-up included), against `clause check` of the same library and against random
testing — deciding seeded random cases and looking for the same gap the solver proves.
Why not: `why_not()` over every shipped example and policy test case, per case, against a
brute-force search that tries one change at a time from a pool of values (booleans, enum
values, numbers and dates near the rules' constants) and decides each.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.analysis.analyse import analyse
from clause.engine.analysis.whynot import why_not
from clause.engine.api import check, load_facts, open_library
from clause.engine.decide import Outcome, decide
from clause.engine.expr.types import BOOL, DATE, NUMBER, EnumType
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.load.loader import load_yaml
from clause.engine.testing import with_parameters

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import best_of

ROOT = Path(__file__).resolve().parents[1]


def command(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "clause.cli", *args], cwd=ROOT, capture_output=True, check=False
    )
    return time.perf_counter() - start


def leaves(library: Library) -> dict[str, Any]:
    out = {}

    def walk(field: Any, keys: tuple[str, ...]) -> None:
        for child in field.children.values():
            if child.type is None and not child.is_array:
                walk(child, (*keys, child.name))
            elif child.type is not None:
                out[".".join((*keys, child.name))] = child.type

    walk(library.env.facts, ())
    return out


def pool(t: Any, rng: random.Random) -> list[Any]:
    if t == BOOL:
        return [True, False]
    if isinstance(t, EnumType):
        return list(t.values)
    if t == NUMBER:
        return [Decimal(v) for v in (0, 1, 6, 11, 12, 13, 100, 799, 800, 801, 1000)]
    if t == DATE:
        base = date(2021, 8, 16)
        return [base + timedelta(days=rng.randrange(0, 1600)) for _ in range(8)]
    return []


def random_cases(library: Library, n: int, seed: int = 7) -> float:
    """Decide n random cases; the fraction that shows the 二.（一） gap (both transport rules
    refused for an organised person lifted out of poverty)."""
    rng = random.Random(seed)
    fields = {
        k.split(".")[1]: v
        for k, v in leaves(library).items()
        if k.startswith("person.") and k.count(".") == 1
    }
    hits = 0
    for _ in range(n):
        person: dict[str, Any] = {"grants": []}
        for name, t in fields.items():
            values = pool(t, rng)
            if values and rng.random() < 0.8:
                person[name] = rng.choice(values)
        facts = normalize_facts({"person": person}, library.env.facts)
        on = date(2021, 8, 16) + timedelta(days=rng.randrange(0, 1600))
        got = {d.rule.id: d.outcome for d in decide(library, facts, on)}
        both = ("c2-1-transport-cross-province", "c2-1-transport-in-province")
        if (
            all(got.get(r) is Outcome.INELIGIBLE for r in both)
            and person.get("poverty_alleviated")
            and person.get("organised_work")
        ):
            hits += 1
    return hits / n


def corpus(library: Library) -> list[tuple[Library, dict[str, Any], date]]:
    """The shipped examples and policy test cases (with the parameters a case sets)."""
    cases = []
    for example in sorted((ROOT / "examples" / "hubei").glob("*.yaml")):
        found = re.search(r"--date (\d{4}-\d{2}-\d{2})", example.read_text("utf-8"))
        if found:
            on = date.fromisoformat(found.group(1))
            cases.append((library, load_facts(example, library), on))
    for path in sorted((ROOT / "policies").glob("*/*/tests/*.yaml")):
        for i, case in enumerate(load_yaml(path).data):
            params = case.get("params")
            used = with_parameters(library, params, f"{path.name}#{i}") if params else library
            cases.append((used, normalize_facts(case["facts"], library.env.facts), case["date"]))
    return cases


def brute_force(library: Library, facts: dict[str, Any], on: date, rng: random.Random) -> int:
    """Benefits not eligible for which one change from the pool makes them eligible."""
    before = decide(library, facts, on)
    wanted = [
        d.rule.id
        for d in before
        if d.rule.kind == "benefit"
        and d.outcome in (Outcome.INELIGIBLE, Outcome.UNDETERMINED, Outcome.EXCEPTION_NEEDED)
    ]
    types = leaves(library)
    found = set()
    for path, t in types.items():
        entity, *rest = path.split(".")
        if len(rest) != 1 or not isinstance(facts.get(entity), dict):
            continue
        for value in pool(t, rng):
            changed = {k: dict(v) if isinstance(v, dict) else v for k, v in facts.items()}
            changed[entity][rest[0]] = value
            for d in decide(library, changed, on):
                if d.rule.id in wanted and d.outcome is Outcome.ELIGIBLE:
                    found.add(d.rule.id)
    return len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", nargs="?", default="policies")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", type=int, default=20_000, help="random cases for the baseline")
    args = parser.parse_args()
    library = open_library(ROOT / args.library)
    findings = analyse(library)
    solver = best_of(args.repeat, lambda: analyse(library))
    started = time.process_time()
    analyse(library)
    cpu_used = time.process_time() - started
    cli = min(command("analyse", args.library) for _ in range(args.repeat))
    checked = best_of(args.repeat, lambda: check([ROOT / args.library]))
    start = time.perf_counter()
    rate = random_cases(library, args.cases)
    sampled = time.perf_counter() - start
    print(
        f"static analysis of {args.library}: {len(library.rules_by_id)} rules, "
        f"{sum(not f.is_note for f in findings)} finding(s)"
    )
    print(f"{'what':<58}{'seconds':>9}")
    print(f"{'analyse() (solver; proves absence, finds the 二.（一） gap)':<58}{solver:>9.2f}")
    print(f"{'analyse() CPU seconds, last run':<58}{cpu_used:>9.2f}")
    print(f"{'clause analyse ' + args.library + ' (command, with start-up)':<58}{cli:>9.2f}")
    print(f"{'baseline: clause check of the same library':<58}{checked:>9.2f}")
    label = f"baseline: {args.cases:,} random cases decided ({rate:.1%} show the gap)"
    print(f"{label:<58}{sampled:>9.2f}")
    print()
    cases = corpus(library)
    times, cpu, answers, proposals = [], [], 0, 0
    for used, facts, on in cases:
        start, started = time.perf_counter(), time.process_time()
        found = why_not(used, facts, on)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started)
        answers += len(found)
        proposals += sum(1 for a in found if a.proposals)
    rng = random.Random(11)
    brute_times, brute_cpu, brute_found = [], [], 0
    for used, facts, on in cases:
        start, started = time.perf_counter(), time.process_time()
        brute_found += brute_force(used, facts, on, rng)
        brute_times.append(time.perf_counter() - start)
        brute_cpu.append(time.process_time() - started)
    print(f"why not over {len(cases)} cases ({answers} benefits not eligible)")
    print(f"{'per case':<44}{'mean s':>9}{'median s':>10}{'max s':>8}{'CPU mean s':>12}"
          f"{'answered':>10}")  # fmt: skip
    for label, wall, used, count in (
        ("why_not() (every minimal set, verified)", times, cpu, proposals),
        ("baseline: one change from a pool, decided", brute_times, brute_cpu, brute_found),
    ):
        print(f"{label:<44}{statistics.mean(wall):>9.3f}{statistics.median(wall):>10.3f}"
              f"{max(wall):>8.2f}{statistics.mean(used):>12.3f}{count:>10}")  # fmt: skip


if __name__ == "__main__":
    main()
