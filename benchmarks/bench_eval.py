"""Rows per second of `clause eval` on a seeded register, against the same rules by hand.

    python benchmarks/bench_eval.py [--rows N] [--workers 1,2] [--keep]
        [--backends record,columnar]

Generates (or reuses) a Hubei register of N rows with benchmarks/gen_register.py (CSV; 3% of
cells empty, 1% of rows broken), then runs, each in its own process so peak memory is its own:

  - `clause eval` (engine.batch.evaluate_batch) with each backend (`record`: the decision
    core case by case; `columnar`: the compiled plan over Arrow batches, which decides in one
    process with Polars' threads, so it runs with one worker only) and number of workers,
    writing every decision to a CSV result file and the rejects beside it;
  - the hand-written baseline below: the 18 rules of 鄂人社发〔2021〕25号 in plain Python,
    reading the same file with the csv module, checking each cell against the facts schema's
    declared type, and writing one CSV row per case and rule;
  - a control: a pure-Python loop in one and in two processes, to show how far this machine
    lets two processes run in parallel at all.

Prints one table (seconds, rows/s, µs per row, ratio to hand-written, speed-up over one
worker, peak resident memory) and whether engine and baseline agree on every count and total.
Default 50,000 rows for a quick run; the README figures use --rows 1000000.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "policies" / "hubei" / "ehrs-2021-25"
OUT = ROOT / "benchmarks" / "out"
ON = date(2022, 12, 31)
SEED = 2021


# == the baseline: Hubei's rules by hand, no engine ============================================

IN_FORCE = (date(2021, 8, 16), date(2025, 12, 31))
BRIDGING, EMPLOYMENT = "bridging_fund_cross_province", "employment_subsidy_fund"
END_2021 = date(2021, 12, 31)
CENT = Decimal("0.01")
NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BOOLS = {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}


class Bad(ValueError):
    pass


# -- cells -----------------------------------------------------------------------------------


def column_types(schema_path: Path) -> dict[str, dict[str, Any]]:
    """{dotted column: its JSON Schema node} from the facts schema."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    shared = ROOT / "policies" / "facts.schema.json"  # the library's vocabulary (home places)
    if shared.is_file():
        common = json.loads(shared.read_text(encoding="utf-8"))
        for entity, spec in common["properties"].items():
            own = schema["properties"].setdefault(entity, spec)
            own["properties"] = {**spec["properties"], **own.get("properties", {})}
    places = _places_by_level()
    defs = schema.get("$defs", {})
    out: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any], path: str) -> None:
        if "$ref" in node:
            node = {**defs[node["$ref"].split("/")[-1]], **node}
        if node.get("type") == "object":
            for key, sub in node["properties"].items():
                walk(sub, f"{path}.{key}" if path else key)
        elif "x-place" in node:  # a place of the library, at the field's level
            out[path] = {**node, "enum": places.get(node["x-place"], [])}
        else:
            out[path] = node

    walk(schema, "")
    return out


