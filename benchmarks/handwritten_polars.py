# ruff: noqa: E501  (the rule table below is laid out one rule per block, for reading)
"""The 18 rules of 鄂人社发〔2021〕25号 written by hand in Polars: the columnar baseline.

What a programmer fluent in Polars would write for this one notice without `clause`, following
the plain-Python baseline in bench_eval.py rule for rule (same windows, Kleene logic through
nulls, the notice governing people registered in Hubei only, the 5000-yuan returning start-up
subsidy overriding the 2000 one, the bridging fund paying first up to the county's quota;
parameters the package leaves unconfigured are unknown). No missing-fact lists, no versions, no traces: the
floor a columnar engine is measured against.

    read(path)            -> (typed frame, rejected mask)   cells cast by the facts schema
    decide(frame, on)     -> frame of <rule> outcome and <rule>:amount (cents) columns
    funding(frame)        -> bridging/employment shares of the cross-province transport
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

IN_FORCE = (date(2021, 8, 16), date(2025, 12, 31))
END_2021 = date(2021, 12, 31)
TRUE = ["true", "1", "是"]
FALSE = ["false", "0", "否"]
GRANTS = r'^\[(?:\{"program": "[^"\\]*"(?:, "date": "\d{4}-\d{2}-\d{2}")?\}(?:, )?)*\]$'
GRANT = pl.List(pl.Struct({"program": pl.String(), "date": pl.String()}))


# -- reading -----------------------------------------------------------------------------------


def schema_types(schema_path: Path) -> dict[str, dict[str, Any]]:
    """{dotted column: schema node}, the library's shared facts and places included (the same
    reading as the plain-Python baseline's)."""
    from bench_eval import column_types

    return column_types(schema_path)


