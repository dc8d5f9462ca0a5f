"""A seeded synthetic register for `clause eval`: realistic case mixes, missing cells, bad rows.

    python benchmarks/gen_register.py OUT.csv|OUT.jsonl|OUT.parquet [--rows N] [--seed S]
        [--package DIR] [--missing P] [--invalid P] [--repeated P]

The same seed gives the same register in every format, and the same rows are broken in each
(a cell that is not a number, an impossible date, a value outside an enum, a negative count,
a broken JSON cell, a row cut short), so CSV, JSON Lines and Parquet decide alike. Case mixes
are written per notice below (Hubei 鄂人社发〔2021〕25号 and the test fixture `mini`) so that
every rule of the package reaches each of its outcomes on the suggested decision date.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

from clause.engine.batch.facts import FactsPlan, Shape  # noqa: E402
from clause.engine.expr.types import BOOL, DATE, NUMBER  # noqa: E402
from clause.engine.load.library import load_library  # noqa: E402

Case = dict[str, Any]
HUBEI = "鄂人社发〔2021〕25号"
MINI = "示例人社发〔2030〕1号"


class Bad:
    """A corrupted cell: the text a careless export would hold."""

    def __init__(self, text: str) -> None:
        self.text = text


CUT_SHORT = "cut_short"  # a row whose line is broken (CSV: too few cells; JSONL: bad JSON)


def day(rng: random.Random, start: str, end: str) -> date:
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return a + timedelta(days=rng.randrange((b - a).days + 1))


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


# -- Hubei 鄂人社发〔2021〕25号: decide on 2022-12-31 ----------------------------------------


HUBEI_COUNTIES = ("郧西县", "竹山县", "房县", "丹江口市")


def hubei_home(rng: random.Random, county: str) -> Case:
    """Where a person is registered: a county of 十堰市, or (3%) another province."""
    if chance(rng, 0.03):
        return {"home_province": rng.choice(["河南省", "湖南省", "陕西省"])}
    return {"home_province": "湖北省", "home_city": "十堰市", "home_county": county}


def hubei_person(rng: random.Random) -> Case:
    """A worker from the poverty-monitoring register: mostly lifted out of poverty."""
    scope = rng.choices(["跨省", "省内县外", "县内"], [45, 35, 20])[0]
    home = rng.choice(HUBEI_COUNTIES)
    work = {
        "跨省": ("广东省", "南山区"),
        "省内县外": ("湖北省", "洪山区"),
        "县内": ("湖北省", home),
    }
    person: Case = {
        **hubei_home(rng, home),
        "poverty_alleviated": chance(rng, 0.9),
        "organised_work": chance(rng, 0.6),
        "work_province": work[scope][0],
        "work_county": work[scope][1],
        "departure_date": day(rng, "2021-06-01", "2022-12-31"),
        "transport_cost": Decimal(rng.randrange(80, 1200)),
        "grants": [],
    }
    if chance(rng, 0.1):
        person["grants"] = [
            {
                "program": "c2-1-transport-cross-province",
                "date": day(rng, "2021-08-16", "2022-06-30"),
            }
        ]
    if chance(rng, 0.25):
        person["poverty_alleviated_family_child"] = chance(rng, 0.3)
        person["skills_training"] = {
            "start_date": day(rng, "2021-07-01", "2022-03-31"),
            "subsidy_eligible": chance(rng, 0.8),
            "standard_subsidy": Decimal(rng.choice([800, 1200, 1500, 2000, 2500])),
        }
    county = {
        "name": rng.choice(["郧西县", "竹山县", "房县", "丹江口市"]),
        "cross_province_quota_remaining": Decimal(rng.choice([0, 200, 400, 5000, 100000])),
    }
    return {"person": person, "county": county}


def hubei_hired(rng: random.Random) -> Case:
    """An employer (with the agency that placed the person, sometimes) and the person hired."""
    hired = day(rng, "2021-06-01", "2022-06-30")
    person: Case = {
        **hubei_home(rng, rng.choice(HUBEI_COUNTIES)),
        "poverty_alleviated": chance(rng, 0.9),
        "hire_date": hired,
        "labour_contract": chance(rng, 0.85),
        "contract_open_ended": chance(rng, 0.2),
        "contract_months": rng.choice([6, 12, 24, 36]),
        "employment_months": rng.randrange(1, 19),
        "social_insurance": chance(rng, 0.8),
        "grants": [],
    }
    if chance(rng, 0.4):
        start = day(rng, "2021-07-01", "2022-02-28")
        person["on_the_job_training"] = {
            "held": True,
            "start_date": start,
            "end_date": start + timedelta(days=rng.randrange(10, 240)),
        }
        if chance(rng, 0.15):
            person["grants"] = [{"program": "以工代训", "date": date(2020, 9, 1)}]
    elif chance(rng, 0.3):
        person["on_the_job_training"] = {"held": False}
    employer = {
        "name": f"用人单位{rng.randrange(1, 500)}",
        "kind": rng.choices(
            ["企业", "农民专业合作社", "家庭农场", "个体工商户", "社会组织"], [60, 12, 8, 15, 5]
        )[0],
        "assistance_workshop": chance(rng, 0.2),
    }
    case: Case = {"person": person, "employer": employer}
    if chance(rng, 0.4):
        case["agency"] = {
            "name": f"人力资源服务机构{rng.randrange(1, 50)}",
            "kind": rng.choice(["人力资源服务机构", "劳务经纪人"]),
            "organised_placement": chance(rng, 0.8),
        }
    return case


def hubei_entrepreneur(rng: random.Random) -> Case:
    grants = [] if chance(rng, 0.9) else [{"program": "一次性创业补贴", "date": date(2022, 1, 10)}]
    return {
        "person": {
            **hubei_home(rng, rng.choice(HUBEI_COUNTIES)),
            "poverty_alleviated": chance(rng, 0.9),
            "returning_entrepreneur": chance(rng, 0.5),
            "grants": grants,
        },
        "business": {
            "name": f"经营主体{rng.randrange(1, 900)}",
            "kind": rng.choices(["小微企业", "个体经营", "其他"], [40, 50, 10])[0],
            "licence_date": day(rng, "2021-06-01", "2022-09-30"),
            "operating_normally": chance(rng, 0.85),
        },
    }


def hubei_job(rng: random.Random) -> Case:
    if chance(rng, 0.1):  # placed with no agreement at all
        return {
            "public_welfare_job": {
                "name": f"乡村公益性岗位{rng.randrange(1, 900)}",
                "locality": rng.choice(["郧西县", "竹山县", "房县"]),
                "rural": True,
                "in_post": True,
                "monthly_subsidy": Decimal(rng.choice([500, 600, 800])),
                "accident_insurance": chance(rng, 0.5),
                "agreement_signed": False,
            }
        }
    return {
        "public_welfare_job": {
            "name": f"乡村公益性岗位{rng.randrange(1, 900)}",
            "locality": rng.choice(["郧西县", "竹山县", "房县"]),
            "rural": chance(rng, 0.9),
            "in_post": chance(rng, 0.9),
            "monthly_subsidy": Decimal(rng.choice([500, 600, 800, 1000])),
            "accident_insurance": chance(rng, 0.85),
            "agreement_signed": chance(rng, 0.9),
            "agreement_start_date": day(rng, "2021-09-01", "2022-12-31"),
            "agreement_months": rng.choice([6, 12, 12, 12, 24]),
        }
    }


def hubei_project(rng: random.Random) -> Case:
    funds = Decimal(rng.randrange(50, 2000) * 10000)
    share = Decimal(rng.choice(["0.10", "0.15", "0.18", "0.25", "0.30"]))
    posts = rng.randrange(5, 120)
    return {
        "project": {
            "name": f"以工代赈项目{rng.randrange(1, 300)}",
            "work_relief": chance(rng, 0.9),
            "rural_infrastructure": chance(rng, 0.85),
            "approval_date": day(rng, "2021-03-01", "2022-12-31"),
            "funds": funds,
            "labour_remuneration": (funds * share).quantize(Decimal(1)),
            "locality": rng.choice(["郧西县", "竹山县", "房县"]),
            "government_invested": chance(rng, 0.8),
            "public_service": chance(rng, 0.2),
            "resettlement_area": chance(rng, 0.4),
            "posts_total": posts,
            "relocated_posts": rng.choice([0, 1, posts // 10, posts // 5]),
        }
    }


def hubei_region(rng: random.Random) -> Case:
    return {
        "region": {
            "name": rng.choice(["郧西县", "竹山县", "房县", "丹江口市", "武汉市东西湖区"]),
            "labour_sending": chance(rng, 0.7),
            "labour_receiving": chance(rng, 0.4),
            "demand_list": chance(rng, 0.8),
            "supply_list": chance(rng, 0.7),
            "employed_list": chance(rng, 0.9),
            "unemployed_list": chance(rng, 0.9),
            "planned_migrant_list": chance(rng, 0.8),
            "lists_updated": chance(rng, 0.8),
        }
    }


def hubei_loan(rng: random.Random) -> Case:
    return {
        "loan_application": {
            "applicant": f"申请人{rng.randrange(1, 300)}",
            "applicant_workshop": chance(rng, 0.6),
            "application_date": day(rng, "2021-06-01", "2022-12-31"),
            "meets_conditions": chance(rng, 0.7),
            "priority_given": chance(rng, 0.8),
        }
    }


def hubei_site(rng: random.Random) -> Case:
    return {
        "resettlement_site": {
            "name": f"安置点{rng.randrange(1, 300)}",
            "population": rng.choice([300, 600, 800, 1500, 5000]),
            "service_station": chance(rng, 0.7),
            "service_window": chance(rng, 0.3),
            "full_time_staff": rng.choice([0, 1, 2, 3]),
        }
    }


HUBEI_MIX: list[tuple[Callable[[random.Random], Case], int]] = [
    (hubei_person, 55),
    (hubei_hired, 17),
    (hubei_entrepreneur, 10),
    (hubei_job, 7),
    (hubei_project, 6),
    (hubei_site, 5),
    (hubei_region, 3),
    (hubei_loan, 3),
]


# -- mini (tests/fixtures/mini): decide on 2030-12-01 --------------------------------------


def mini_person(rng: random.Random) -> Case:
    person: Case = {
        "poverty_alleviated": chance(rng, 0.85),
        "organised": chance(rng, 0.7),
        "scope": rng.choices(["跨省", "省内县外", "县内"], [60, 25, 15])[0],
        "departure_date": day(rng, "2030-01-15", "2030-11-30"),
        "transport_cost": Decimal(rng.randrange(100, 900)),
        "grants": [],
        "locality": rng.choice(["甲市", "乙市", "丙市"]),
    }
    if chance(rng, 0.15):
        person["grants"] = [
            {
                "program": rng.choice(["transport", "training", "startup"]),
                "date": day(rng, "2030-03-01", "2030-10-01"),
            }
        ]
    if chance(rng, 0.5):
        person["training_months"] = rng.randrange(0, 10)
    if chance(rng, 0.4):
        person["first_business"] = chance(rng, 0.8)
        person["returned_home"] = chance(rng, 0.5)
        person["licence_date"] = day(rng, "2028-06-01", "2030-09-30")
    return {"person": person}


def mini_site(rng: random.Random) -> Case:
    return {
        "site": {
            "residents": rng.choice([300, 800, 1200]),
            "has_station": chance(rng, 0.7),
            "full_time_staff": rng.choice([0, 1, 2]),
        }
    }


MINI_MIX: list[tuple[Callable[[random.Random], Case], int]] = [(mini_person, 85), (mini_site, 15)]


# -- the invented amendment fixture (tests/fixtures/amendments): decide on 2042-06-30 -------


def amended_person(rng: random.Random) -> Case:
    """A person of the invented library, with dates on both sides of every amendment (the
    raise, the new condition and the repeal from 2041-07-01; the extension through 2042)."""
    person: Case = {
        "poverty_alleviated": chance(rng, 0.85),
        "grants": [],
    }
    if chance(rng, 0.1):
        person["grants"] = [{"program": rng.choice(["transport", "startup"]), "date": "2040-06-01"}]
    if chance(rng, 0.6):
        person["organised"] = chance(rng, 0.8)
        person["scope"] = rng.choices(["跨省", "省内"], [75, 25])[0]
        person["departure_date"] = day(rng, "2040-06-01", "2043-02-28")
        person["transport_cost"] = Decimal(rng.randrange(100, 900))
    if chance(rng, 0.5):
        person["first_business"] = chance(rng, 0.8)
        person["business_in_province"] = chance(rng, 0.6)
        person["application_date"] = day(rng, "2040-06-01", "2043-02-28")
    if chance(rng, 0.4):
        person["training_start"] = day(rng, "2040-06-01", "2043-02-28")
        person["training_months"] = rng.randrange(1, 10)
    return {"person": person}


AMENDED = "虚构人社发〔2040〕1号"
AMENDED_MIX: list[tuple[Callable[[random.Random], Case], int]] = [(amended_person, 1)]

PROFILES = {
    HUBEI: (HUBEI_MIX, "2022-12-31"),
    MINI: (MINI_MIX, "2030-12-01"),
    AMENDED: (AMENDED_MIX, "2042-06-30"),
}


# -- missing cells and broken rows ---------------------------------------------------------


def leaves(shape: Shape) -> Iterator[Shape]:
    """Every column of the register: leaf fields and arrays of records, in schema order."""
    for child in shape.children.values():
        if child.is_leaf or child.field.is_array:
            yield child
        else:
            yield from leaves(child)


def get(case: Case, path: str) -> Any:
    value: Any = case
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def put(case: Case, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = case
    for key in parents:
        target = target.setdefault(key, {})
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value


def corrupt(rng: random.Random, case: Case, columns: list[Shape]) -> Case | str:
    """Break one present cell the way exports do, or the whole row (CUT_SHORT)."""
    if chance(rng, 0.1):
        return CUT_SHORT
    present = [c for c in columns if get(case, c.path) is not None]
    shape = rng.choice(present)
    t = shape.field.type
    if shape.field.is_array:
        bad = Bad(rng.choice(['[{"program": "x"', '{"program": "x"}', "以工代训"]))
    elif t == NUMBER:
        options = ["12abc", "1,000", "NaN", "五百"]
        if shape.minimum is not None:
            options.append(str(shape.minimum - 3))
        if shape.integer:
            options.append("2.5")
        bad = Bad(rng.choice(options))
    elif t == DATE:
        bad = Bad(rng.choice(["2021-02-30", "2021/08/16", "16.08.2021", "2021-8-1"]))
    elif t == BOOL:
        bad = Bad(rng.choice(["maybe", "yes", "Y", "有"]))
    elif hasattr(t, "values"):
        bad = Bad(rng.choice(["外省", "unknown", "跨 省"]))
    else:  # a free-text field cannot be wrong: break the row instead
        return CUT_SHORT
    put(case, shape.path, bad)
    return case


def drop_cells(rng: random.Random, case: Case, columns: list[Shape], p: float) -> None:
    for column in columns:
        if get(case, column.path) is not None and chance(rng, p):
            put(case, column.path, None)


def generate(  # type: ignore[no-untyped-def]
    package_dir: Path, rows: int, seed: int, missing: float, invalid: float, repeated: float = 0.0
):
    """(columns, iterator of (case id, case or CUT_SHORT), suggested decision date)."""
    loaded = load_library([package_dir], [package_dir])  # with the library's vocabulary
    library = loaded.library
    if library is None:
        raise SystemExit(f"{package_dir}: the package does not load; run clause check")
    package = next(p for p in library.packages if Path(p.root).resolve() == package_dir.resolve())
    profile = PROFILES.get(package.document.number)
    if profile is None:
        raise SystemExit(f"no case mix for {package.document.number}; known: {', '.join(PROFILES)}")
    mix, on = profile
    plan = FactsPlan(library.facts_schema, library.env.facts)
    columns = list(leaves(plan.root))
    makers = [m for m, _ in mix]
    weights = [w for _, w in mix]

    def cases() -> Iterator[tuple[str, Case | str]]:
        rng = random.Random(seed)
        ids = random.Random(seed + 1)  # repeated ids: the cases are those of the same seed
        for i in range(1, rows + 1):
            case = rng.choices(makers, weights)[0](rng)
            drop_cells(rng, case, columns, missing)
            case_id = f"C{i:07d}"
            if i > 1 and chance(ids, repeated):  # an id already used: a case paid twice?
                case_id = f"C{ids.randint(1, i - 1):07d}"
            if chance(rng, invalid):
                yield case_id, corrupt(rng, case, columns)
            else:
                yield case_id, case

    return columns, cases(), on


# -- writing -------------------------------------------------------------------------------


def cell_text(value: Any, rng: random.Random) -> str:
    if value is None:
        return ""
    if isinstance(value, Bad):
        return value.text
    if isinstance(value, bool):  # officers' exports spell booleans several ways
        return rng.choice([("true", "false"), ("1", "0"), ("是", "否")])[0 if value else 1]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(plain(value), ensure_ascii=False)
    return str(value)


def plain(value: Any) -> Any:
    """JSON-ready: dates as text, decimals as numbers, bad cells as their text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Bad):
        return value.text
    return value


