"""Microseconds per case to decide every rule of 鄂人社发〔2021〕25号, three ways in one run.

    python benchmarks/bench_decide.py [--cases N] [--repeat R] [--seed S] [--profile]

Over the same seeded list of varied cases (a migrant worker, a hire, an agency placement, a
start-up, a trainee, a work-relief project, a resettlement site, a public-welfare job, a
household with everything; some facts missing; decision and fact dates spread over
2021-06 .. 2026-03 so that every outcome of every rule occurs), it times:

  (a) clause.engine.decide.decide(library, facts, on)                    the null sink: compiled
  (b) clause.engine.decide.decide(library, facts, on, sink=TraceSink())  the reference
      interpreter, every check traced (what `clause explain` and `clause test` run)
  (c) benchmarks/handwritten_hubei.py: decide(facts, on)      the same 18 rules by hand

Facts are normalised once per case (engine.facts.normalize_facts) before any timing, and all
three read the same normalised dicts. Before timing, (c) is checked against (a) on
(rule, outcome, amount) for every decision: they must agree on all of them. Each figure is the
best of R runs over all cases (time.perf_counter), per case. `--profile` adds a cProfile of
(a) over the same cases.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import handwritten_hubei as handwritten  # noqa: E402

from clause.engine.decide import Decision, TraceSink, decide  # noqa: E402
from clause.engine.facts import normalize_facts  # noqa: E402
from clause.engine.library import Library  # noqa: E402
from clause.engine.load.library import load_library  # noqa: E402
from clause.engine.model import Package  # noqa: E402

PACKAGE = ROOT / "policies" / "hubei" / "ehrs-2021-25"
FIRST_DAY, LAST_DAY = date(2021, 6, 1), date(2026, 3, 31)
MISSING = 0.08  # chance that any one optional fact is left out
PROGRAMS = (
    "c2-1-transport-cross-province",
    "c2-1-transport-in-province",
    "一次性创业补贴",
    "以工代训",
    "c2-3-employer-hiring-award",
    "技能提升补贴",
)
COUNTIES = ("郧西县", "竹山县", "房县", "红安县", "麻城市", "恩施市")

Case = tuple[dict[str, Any], date]
Raw = dict[str, Any]


# -- cases --------------------------------------------------------------------------------


class Cases:
    """Seeded raw facts (as JSON would give them: ISO date strings, ints and floats)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, weighted: Mapping[Any, float]) -> Any:
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def day_between(self, a: date, b: date) -> date:
        return a + timedelta(days=self.rng.randrange((b - a).days + 1))

    def before(self, on: date, days: int) -> str:
        """A fact date up to `days` before the decision date."""
        return (on - timedelta(days=self.rng.randrange(days))).isoformat()

    def in_2021(self, on: date) -> str:
        """A start date for the measures that ran only to 2021-12-31: mostly around then."""
        if self.chance(0.6):
            return self.day_between(date(2021, 5, 1), min(on, date(2022, 3, 31))).isoformat()
        return self.before(on, 400)

    def fill(self, out: Raw, **facts: Any) -> Raw:
        """Set each fact, leaving some out (missing); `None` values are never set."""
        for key, value in facts.items():
            if value is not None and not self.chance(MISSING):
                out[key] = value
        return out

    def grants(self, common: tuple[str, ...] = ()) -> list[Raw] | None:
        """A grant history: sometimes absent (unknown), mostly empty, sometimes a grant or two."""
        if self.chance(0.12):
            return None
        records = []
        if self.chance(0.3):
            for _ in range(self.rng.randint(1, 2)):
                program = self.rng.choice(common or PROGRAMS) if self.chance(0.7) else None
                records.append(
                    {
                        "program": program or self.rng.choice(PROGRAMS),
                        "date": self.day_between(date(2019, 1, 1), date(2021, 12, 31)).isoformat(),
                        "amount": self.rng.choice([300, 500, 2000, 1200.5]),
                    }
                )
        return records

    # entities

    def worker(self, on: date, person: Raw) -> Raw:
        return self.fill(
            person,
            poverty_alleviated=self.chance(0.85),
            organised_work=self.chance(0.8),
            **self.work_place(person),
            departure_date=self.before(on, 500),
            transport_cost=self.rng.choice([120, 260, 299.99, 300, 356.5, 480, 500, 620, 875.25]),
            grants=self.grants(PROGRAMS[:2]),
        )

    def work_place(self, person: Raw) -> Raw:
        """Where the person works, against the home county (cross-province, in the province
        outside the county, or in the county)."""
        scope = self.pick({"跨省": 0.45, "省内县外": 0.4, "县内": 0.15})
        home = person.get("home_county", "竹山县")
        if scope == "跨省":
            return {"work_province": "广东省", "work_county": "南山区"}
        return {"work_province": "湖北省", "work_county": "洪山区" if scope == "省内县外" else home}

    def home(self) -> Raw:
        """Where the person is registered: mostly a county of 十堰市, sometimes unknown or in
        another province (the notice then does not govern them)."""
        if self.chance(0.03):
            return {"home_province": "河南省"}
        raw = {"home_province": "湖北省", "home_city": "十堰市", "home_county": "竹山县"}
        return {k: v for k, v in raw.items() if not self.chance(MISSING)}

    def hired(self, on: date, person: Raw, training: bool) -> Raw:
        self.fill(
            person,
            poverty_alleviated=self.chance(0.85),
            hire_date=self.before(on, 700),
            labour_contract=self.chance(0.85),
            contract_open_ended=self.chance(0.15),
            contract_months=self.rng.choice([6, 11, 12, 24, 36]),
            employment_months=self.rng.randint(0, 30),
            social_insurance=self.chance(0.85),
            grants=self.grants(("以工代训", "c2-3-employer-hiring-award")),
        )
        if training:
            start = self.in_2021(on)
            end = date.fromisoformat(start) + timedelta(days=self.rng.randint(5, 300))
            person["on_the_job_training"] = self.fill(
                {}, held=self.chance(0.9), start_date=start, end_date=end.isoformat()
            )
            if person["on_the_job_training"].get("held") is False:
                person["on_the_job_training"] = {"held": False}
        return person

    def employer(self) -> Raw:
        kinds = {"企业": 0.6, "农民专业合作社": 0.08, "家庭农场": 0.06, "个体工商户": 0.08}
        kinds |= {"社会组织": 0.06, "机关事业单位": 0.06, "其他": 0.06}
        return self.fill(
            {"name": "示例用人单位"},
            kind=self.pick(kinds),
            assistance_workshop=self.chance(0.15),
        )

    def trainee(self, on: date, person: Raw) -> Raw:
        self.fill(
            person,
            poverty_alleviated=self.chance(0.6),
            poverty_alleviated_family_child=self.chance(0.5),
        )
        person["skills_training"] = self.fill(
            {},
            start_date=self.in_2021(on),
            subsidy_eligible=self.chance(0.85),
            standard_subsidy=self.rng.choice([600, 800, 1000, 1500, 1234.5, 333.33, 0.05]),
        )
        return person

    def entrepreneur(self, on: date, person: Raw) -> tuple[Raw, Raw | None]:
        self.fill(
            person,
            poverty_alleviated=self.chance(0.85),
            returning_entrepreneur=self.chance(0.5),
            grants=self.grants(("一次性创业补贴",)),
        )
        if self.chance(0.08):
            return person, None
        business = self.fill(
            {"name": "示例经营主体"},
            kind=self.pick({"小微企业": 0.45, "个体经营": 0.45, "其他": 0.1}),
            licence_date=self.before(on, 900),
            operating_normally=self.chance(0.9),
        )
        return person, business

    def case(self) -> Case:
        on = self.day_between(FIRST_DAY, LAST_DAY)
        kind = self.pick(
            {
                "migrant": 0.2,
                "hire": 0.15,
                "placement": 0.1,
                "entrepreneur": 0.15,
                "trainee": 0.1,
                "project": 0.08,
                "site": 0.08,
                "job": 0.1,
                "household": 0.04,
                "region": 0.04,
                "loan": 0.04,
            }
        )
        facts: Raw = {}
        if kind == "migrant":
            facts["person"] = self.worker(on, self.home())
            if self.chance(0.7):
                quota = self.rng.choice([0, 150, 400, 499.5, 2000, 100000])
                facts["county"] = self.fill({"name": self.rng.choice(COUNTIES)}, quota=None)
                if not self.chance(MISSING):
                    facts["county"]["cross_province_quota_remaining"] = quota
        elif kind == "hire":
            facts["employer"] = self.employer()
            facts["person"] = self.hired(on, self.home(), training=self.chance(0.5))
        elif kind == "placement":
            agency = {"人力资源服务机构": 0.45, "劳务经纪人": 0.4, "其他": 0.15}
            facts["agency"] = self.fill(
                {"name": "示例人力资源公司"},
                kind=self.pick(agency),
                organised_placement=self.chance(0.9),
                grants=self.grants(),
            )
            facts["person"] = self.hired(on, self.home(), training=self.chance(0.2))
            facts["employer"] = self.employer()
        elif kind == "entrepreneur":
            person, business = self.entrepreneur(on, self.home())
            facts["person"] = person
            if business is not None:
                facts["business"] = business
        elif kind == "trainee":
            facts["person"] = self.trainee(on, self.home())
        elif kind == "project":
            funds = self.rng.randint(100, 50000) * 100
            share = self.rng.choice([0.05, 0.1, 0.1499, 0.15, 0.2, 0.3])
            facts["project"] = self.fill(
                {"name": "示例以工代赈项目"},
                rural_infrastructure=self.chance(0.85),
                work_relief=self.chance(0.85),
                approval_date=self.before(on, 700),
                funds=funds,
                labour_remuneration=round(funds * share, 2),
                government_invested=self.chance(0.7),
                public_service=self.chance(0.2),
                resettlement_area=self.chance(0.4),
                posts_total=self.rng.choice([10, 40, 100]),
                relocated_posts=self.rng.choice([0, 1, 4, 10]),
            )
        elif kind == "site":
            facts["resettlement_site"] = self.fill(
                {"name": "示例安置点"},
                population=self.rng.choice([120, 650, 799, 800, 1500, 3200]),
                service_station=self.chance(0.6),
                service_window=self.chance(0.4),
                full_time_staff=self.rng.choice([0, 1, 2, 5]),
            )
        elif kind == "job":
            facts["public_welfare_job"] = self.fill(
                {"name": "护林员"},
                locality=self.rng.choice(COUNTIES),
                rural=self.chance(0.85),
                in_post=self.chance(0.85),
                monthly_subsidy=self.rng.choice([300, 500, 800, 1000]),
                accident_insurance=self.chance(0.85),
                agreement_signed=self.chance(0.9),
                agreement_start_date=self.before(on, 500),
                agreement_months=self.rng.choice([6, 12, 12, 13, 24]),
            )
            if facts["public_welfare_job"].get("agreement_signed") is False:
                facts["public_welfare_job"].pop("agreement_start_date", None)
        elif kind == "region":
            lists = ("employed_list", "unemployed_list", "planned_migrant_list", "lists_updated")
            facts["region"] = self.fill(
                {"name": self.rng.choice(COUNTIES)},
                labour_sending=self.chance(0.7),
                labour_receiving=self.chance(0.4),
                demand_list=self.chance(0.8),
                supply_list=self.chance(0.8),
                **{key: self.chance(0.9) for key in lists},
            )
        elif kind == "loan":
            facts["loan_application"] = self.fill(
                {"applicant": "示例就业帮扶车间"},
                applicant_workshop=self.chance(0.7),
                application_date=self.before(on, 500),
                meets_conditions=self.chance(0.7),
                priority_given=self.chance(0.8),
            )
        else:  # a household register row: one person with every kind of fact
            person = self.worker(on, self.home())
            self.trainee(on, person)
            person, business = self.entrepreneur(on, person)
            facts["person"] = person
            if business is not None:
                facts["business"] = business
            facts["county"] = {"cross_province_quota_remaining": 300}
        return facts, on


