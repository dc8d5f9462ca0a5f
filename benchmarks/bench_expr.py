"""Evaluations per second of one realistic rule condition, through three implementations.

The condition is the shape of Hubei's one-off start-up subsidy for people who came home to start
a business (鄂人社发〔2021〕25号): six conditions joined by `and`, one of them an `or`, with a
statutory date function, an enum membership and a number comparison. It runs through

  compiled     engine.expr.compile.compile_expr (the fast path `clause eval` uses)
  interpreter  engine.expr.interpret.interpret (the reference evaluator that records a trace)
  hand-written a plain Python function computing the same thing: Decimal numbers, dates, the
               same Kleene logic for missing facts and the same unknown paths

over a fixed, seeded register of varied cases (some facts missing). All three must agree on
every case before anything is timed. Usage:

    python benchmarks/bench_expr.py [--n 20000] [--repeat 7] [--seed 2021] [--show-source]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from clause.engine.expr import check_expr, compile_expr, interpret, parse_expr
from clause.engine.expr.types import BOOL, TypeEnv
from clause.engine.expr.values import Unknown
from clause.engine.facts import normalize_facts
from clause.engine.periods import months_between

KINDS = ["个体工商户", "小微企业", "农民专业合作社", "其他"]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "person": {
            "type": "object",
            "x-alias": "人员",
            "properties": {
                "poverty_alleviated": {"type": "boolean", "x-alias": "脱贫人口"},
                "monitored_household": {"type": "boolean", "x-alias": "监测对象"},
                "returned_home": {"type": "boolean", "x-alias": "返乡"},
            },
        },
        "business": {
            "type": "object",
            "x-alias": "经营主体",
            "properties": {
                "kind": {"type": "string", "enum": KINDS, "x-alias": "主体类型"},
                "licence_date": {"type": "string", "format": "date", "x-alias": "登记日期"},
                "operating": {"type": "boolean", "x-alias": "正常经营"},
                "employees": {"type": "integer", "x-alias": "带动就业人数"},
            },
        },
    },
}

CONDITION = """
    (person.poverty_alleviated or person.monitored_household)
    and person.returned_home
    and business.operating
    and months_between(business.licence_date, decision_date) >= 6
    and business.kind in ["个体工商户", "小微企业", "农民专业合作社"]
    and business.employees >= 3
"""
ELIGIBLE_KINDS = ("个体工商户", "小微企业", "农民专业合作社")
SIX, THREE = Decimal(6), Decimal(3)

Evaluate = Callable[[Mapping[str, Any], Mapping[str, Any], "date | None"], Any]


def hand_written(facts: Mapping[str, Any], params: Mapping[str, Any], today: date | None) -> Any:
    """The condition by hand: stop at the first false condition, else collect unknown paths."""
    person = facts.get("person") or {}
    business = facts.get("business") or {}
    unknown: list[str] = []
    alleviated = person.get("poverty_alleviated")
    if alleviated is not True:
        monitored = person.get("monitored_household")
        if monitored is not True:
            if alleviated is False and monitored is False:
                return False
            if alleviated is None:
                unknown.append("person.poverty_alleviated")
            if monitored is None:
                unknown.append("person.monitored_household")
    returned = person.get("returned_home")
    if returned is False:
        return False
    if returned is None:
        unknown.append("person.returned_home")
    operating = business.get("operating")
    if operating is False:
        return False
    if operating is None:
        unknown.append("business.operating")
    licensed = business.get("licence_date")
    if licensed is None or today is None:
        if licensed is None:
            unknown.append("business.licence_date")
        if today is None:
            unknown.append("decision_date")
    elif Decimal(months_between(licensed, today)) < SIX:
        return False
    kind = business.get("kind")
    if kind is None:
        unknown.append("business.kind")
    elif kind not in ELIGIBLE_KINDS:
        return False
    employees = business.get("employees")
    if employees is None:
        unknown.append("business.employees")
    elif employees < THREE:
        return False
    return Unknown(frozenset(unknown)) if unknown else True


def register(n: int, seed: int) -> list[Any]:
    """`n` cases, mostly plausible applicants, each fact missing now and then."""
    rng = random.Random(seed)

    def maybe(value: Any, missing: float = 0.06) -> Any:
        return None if rng.random() < missing else value

    cases = []
    for _ in range(n):
        person = {
            "poverty_alleviated": maybe(rng.random() < 0.7),
            "monitored_household": maybe(rng.random() < 0.2),
            "returned_home": maybe(rng.random() < 0.9),
        }
        business = {
            "kind": maybe(rng.choice(KINDS[:3]) if rng.random() < 0.9 else KINDS[3]),
            "licence_date": maybe(
                (date(2020, 1, 1) + timedelta(days=rng.randrange(0, 900))).isoformat()
            ),
            "operating": maybe(rng.random() < 0.9),
            "employees": maybe(rng.choice([0, 1, 2, 3, 3, 4, 5, 8, 12, 30])),
        }
        raw: dict[str, Any] = {"person": person, "business": business}
        if rng.random() < 0.02:
            del raw["business"]
        cases.append(raw)
    return cases


def best_rate(run: Callable[[], None], n: int, repeat: int) -> float:
    """Evaluations per second, the best of `repeat` timed passes over the register."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="cases in the register")
    parser.add_argument("--repeat", type=int, default=7, help="timed passes; the best counts")
    parser.add_argument("--seed", type=int, default=2021, help="seed of the register")
    parser.add_argument("--date", default="2022-03-15", help="decision date (YYYY-MM-DD)")
    parser.add_argument("--show-source", action="store_true", help="print the compiled source")
    args = parser.parse_args(argv)

    env = TypeEnv.from_schema(SCHEMA)
    typed = check_expr(parse_expr(CONDITION), env, expect=BOOL)
    compiled = compile_expr(typed)
    today = date.fromisoformat(args.date)
    params: dict[str, Any] = {}
    cases = [normalize_facts(raw, env.facts) for raw in register(args.n, args.seed)]
    if args.show_source:
        print(compiled.__clause_source__, end="\n\n")

    backends: dict[str, Evaluate] = {
        "compiled": compiled,
        "interpreter": lambda facts, params, today: interpret(typed, facts, params, today).value,
        "hand-written": hand_written,
    }
    outcomes: dict[str, int] = {}
    for facts in cases:
        results = {name: fn(facts, params, today) for name, fn in backends.items()}
        if len({repr(r) for r in results.values()}) != 1:
            print(f"backends disagree on {facts!r}: {results!r}", file=sys.stderr)
            return 1
        kind = "unknown" if type(results["compiled"]) is Unknown else str(results["compiled"])
        outcomes[kind] = outcomes.get(kind, 0) + 1

    rates = {}
    for name, fn in backends.items():

        def run(fn: Evaluate = fn) -> None:
            for facts in cases:
                fn(facts, params, today)

        rates[name] = best_rate(run, len(cases), args.repeat)

    shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    print(f"condition: {' '.join(CONDITION.split())}")
    print(f"register: {len(cases):,} cases (seed {args.seed}; {shown}); best of {args.repeat}")
    print(f"python {platform.python_version()} on {platform.machine()}; all three agree\n")
    print(f"| {'backend':<12} | {'evals/s':>11} | {'µs/eval':>8} | {'vs hand-written':>15} |")
    print(f"|{'-' * 14}|{'-' * 12}:|{'-' * 9}:|{'-' * 16}:|")
    for name, rate in rates.items():
        ratio = rates["hand-written"] / rate
        print(f"| {name:<12} | {rate:>11,.0f} | {1e6 / rate:>8.2f} | {ratio:>14.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