def write_csv(path: Path, columns: list[Shape], cases: Iterator[tuple[str, Any]]) -> int:
    rng = random.Random(0)  # boolean spellings: independent of the case stream
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["case_id", *(c.path for c in columns)])
        for case_id, case in cases:
            count += 1
            if case == CUT_SHORT:
                writer.writerow([case_id, "true"])
                continue
            writer.writerow([case_id, *(cell_text(get(case, c.path), rng) for c in columns)])
    return count


def write_jsonl(path: Path, cases: Iterator[tuple[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as f:
        for case_id, case in cases:
            count += 1
            if case == CUT_SHORT:
                f.write(f'{{"case_id": "{case_id}", "person": {{"poverty_alleviated": tru\n')
                continue
            f.write(json.dumps({"case_id": case_id, **plain(case)}, ensure_ascii=False) + "\n")
    return count


def write_parquet(path: Path, columns: list[Shape], cases: Iterator[tuple[str, Any]]) -> int:
    """Typed columns (bool, int64, float64, date32, list of records); a column holding a bad
    cell is written as text instead, as a sloppy export would."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(cases)  # a Parquet register for tests and examples: small enough to hold
    data: dict[str, list[Any]] = {"case_id": [cid for cid, _ in rows]}
    for column in columns:
        data[column.path] = [None if c == CUT_SHORT else get(c, column.path) for _, c in rows]
    fields = [pa.field("case_id", pa.string())]
    arrays = [pa.array(data["case_id"], pa.string())]
    rng = random.Random(0)
    for column in columns:
        values = data[column.path]
        arrow_type = arrow_type_of(column, pa)
        if arrow_type is None or any(isinstance(v, Bad) for v in values):
            arrow_type = pa.string()
            values = [None if v is None else cell_text(v, rng) for v in values]
        elif column.field.type == NUMBER:
            values = [None if v is None else float(v) for v in values]
        fields.append(pa.field(column.path, arrow_type))
        arrays.append(pa.array(values, arrow_type))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, path, row_group_size=65_536)
    return len(rows)


def arrow_type_of(column: Shape, pa: Any) -> Any:
    t = column.field.type
    if column.field.is_array:
        kids = [
            (name, arrow_type_of(child, pa) or pa.string())
            for name, child in column.children.items()
        ]
        return pa.list_(pa.struct(kids))
    if t == BOOL:
        return pa.bool_()
    if t == NUMBER:
        return pa.int64() if column.integer else pa.float64()
    if t == DATE:
        return pa.date32()
    if t is not None and str(t).startswith(("string", "enum")):
        return pa.string()
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the register to write: .csv, .jsonl or .parquet")
    parser.add_argument("--package", type=Path, default=ROOT / "policies/hubei/ehrs-2021-25")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--missing", type=float, default=0.03, help="share of cells left empty")
    parser.add_argument("--invalid", type=float, default=0.01, help="share of broken rows")
    parser.add_argument(
        "--repeated", type=float, default=0.0, help="share of rows reusing an earlier case id"
    )
    args = parser.parse_args()
    columns, cases, on = generate(
        args.package, args.rows, args.seed, args.missing, args.invalid, args.repeated
    )
    suffix = args.out.suffix.lower()
    if suffix == ".csv":
        count = write_csv(args.out, columns, cases)
    elif suffix == ".jsonl":
        count = write_jsonl(args.out, cases)
    elif suffix == ".parquet":
        count = write_parquet(args.out, columns, cases)
    else:
        raise SystemExit("write .csv, .jsonl or .parquet")
    print(f"{args.out}: {count:,} rows; decide with --date {on}", file=sys.stderr)


if __name__ == "__main__":
    main()