def make_cases(package: Library, n: int, seed: int) -> list[Case]:
    gen = Cases(seed)
    out = []
    for _ in range(n):
        raw, on = gen.case()
        out.append((normalize_facts(raw, package.env.facts), on))
    return out


# -- agreement ----------------------------------------------------------------------------


def engine_rows(decisions: list[Decision]) -> dict[str, tuple[Any, ...]]:
    return {
        d.rule.id: (
            d.outcome,
            d.amount.amount if d.amount else None,
            tuple((s.fund, s.amount) for s in d.funding),
            d.missing,
        )
        for d in decisions
    }


def hand_rows(decided: list[handwritten.Decided]) -> dict[str, tuple[Any, ...]]:
    return {d.rule: (d.outcome, d.amount, d.funding, d.missing) for d in decided}


class Agreement:
    """How (c) compares with (a), decision by decision, and (b) with (a), case by case."""

    def __init__(self) -> None:
        self.total = self.core = self.full = self.traced_differ = 0
        self.outcomes: Counter[tuple[str, str]] = Counter()
        self.differences: Counter[tuple[str, str]] = Counter()  # (rule, what differs)
        self.examples: dict[tuple[str, str], str] = {}

    def add(self, i: int, case: Case, fast: Rows, traced: Rows, hand: Rows) -> None:
        self.traced_differ += traced != fast
        for rule in sorted(set(fast) | set(hand)):
            self.total += 1
            a, c = fast.get(rule), hand.get(rule)
            if a is not None:
                self.outcomes[rule, a[0]] += 1
            if a is not None and c is not None and a[:2] == c[:2]:
                self.core += 1
                if a == c:
                    self.full += 1
                    continue
            if a is None or c is None:
                what = "decided by one only"
            else:
                what = ", ".join(f for f, x, y in zip(FIELDS, a, c, strict=True) if x != y)
            key = (rule, what)
            self.differences[key] += 1
            if key not in self.examples:
                facts, on = case
                self.examples[key] = f"case {i}, on {on}: {facts}\n    (a) {a}\n    (c) {c}"