def _places_by_level() -> dict[str, list[str]]:
    """The library's places (library.yaml), by level: a place fact names one of them."""
    import yaml

    library = yaml.safe_load((ROOT / "policies" / "library.yaml").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for place in library.get("places", []):
        out.setdefault(place["level"], []).append(place["name"])
    return out


def converter(node: dict[str, Any]) -> Any:
    kind = node.get("type")
    if kind == "array":
        return convert_grants
    if kind == "boolean":
        return convert_bool
    if kind in ("integer", "number"):
        minimum = node.get("minimum")
        return lambda text: convert_number(text, kind == "integer", minimum)
    if node.get("format") == "date":
        return convert_date
    if "enum" in node:
        allowed = set(node["enum"])
        return lambda text: text if text in allowed else _bad(text)
    return lambda text: text


def _bad(text: str) -> Any:
    raise Bad(text)


def convert_bool(text: str) -> bool:
    value = BOOLS.get(text.lower())
    if value is None:
        raise Bad(text)
    return value


def convert_number(text: str, integer: bool, minimum: Any) -> Decimal:
    if not NUMBER.fullmatch(text):
        raise Bad(text)
    value = Decimal(text)
    if integer and value != value.to_integral_value():
        raise Bad(text)
    if minimum is not None and value < Decimal(str(minimum)):
        raise Bad(text)
    return value


def convert_date(text: str) -> date:
    if not DATE.fullmatch(text):
        raise Bad(text)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Bad(text) from None


def convert_grants(text: str) -> list[dict[str, Any]]:
    try:
        grants = json.loads(text)
    except ValueError:
        raise Bad(text) from None
    if not isinstance(grants, list):
        raise Bad(text)
    for grant in grants:
        if not isinstance(grant, dict) or not isinstance(grant.get("program", ""), str):
            raise Bad(text)
        if "date" in grant:
            grant["date"] = convert_date(grant["date"])
    return grants


# -- three-valued logic (None: unknown) ------------------------------------------------------


def and3(*values: bool | None) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def or3(*values: bool | None) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def cmp(a: Any, op: str, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    return {">=": a >= b, "<=": a <= b, "==": a == b}[op]


def among(value: Any, options: tuple[str, ...]) -> bool | None:
    return None if value is None else value in options


def add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(start.day, calendar.monthrange(year, month0 + 1)[1]))


def months_between(start: date, end: date) -> int:
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if add_months(start, months) > end else months


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def window(effective: date | None, end: date = IN_FORCE[1]) -> str | None:
    """None when a version applies on `effective`; else the outcome that says why not."""
    if effective is None:
        return "undetermined"
    if not IN_FORCE[0] <= effective <= IN_FORCE[1] or effective > end:
        return "not_applicable"
    return None


def benefit(
    conditions: list[Any], unless: list[Any] | None = None, grants: Any = None, program: str = ""
) -> str:
    """Conditions, exceptions and, for a one-off benefit, the grant history (None: unknown)."""
    unless = unless or []
    if any(c is False for c in conditions) or any(u is True for u in unless):
        return "ineligible"
    unknown = any(c is None for c in conditions) or any(u is None for u in unless)
    if program:
        if grants is None:
            unknown = True
        elif any(g.get("program") == program for g in grants):
            return "ineligible"
    return "undetermined" if unknown else "eligible"


def obligation(applies: list[Any], requires: list[Any]) -> str:
    if any(a is False for a in applies):
        return "not_applicable"
    if all(a is not None for a in applies) and any(r is False for r in requires):
        return "violation"
    return "undetermined" if any(v is None for v in applies + requires) else "compliant"


# -- the rules of 鄂人社发〔2021〕25号 ------------------------------------------------------------


def hand_decide(case: Mapping[str, Any], on: date) -> list[tuple[str, str, Any, Any]]:
    """[(rule, outcome, amount, funding)] for the entities present, sorted by rule id."""
    p = case.get("person", {})
    e = case.get("employer", {})
    a = case.get("agency", {})
    b = case.get("business", {})
    out: list[tuple[str, str, Any, Any]] = []
    contract = and3(
        p.get("labour_contract"),
        or3(p.get("contract_open_ended"), cmp(p.get("contract_months"), ">=", 12)),
    )
    if "agency" in case:
        outcome = window(p.get("hire_date")) or benefit(
            [
                among(a.get("kind"), ("人力资源服务机构", "劳务经纪人")),
                a.get("organised_placement"),
                p.get("poverty_alleviated"),
                cmp(e.get("kind"), "==", "企业"),
                contract,
                p.get("social_insurance"),
            ]
        )
        out.append(("c2-1-agency-service-subsidy", outcome, None, ()))
    if "person" in case:
        out += outside(p, transport(p, case.get("county", {})))
        out += outside(p, [training_raise(p)])
    if "resettlement_site" in case:
        s = case["resettlement_site"]
        outcome = window(on) or obligation(
            [cmp(s.get("population"), ">=", 800)],
            [
                or3(s.get("service_station"), s.get("service_window")),
                cmp(s.get("full_time_staff"), ">=", 1),
            ],
        )
        out.append(("c2-12-resettlement-service-station", outcome, None, ()))
    if "employer" in case:
        hired = p.get("hire_date")
        outcome = window(None if hired is None else add_months(hired, 12)) or benefit(
            [
                cmp(e.get("kind"), "==", "企业"),
                p.get("poverty_alleviated"),
                contract,
                cmp(p.get("employment_months"), ">=", 12),
            ]
        )
        amount = Decimal("2000.00") if outcome == "eligible" else None
        out.append(("c2-3-employer-hiring-award", outcome, amount, ()))
    if "project" in case:
        j = case["project"]
        funds = j.get("funds")
        outcome = window(j.get("approval_date")) or obligation(
            [j.get("rural_infrastructure"), j.get("work_relief")],
            [
                cmp(
                    j.get("labour_remuneration"),
                    ">=",
                    None if funds is None else funds * Decimal("0.15"),
                )
            ],
        )
        out.append(("c2-5-work-relief-remuneration", outcome, None, ()))
    if "employer" in case:
        out.append(on_the_job_training(p, e, on))
    if "person" in case:
        out += outside(p, startup(p, b, on))
    if "public_welfare_job" in case:
        out += public_welfare_job(case["public_welfare_job"], on)
    if "region" in case:
        out += region_lists(case["region"], on)
    if "project" in case:
        out.append(resettlement_job_share(case["project"]))
    if "loan_application" in case:
        loan = case["loan_application"]
        outcome = window(loan.get("application_date")) or obligation(
            [loan.get("applicant_workshop"), loan.get("meets_conditions")],
            [loan.get("priority_given")],
        )
        out.append(("c2-6-workshop-loan-priority", outcome, None, ()))
    return out


def public_welfare_job(w: dict[str, Any], on: date) -> list[tuple[str, str, Any, Any]]:
    start, signed = w.get("agreement_start_date"), w.get("agreement_signed")
    # dated by the agreement's start; with no agreement, the decision date
    effective = start if start is not None else (on if signed is False else None)
    outcome = window(effective) or obligation(
        [w.get("rural")],
        [
            w.get("accident_insurance"),
            signed,
            or3(None if signed is None else not signed, cmp(w.get("agreement_months"), "<=", 12)),
        ],
    )
    out = [("c2-9-public-welfare-job-management", outcome, None, ())]
    outcome = window(on) or benefit([w.get("rural"), w.get("in_post")])
    monthly = w.get("monthly_subsidy")
    amount = (
        cents(max(monthly, Decimal(0))) if outcome == "eligible" and monthly is not None else None
    )
    out.append(("c2-9-public-welfare-job-subsidy", outcome, amount, ()))
    # the local urban level is not configured: whether the standard is above it is not known
    outcome = window(on) or obligation([w.get("rural")], [None])
    out.append(("c2-9-public-welfare-job-subsidy-standard", outcome, None, ()))
    return out


def region_lists(r: dict[str, Any], on: date) -> list[tuple[str, str, Any, Any]]:
    lists = [r.get(k) for k in ("employed_list", "unemployed_list", "planned_migrant_list")]
    decided = window(on)
    return [
        ("c2-10-employment-lists",
         decided or obligation([], [*lists, r.get("lists_updated")]), None, ()),
        ("c2-2-receiving-area-supply-list",
         decided or obligation([r.get("labour_receiving")], [r.get("supply_list")]), None, ()),
        ("c2-2-sending-area-demand-list",
         decided or obligation([r.get("labour_sending")], [r.get("demand_list")]), None, ()),
    ]  # fmt: skip


def resettlement_job_share(j: dict[str, Any]) -> tuple[str, str, Any, Any]:
    """The share of posts is a parameter not configured: known to fall short only with none."""
    outcome = window(j.get("approval_date")) or obligation(
        [or3(j.get("government_invested"), j.get("public_service")), j.get("resettlement_area")],
        [cmp(j.get("relocated_posts"), ">=", 1), None],
    )
    return "c2-12-resettlement-job-share", outcome, None, ()


HUBEI = {"湖北省", "十堰市", "竹山县", "竹溪县", "郧西县", "房县", "丹江口市"}


def outside(p: dict[str, Any], decided: list[tuple[str, str, Any, Any]]) -> list[Any]:
    """The notice governs people registered in Hubei: the most specific home place known."""
    home = p.get("home_county") or p.get("home_city") or p.get("home_province")
    if home in HUBEI:
        return decided
    outcome = "undetermined" if home is None else "not_applicable"
    return [(rule, outcome, None, ()) for rule, *_ in decided]


def differs(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a != b


def transport(p: dict[str, Any], county: dict[str, Any]) -> list[tuple[str, str, Any, Any]]:
    out = []
    grants = p.get("grants")
    cross = differs(p.get("work_province"), p.get("home_province"))
    county_out = differs(p.get("work_county"), p.get("home_county"))
    scopes = (
        ("c2-1-transport-cross-province", cross, 500),
        ("c2-1-transport-in-province", and3(None if cross is None else not cross, county_out), 300),
    )
    for rule, scope, cap in scopes:
        outcome = window(p.get("departure_date")) or benefit(
            [
                p.get("poverty_alleviated"),
                p.get("organised_work"),
                scope,
            ],
            grants=grants,
            program=rule,
        )
        amount = None
        funds = (BRIDGING, EMPLOYMENT) if cap == 500 else (EMPLOYMENT,)
        funding: tuple[tuple[str, Decimal | None], ...] = tuple((f, None) for f in funds)
        cost = p.get("transport_cost")
        if outcome == "eligible" and cost is not None:
            amount = cents(max(min(cost, Decimal(cap)), Decimal(0)))
            if cap == 500:  # the county's bridging-fund quota first, the rest from employment
                quota = county.get("cross_province_quota_remaining")
                if quota is not None:  # else the split between the two is not known
                    first = min(amount, max(quota, Decimal(0)))
                    rest = amount - first if amount > first else Decimal("0.00")
                    funding = ((BRIDGING, first), (EMPLOYMENT, rest))
            else:
                funding = ((EMPLOYMENT, amount),)
        out.append((rule, outcome, amount, funding))
    return out


def training_raise(p: dict[str, Any]) -> tuple[str, str, Any, Any]:
    t = p.get("skills_training", {})
    outcome = window(t.get("start_date"), END_2021) or benefit(
        [
            or3(p.get("poverty_alleviated"), p.get("poverty_alleviated_family_child")),
            t.get("subsidy_eligible"),
        ]
    )
    standard = t.get("standard_subsidy")
    amount = cents(standard * 120 / 100) if outcome == "eligible" and standard is not None else None
    return "c2-11-training-subsidy-raise", outcome, amount, ()


def has_program(grants: Any, program: str) -> bool | None:
    """`"program" in person.grants.program`: unknown when a grant does not say its program."""
    if grants is None:
        return None
    if any(g.get("program") == program for g in grants):
        return True
    return None if any("program" not in g for g in grants) else False


def on_the_job_training(
    p: dict[str, Any], e: dict[str, Any], on: date
) -> tuple[str, str, Any, Any]:
    t = p.get("on_the_job_training", {})
    start, end = t.get("start_date"), t.get("end_date")
    happened = or3(start is not None, t.get("held"))  # exists(...) is never unknown
    if happened is False:  # no training held: the subsidy is refused
        return "c2-6-on-the-job-training-subsidy", "ineligible", None, ()
    months = None
    if start is not None and end is not None:
        months = months_between(date.fromordinal(start.toordinal() - 1), min(end, END_2021, on))
    outcome = window(start, END_2021) or benefit(
        [
            or3(
                among(e.get("kind"), ("企业", "农民专业合作社", "家庭农场", "个体工商户")),
                e.get("assistance_workshop"),
            ),
            p.get("poverty_alleviated"),
            cmp(months, ">=", 1),
        ],
        unless=[has_program(p.get("grants"), "以工代训")],
    )
    return "c2-6-on-the-job-training-subsidy", outcome, None, ()  # monthly rate not configured


def startup(p: dict[str, Any], b: dict[str, Any], on: date) -> list[tuple[str, str, Any, Any]]:
    licence = b.get("licence_date")
    effective = add_months(licence, 12) if licence is not None else None
    one_year = and3(
        b.get("operating_normally"),
        None if licence is None else months_between(licence, on) >= 12,
    )
    common = [p.get("poverty_alleviated"), among(b.get("kind"), ("小微企业", "个体经营")), one_year]
    grants, program = p.get("grants"), "一次性创业补贴"
    plain = window(effective) or benefit(common, grants=grants, program=program)
    back = window(effective) or benefit(
        [*common, p.get("returning_entrepreneur")], grants=grants, program=program
    )
    plain_amount = Decimal("2000.00") if plain == "eligible" else None
    if back == "eligible":  # the 5000 for returning home replaces the 2000
        plain, plain_amount = "not_applicable", None
    elif back == "undetermined" and plain == "eligible":
        plain, plain_amount = "undetermined", None
    back_amount = Decimal("5000.00") if back == "eligible" else None
    return [
        ("c2-7-startup-subsidy", plain, plain_amount, ()),
        ("c2-7-startup-subsidy-returning", back, back_amount, ()),
    ]


# -- the run ---------------------------------------------------------------------------------


def run_hand(register: Path, out: Path, on: date, schema: Path) -> dict[str, Any]:
    """Decide every row; the counts and totals bench_eval.py compares with the engine's."""
    types = column_types(schema)
    outcomes: dict[str, Counter[str]] = {}
    amounts: dict[str, Decimal] = {}
    funds: dict[str, Decimal] = {}
    read = rejected = 0
    with register.open(encoding="utf-8", newline="") as f, out.open("w", encoding="utf-8") as w:
        reader = csv.reader(f)
        writer = csv.writer(w, lineterminator="\n")
        writer.writerow(["case_id", "rule", "outcome", "amount", "funding"])
        header = next(reader)
        columns = [
            (i, *name.split(".", 1), converter(types[name]))
            for i, name in enumerate(header)
            if name != "case_id"
        ]
        id_at = header.index("case_id")
        for cells in reader:
            if not cells:
                continue
            read += 1
            case: dict[str, dict[str, Any]] = {}
            try:
                if len(cells) != len(header) or not cells[id_at].strip():
                    raise Bad("row")
                for i, entity, field, convert in columns:
                    text = cells[i].strip()
                    if text:
                        value = convert(text)
                        group = case.setdefault(entity, {})
                        if "." in field:  # person.skills_training.start_date and the like
                            outer, inner = field.split(".")
                            group.setdefault(outer, {})[inner] = value
                        else:
                            group[field] = value
                if not case:
                    raise Bad("empty")
            except Bad:
                rejected += 1
                continue
            case_id = cells[id_at].strip()
            for rule, outcome, amount, funding in hand_decide(case, on):
                outcomes.setdefault(rule, Counter())[outcome] += 1
                if amount is not None and outcome == "eligible":
                    amounts[rule] = amounts.get(rule, Decimal(0)) + amount
                shares = [(f, s) for f, s in funding if s is not None]
                for fund, share in shares:
                    funds[fund] = funds.get(fund, Decimal(0)) + share
                shares = json.dumps([[f, str(s)] for f, s in shares]) if shares else ""
                writer.writerow([case_id, rule, outcome, "" if amount is None else amount, shares])
    return {
        "rows_read": read,
        "rows_rejected": rejected,
        "outcomes": {rule: dict(c) for rule, c in sorted(outcomes.items())},
        "amounts": {rule: str(a) for rule, a in sorted(amounts.items())},
        "funds": {fund: str(a) for fund, a in sorted(funds.items())},
    }


# == the benchmark ==============================================================================


def generator_key() -> str:
    """A short digest of what a generated register depends on (the generator and the facts
    schemas), so a register cached in benchmarks/out/ is renewed when either changes."""
    digest = hashlib.sha256()
    for source in (
        ROOT / "benchmarks" / "gen_register.py",
        ROOT / "policies" / "facts.schema.json",
        ROOT / "policies" / "hubei" / "ehrs-2021-25" / "facts.schema.json",
    ):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def register_for(rows: int) -> Path:
    """The seeded register of `rows` rows, generated once and reused while the generator and
    the schemas are unchanged."""
    path = OUT / f"register-hubei-{rows}-seed{SEED}-{generator_key()}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        partial = path.with_name(f".{path.stem}.partial.csv")
        generator = ROOT / "benchmarks" / "gen_register.py"
        command = [sys.executable, str(generator), str(partial)]
        subprocess.run([*command, "--rows", str(rows), "--seed", str(SEED)], check=True)
        partial.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child, in MB (Linux: KB)."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / scale / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / scale / 1024
    return own, kids


def child(args: argparse.Namespace) -> None:
    """Run one variant in this process and print its figures as JSON on stdout."""
    register = Path(args.register)
    out = OUT / f"result-{args.child}-{args.workers}.csv"
    started = time.perf_counter()
    if args.child == "hand":
        totals = run_hand(register, out, ON, PACKAGE / "facts.schema.json")
    else:
        from clause.engine.api import open_library
        from clause.engine.batch.run import BatchOptions, evaluate_batch

        library = open_library(PACKAGE)
        options = BatchOptions(on=ON, out=out, workers=args.workers, backend=args.child)
        summary = evaluate_batch(library, register, options).to_json()
        totals = {
            "rows_read": summary["rows_read"],
            "rows_rejected": summary["rows_rejected"],
            "outcomes": {r["rule"]: r["outcomes"] for r in summary["rules"]},
            "amounts": {r["rule"]: r["amount"] for r in summary["rules"] if r["amount"] != "0.00"},
            "funds": {f["fund"]: f["allocated"] for f in summary["funds"]},
        }
    seconds = time.perf_counter() - started
    own, kids = peak_mb()
    print(json.dumps({"seconds": seconds, "totals": totals, "peak_mb": own, "worker_mb": kids}))


def run_child(kind: str, workers: int, register: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, "--workers", str(workers)]
    done = subprocess.run(
        [*command, "--register", str(register)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def spin(n: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def parallel_ceiling() -> float:
    """How many one-process loops two processes complete in the time of one: at most 2."""
    import multiprocessing

    n = 10_000_000
    one = min(spin(n) for _ in range(3))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(spin, [1000, 1000])  # start-up out of the timing
        two = float("inf")
        for _ in range(3):  # other work on the machine comes and goes: keep the best
            started = time.perf_counter()
            pool.map(spin, [n, n])
            two = min(two, time.perf_counter() - started)
    return 2 * one / two


def same_totals(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Differences between two runs' counts and totals (amounts compared as numbers)."""
    problems = []
    for key in ("rows_read", "rows_rejected"):
        if a[key] != b[key]:
            problems.append(f"{key}: {a[key]} vs {b[key]}")
    for rule in sorted(set(a["outcomes"]) | set(b["outcomes"])):
        x, y = a["outcomes"].get(rule, {}), b["outcomes"].get(rule, {})
        if {k: v for k, v in x.items() if v} != {k: v for k, v in y.items() if v}:
            problems.append(f"{rule}: {x} vs {y}")
    for key in ("amounts", "funds"):
        for name in sorted(set(a[key]) | set(b[key])):
            if Decimal(a[key].get(name, 0)) != Decimal(b[key].get(name, 0)):
                problems.append(f"{key} {name}: {a[key].get(name)} vs {b[key].get(name)}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="register rows (default 50000)")
    parser.add_argument("--workers", default="1,2", help="worker counts to time (default 1,2)")
    parser.add_argument(
        "--backends", default="record,columnar", help="backends: record,columnar (default both)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the result files")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--register", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.workers = int(args.workers)
        child(args)
        return
    register = register_for(args.rows)
    size = register.stat().st_size / 1e6
    print(f"register {register.relative_to(ROOT)}: {args.rows:,} rows, {size:,.0f} MB; ", end="")
    print(f"decision date {ON}; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    ceiling = parallel_ceiling()
    print(f"control: two processes of a pure-Python loop run {ceiling:.2f}x one on this machine")
    hand = run_child("hand", 1, register)
    runs = [
        (backend, workers, run_child(backend, workers, register))
        for backend in args.backends.split(",")
        for workers in (int(w) for w in args.workers.split(","))
        if backend != "columnar" or workers == 1  # one process; Polars uses the cores
    ]
    head = f"{'run':<34}{'seconds':>9}{'rows/s':>10}{'µs/row':>8}{'× hand':>8}"
    print(f"\n{head}{'speed-up':>10}{'peak MB':>9}{'worker MB':>11}")
    base = hand["seconds"]
    print(f"{'hand-written Python (baseline)':<34}{base:>9.1f}{args.rows / base:>10,.0f}", end="")
    print(f"{1e6 * base / args.rows:>8.1f}{1:>8.1f}{'':>10}{hand['peak_mb']:>9.0f}{'':>11}")
    single = {b: r["seconds"] for b, w, r in runs if w == 1}
    for backend, workers, r in runs:
        s = r["seconds"]
        label = f"clause eval, {backend}, {workers} worker{'s' if workers > 1 else ''}"
        speed = f"{single[backend] / s:.2f}x" if backend in single else ""
        worker_mb = f"{r['worker_mb']:.0f}" if workers > 1 else ""
        print(f"{label:<34}{s:>9.1f}{args.rows / s:>10,.0f}{1e6 * s / args.rows:>8.1f}", end="")
        print(f"{s / base:>8.1f}{speed:>10}{r['peak_mb']:>9.0f}{worker_mb:>11}")
    print()
    for backend, workers, r in runs:
        problems = same_totals(r["totals"], hand["totals"])
        verdict = "agree on every count and total" if not problems else "DISAGREE: "
        print(f"{backend}, {workers} worker(s) and hand-written {verdict}" + "; ".join(problems))
    if not args.keep:
        for path in OUT.glob("result-*"):
            path.unlink()


if __name__ == "__main__":
    main()