def _cast(name: str, node: dict[str, Any]) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, bad cell) for one text column."""
    text = pl.col(name).str.strip_chars()
    given = text.is_not_null() & (text != "")
    kind = node.get("type")
    if kind == "array":  # well-formed grant lists only; anything else is a bad cell
        ok = text.str.contains(GRANTS)
        value = pl.when(given & ok).then(text).str.json_decode(GRANT)
        return value, given & ~ok
    if kind == "boolean":
        lower = text.str.to_lowercase()
        value = pl.when(lower.is_in(TRUE)).then(True).when(lower.is_in(FALSE)).then(False)
        return value, given & value.is_null()
    if kind in ("integer", "number"):
        value = pl.when(given).then(text).str.to_decimal(scale=4).to_physical().cast(pl.Int64)
        bad = given & (value.is_null() | ~text.str.contains(r"^[-+]?[0-9]*\.?[0-9]*$"))
        if kind == "integer":
            bad = bad | (given & (value % 10_000 != 0))
        if node.get("minimum") is not None:
            bad = bad | (given & (value < int(node["minimum"] * 10_000)))
        return value, bad
    if node.get("format") == "date":
        value = pl.when(given).then(text).str.to_date("%Y-%m-%d", strict=False)
        return value, given & (value.is_null() | ~text.str.contains(r"^\d{4}-\d{2}-\d{2}$"))
    if "enum" in node:
        return pl.when(given).then(text), given & ~text.is_in(node["enum"])
    return pl.when(given).then(text), pl.lit(False)


def typed(raw: pl.DataFrame, types: dict[str, dict[str, Any]]) -> tuple[pl.DataFrame, pl.Series]:
    exprs, bad = [], []
    for name in raw.columns:
        if name == "case_id":
            continue
        if raw.schema[name] != pl.String:  # a typed Parquet column
            value = pl.col(name)
            if types[name].get("type") in ("integer", "number"):
                value = (value * 10_000).round(0).cast(pl.Int64)
            if types[name].get("type") == "array":
                value = value.list.eval(
                    pl.struct(
                        pl.element().struct.field("program"),
                        pl.element().struct.field("date").cast(pl.String),
                    )
                )
            exprs.append(value.alias(name))
            continue
        value, wrong = _cast(name, types[name])
        exprs.append(value.alias(name))
        bad.append(wrong)
    frame = (
        raw.lazy()
        .select(pl.col("case_id").str.strip_chars(), *exprs, pl.any_horizontal(bad).alias("?bad"))
        .collect()
    )
    rejected = frame.get_column("?bad") | frame.get_column("case_id").is_null()
    return frame.drop("?bad"), rejected


# -- the rules -----------------------------------------------------------------------------


def c(name: str) -> pl.Expr:
    return pl.col(name)


def present(frame: pl.DataFrame, entity: str) -> pl.Expr:
    cells = [c(n).is_not_null() for n in frame.columns if n.startswith(entity + ".")]
    return pl.any_horizontal(cells) if cells else pl.lit(False)


def window(effective: pl.Expr, end: date = IN_FORCE[1]) -> pl.Expr:
    """null when the version applies; else the outcome that says why not."""
    return (
        pl.when(effective.is_null())
        .then(pl.lit("undetermined"))
        .when((effective < IN_FORCE[0]) | (effective > IN_FORCE[1]) | (effective > end))
        .then(pl.lit("not_applicable"))
    )


def benefit(
    conds: list[pl.Expr], unless: pl.Expr | None = None, granted: pl.Expr | None = None
) -> pl.Expr:
    failed = pl.any_horizontal([x.not_() for x in conds]).fill_null(False)
    if unless is not None:
        failed = failed | unless.fill_null(False)
    unknown = pl.any_horizontal([x.is_null() for x in conds])
    if unless is not None:
        unknown = unknown | unless.is_null()
    out = pl.when(failed).then(pl.lit("ineligible"))
    if granted is not None:
        out = out.when(granted.fill_null(False)).then(pl.lit("ineligible"))
        unknown = unknown | granted.is_null()
    return out.when(unknown).then(pl.lit("undetermined")).otherwise(pl.lit("eligible"))


def obligation(applies: list[pl.Expr], requires: list[pl.Expr]) -> pl.Expr:
    if not applies:  # a duty of every subject
        applies = [pl.lit(True)]
    off = pl.any_horizontal([x.not_() for x in applies]).fill_null(False)
    known = pl.all_horizontal([x.is_not_null() for x in applies])
    broken = pl.any_horizontal([x.not_() for x in requires]).fill_null(False)
    unknown = pl.any_horizontal([x.is_null() for x in applies + requires])
    return (
        pl.when(off).then(pl.lit("not_applicable"))
        .when(known & broken).then(pl.lit("violation"))
        .when(unknown).then(pl.lit("undetermined"))
        .otherwise(pl.lit("compliant"))
    )  # fmt: skip


def had(program: str) -> pl.Expr:
    grants = c("person.grants")
    hit = grants.list.eval(pl.element().struct.field("program") == program).list.any()
    return pl.when(grants.is_null()).then(None).otherwise(hit)


HUBEI = ["湖北省", "十堰市", "竹山县", "竹溪县", "郧西县", "房县", "丹江口市"]


def governed(outcome: pl.Expr) -> pl.Expr:
    """A person rule's outcome where the notice governs the person (registered in Hubei: the
    most specific home place known); not applicable elsewhere, undetermined when unknown."""
    home = pl.coalesce(c("person.home_county"), c("person.home_city"), c("person.home_province"))
    return (
        pl.when(home.is_null()).then(pl.lit("undetermined"))
        .when(~home.is_in(HUBEI)).then(pl.lit("not_applicable"))
        .otherwise(outcome)
    )  # fmt: skip


def add_months(start: pl.Expr, months: int) -> pl.Expr:
    return start.dt.offset_by(f"{months}mo")


def decide(frame: pl.DataFrame, on: date) -> pl.DataFrame:
    """Every rule's outcome (null when its subject is absent) and amount in cents."""
    day = pl.lit(on)
    start = c("person.on_the_job_training.start_date")
    signed = c("public_welfare_job.agreement_signed")
    unknown = pl.lit(None, dtype=pl.Boolean)
    end = c("person.on_the_job_training.end_date")
    # months_between(start - 1 day, min(end, 2021-12-31, decision date)) >= 1
    month_in_period = pl.when(end.is_not_null()).then(
        add_months(start.dt.offset_by("-1d"), 1) <= pl.min_horizontal(end, pl.lit(END_2021), day)
    )
    contract = c("person.labour_contract") & (
        c("person.contract_open_ended") | (c("person.contract_months") >= 120_000)
    )
    cost = c("person.transport_cost")
    licence = c("business.licence_date")
    one_year = c("business.operating_normally") & (add_months(licence, 12) <= day)
    common = [
        c("person.poverty_alleviated"),
        c("business.kind").is_in(["小微企业", "个体经营"]),
        one_year,
    ]
    plain = pl.coalesce(
        window(add_months(licence, 12)), benefit(common, granted=had("一次性创业补贴"))
    )
    back = pl.coalesce(
        window(add_months(licence, 12)),
        benefit([*common, c("person.returning_entrepreneur")], granted=had("一次性创业补贴")),
    )
    plain = (
        pl.when(back == "eligible").then(pl.lit("not_applicable"))
        .when((back == "undetermined") & (plain == "eligible")).then(pl.lit("undetermined"))
        .otherwise(plain)
    )  # fmt: skip
    rules: dict[str, tuple[str, pl.Expr, pl.Expr | None]] = {
        "c2-1-agency-service-subsidy": ("agency", pl.coalesce(window(c("person.hire_date")), benefit([
            c("agency.kind").is_in(["人力资源服务机构", "劳务经纪人"]),
            c("agency.organised_placement"), c("person.poverty_alleviated"),
            c("employer.kind") == "企业", contract, c("person.social_insurance")])), None),
        "c2-11-training-subsidy-raise": ("person", pl.coalesce(
            window(c("person.skills_training.start_date"), END_2021),
            benefit([c("person.poverty_alleviated") | c("person.poverty_alleviated_family_child"),
                     c("person.skills_training.subsidy_eligible")])),
            _cents(c("person.skills_training.standard_subsidy") * 120, 6)),
        "c2-12-resettlement-service-station": ("resettlement_site", pl.coalesce(window(day), obligation(
            [c("resettlement_site.population") >= 8_000_000],
            [c("resettlement_site.service_station") | c("resettlement_site.service_window"),
             c("resettlement_site.full_time_staff") >= 10_000])), None),
        "c2-3-employer-hiring-award": ("employer", pl.coalesce(window(add_months(c("person.hire_date"), 12)), benefit([
            c("employer.kind") == "企业", c("person.poverty_alleviated"), contract,
            c("person.employment_months") >= 120_000])), pl.lit(200_000, dtype=pl.Int64)),
        "c2-5-work-relief-remuneration": ("project", pl.coalesce(window(c("project.approval_date")), obligation(
            [c("project.rural_infrastructure"), c("project.work_relief")],
            [c("project.labour_remuneration") * 100 >= c("project.funds") * 15])), None),
        "c2-6-on-the-job-training-subsidy": ("employer", pl.coalesce(
            pl.when(~(start.is_not_null() | c("person.on_the_job_training.held"))).then(pl.lit("ineligible")),
            window(start, END_2021), benefit([
                c("employer.kind").is_in(["企业", "农民专业合作社", "家庭农场", "个体工商户"])
                | c("employer.assistance_workshop"),
                c("person.poverty_alleviated"),
                month_in_period],
                unless=had("以工代训"))), None),
        "c2-6-workshop-loan-priority": ("loan_application", pl.coalesce(
            window(c("loan_application.application_date")), obligation(
                [c("loan_application.applicant_workshop"), c("loan_application.meets_conditions")],
                [c("loan_application.priority_given")])), None),
        "c2-7-startup-subsidy": ("person", plain, pl.lit(200_000, dtype=pl.Int64)),
        "c2-7-startup-subsidy-returning": ("person", back, pl.lit(500_000, dtype=pl.Int64)),
        "c2-9-public-welfare-job-management": ("public_welfare_job", pl.coalesce(
            window(pl.coalesce(c("public_welfare_job.agreement_start_date"),
                               pl.when(~signed).then(day))), obligation(
                [c("public_welfare_job.rural")],
                [c("public_welfare_job.accident_insurance"), signed,
                 ~signed | (c("public_welfare_job.agreement_months") <= 120_000)])), None),
        "c2-9-public-welfare-job-subsidy": ("public_welfare_job", pl.coalesce(window(day), benefit(
            [c("public_welfare_job.rural"), c("public_welfare_job.in_post")])),
            _cents(c("public_welfare_job.monthly_subsidy").clip(0), 4)),
        # the local urban level is not configured: the standard is not known to be within it
        "c2-9-public-welfare-job-subsidy-standard": ("public_welfare_job", pl.coalesce(window(day), obligation(
            [c("public_welfare_job.rural")], [unknown])), None),
        "c2-10-employment-lists": ("region", pl.coalesce(window(day), obligation([], [
            c("region.employed_list"), c("region.unemployed_list"),
            c("region.planned_migrant_list"), c("region.lists_updated")])), None),
        "c2-2-receiving-area-supply-list": ("region", pl.coalesce(window(day), obligation(
            [c("region.labour_receiving")], [c("region.supply_list")])), None),
        "c2-2-sending-area-demand-list": ("region", pl.coalesce(window(day), obligation(
            [c("region.labour_sending")], [c("region.demand_list")])), None),
        # the share of posts is a parameter not configured: known to fall short only with none
        "c2-12-resettlement-job-share": ("project", pl.coalesce(window(c("project.approval_date")), obligation(
            [c("project.government_invested") | c("project.public_service"), c("project.resettlement_area")],
            [c("project.relocated_posts") >= 10_000, unknown])), None),
    }  # fmt: skip
    for rule in (
        "c2-11-training-subsidy-raise",
        "c2-7-startup-subsidy",
        "c2-7-startup-subsidy-returning",
    ):
        subject, outcome, amount = rules[rule]
        rules[rule] = (subject, governed(outcome), amount)
    cross = c("person.work_province") != c("person.home_province")
    inside = (c("person.work_province") == c("person.home_province")) & (
        c("person.work_county") != c("person.home_county")
    )
    for rule, scope, cap in (
        ("c2-1-transport-cross-province", cross, 5_000_000),
        ("c2-1-transport-in-province", inside, 3_000_000),
    ):
        outcome = governed(pl.coalesce(window(c("person.departure_date")), benefit(
            [c("person.poverty_alleviated"), c("person.organised_work"), scope],
            granted=had(rule))))  # fmt: skip
        amount = pl.when(cost.is_not_null()).then(_cents(pl.min_horizontal(cost, cap).clip(0), 4))
        rules[rule] = ("person", outcome, amount)
    columns = []
    for rule, (subject, outcome, amount) in rules.items():
        here = present(frame, subject)
        columns.append(pl.when(here).then(outcome).alias(rule))
        if amount is not None:
            columns.append(
                pl.when(here & (outcome == "eligible")).then(amount).alias(rule + ":amount")
            )
    return frame.lazy().select("case_id", *columns).collect()


def _cents(value: pl.Expr, scale: int) -> pl.Expr:
    step = 10 ** (scale - 2)
    return (value + step // 2) // step


def fund_totals(frame: pl.DataFrame, decided: pl.DataFrame) -> dict[str, int]:
    """Cents per fund: cross-province transport from the bridging fund up to the county's quota
    (the employment fund the rest; not split when the quota is unknown), in-province transport
    from the employment fund."""
    quota = frame.get_column("county.cross_province_quota_remaining").clip(0)
    split = pl.DataFrame(
        {"amount": decided.get_column("c2-1-transport-cross-province:amount"), "quota": quota}
    ).filter(pl.col("amount").is_not_null() & pl.col("quota").is_not_null())
    first = split.select(pl.min_horizontal("amount", (pl.col("quota") + 50) // 100)).to_series()
    inside = decided.get_column("c2-1-transport-in-province:amount").sum()
    return {
        "bridging_fund_cross_province": int(first.sum() or 0),
        "employment_subsidy_fund": int((split.get_column("amount").sum() or 0) - (first.sum() or 0))
        + int(inside or 0),
    }