FIELDS = ("outcome", "amount", "funding", "missing")
Rows = dict[str, tuple[Any, ...]]


def compare(library: Library, cases: list[Case]) -> Agreement:
    agreement = Agreement()
    for i, (facts, on) in enumerate(cases):
        agreement.add(
            i,
            (facts, on),
            engine_rows(decide(library, facts, on)),
            engine_rows(decide(library, facts, on, sink=TraceSink())),
            hand_rows(handwritten.decide(facts, on)),
        )
    return agreement


def print_agreement(agreement: Agreement, cases: int) -> None:
    total, core, full = agreement.total, agreement.core, agreement.full
    print(f"(c) hand-written agrees with (a) on (rule, outcome, amount): {core}/{total}", end="")
    print(f" ({100 * core / total:.2f}%); also on funding and missing facts: {full}/{total}")
    same = cases - agreement.traced_differ
    print(f"(b) traced agrees with (a) on every decision of a case: {same}/{cases} cases")
    for (rule, what), count in sorted(agreement.differences.items()):
        print(f"  differs on {what}: {rule}, {count} decisions; first:")
        print("    " + agreement.examples[rule, what])


# -- timing -------------------------------------------------------------------------------


def best_of(repeat: int, runs: dict[str, Callable[[], None]]) -> dict[str, float]:
    """Best wall-clock time of each run; the runs take turns so drift hits them alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10000, help="cases (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs, best kept (default 5)")
    parser.add_argument("--seed", type=int, default=2021, help="case generator seed")
    parser.add_argument("--profile", action="store_true", help="also cProfile (a)")
    args = parser.parse_args()
    if args.cases < 1 or args.repeat < 1:
        parser.error("--cases and --repeat must be at least 1")

    load = load_library([PACKAGE], [PACKAGE])  # the package under the library's vocabulary
    if load.library is None or load.has_errors:
        sys.exit(f"{PACKAGE}: the package does not load cleanly; run `clause check` first")
    library = load.library
    package = library.packages[0]
    cases = make_cases(library, args.cases, args.seed)

    agreement = compare(library, cases)
    total = agreement.total
    print(f"{package.document.number}: {len(package.rules)} rules; {len(cases)} cases ", end="")
    print(f"(seed {args.seed}), {total} decisions: {total / len(cases):.2f} rules decided per case")
    print_agreement(agreement, len(cases))
    print_outcomes(package, agreement.outcomes)

    hand = handwritten.decide

    def run_fast() -> None:
        for facts, on in cases:
            decide(library, facts, on)

    def run_traced() -> None:
        for facts, on in cases:
            decide(library, facts, on, sink=TraceSink())

    def run_hand() -> None:
        for facts, on in cases:
            hand(facts, on)

    best = best_of(
        args.repeat,
        {
            "(a) decide, null sink (compiled)": run_fast,
            "(b) decide, trace sink (interpreted)": run_traced,
            "(c) hand-written Python": run_hand,
        },
    )
    base = best["(c) hand-written Python"]
    print(f"\nbest of {args.repeat}, {len(cases)} cases, Python {sys.version.split()[0]}")
    print(f"{'method':<40}{'µs/case':>10}{'cases/s':>11}{'× hand':>9}")
    for name, seconds in best.items():
        per_case = seconds / len(cases)
        print(f"{name:<40}{per_case * 1e6:>10.1f}{1 / per_case:>11,.0f}{seconds / base:>9.1f}")
    if agreement.core != total:
        sys.exit(1)
    if args.profile:
        profile(run_fast)


def print_outcomes(package: Package, outcomes: Counter[tuple[str, str]]) -> None:
    """Outcome counts per rule, so a case mix that misses an outcome shows."""
    kinds = ("eligible|compliant", "ineligible|violation", "not_applicable", "undetermined")
    print(f"\n{'rule':<40}" + "".join(f"{k:>22}" for k in kinds))
    for rule in sorted(package.rules, key=lambda r: r.id):
        names = (
            ("compliant", "violation", "not_applicable", "undetermined")
            if rule.kind == "obligation"
            else ("eligible", "ineligible", "not_applicable", "undetermined")
        )
        print(f"{rule.id:<40}" + "".join(f"{outcomes[rule.id, n]:>22}" for n in names))


def profile(run: Callable[[], None]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(18)
    print("\ncProfile of (a), by own time:")
    print(out.getvalue())


if __name__ == "__main__":
    main()
