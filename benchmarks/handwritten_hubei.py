"""The 18 computable rules of 鄂人社发〔2021〕25号, written by hand in plain Python.

The baseline of `benchmarks/bench_decide.py`: what a programmer would write for this one notice
without `clause`, reading the same normalised facts as `engine.evaluate.decide` (Decimal numbers,
`datetime.date` dates, tuples for scalar lists, lists of dicts for grant records, missing facts
absent) and giving, for every rule whose subject is in the facts, the outcome, the amount, the
funding split and the missing facts ranked as the engine ranks them. It is also an independent
second reading of the rule files (`policies/hubei/ehrs-2021-25/rules/*.yaml`), so the benchmark
checks it agrees with the engine before timing anything. When a rule file changes, change its
function here too; the benchmark's agreement check says which.

Semantics written out here, from DESIGN.md "A decision" and issue 4:
- Version: each rule has one version; its effective date (a fact date, a date computed from
  one, or the decision date) must be inside the notice's window 2021-08-16 .. 2025-12-31 and
  the version's window, else `not_applicable`. A missing effective date is `undetermined`,
  listing that fact.
- Missing facts: three-valued. An unknown value is a frozenset of the fact paths that would
  settle it; `false and unknown` is false, `true or unknown` is true (Kleene).
- Benefits: a false condition, a true `unless`, or an earlier grant of a one-off benefit makes
  the case ineligible, even if other facts are missing; otherwise any unknown makes it
  undetermined; otherwise eligible. No grant history at all is unknown, never "no grant".
- Obligations: a false scope condition is `not_applicable`; a broken requirement with the
  scope known is a `violation`; otherwise unknowns make it undetermined; else `compliant`.
- 返乡创业 5000 overrides 2000: an eligible 5000 makes the 2000 `not_applicable` (no amount); an
  undetermined 5000 makes an eligible 2000 undetermined (it may yet be superseded), with the
  5000's missing facts and no amount (nothing is payable until the 5000 is settled).
- Amounts: exact Decimal, rounded half up to 0.01 yuan. A parameter the notice leaves to other
  regulations or localities has no configured value, so those amounts are None.
- Funding (二（一） cross-province transport): the county's remaining quota of the bridging
  fund pays first, the employment subsidy fund the shortfall. With the quota unknown (no county
  facts), only the order of sources is known: every share is None, as the facts schema says.
  With the fare unknown (the amount is up to 500), a quota of 0 leaves the bridging fund 0 and
  the employment fund the whole; a quota of 500 or more the reverse; otherwise both are None.
- Events: the on-the-job training subsidy is refused when no training was held (held false, no
  start date); a public-welfare job with no agreement signed is judged on the decision date.
- 原则上: the subsidy standard above the local urban level needs an exception
  (`exception_needed`), never a violation; with the level not configured it is undetermined.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

NOTICE_START = date(2021, 8, 16)  # 本文件自印发之日起实施
NOTICE_END = date(2025, 12, 31)  # 政策执行期限截止2025年12月31日
END_2021 = date(2021, 12, 31)  # 二（六）政策执行时间至2021年底; 二（十一）政策至2021年底

CENT = Decimal("0.01")
ZERO = Decimal(0)
ZERO_CENTS = Decimal("0.00")
AWARD_PER_HIRE = Decimal("2000.00")  # 二（三）按每吸纳1人补贴2000元
STARTUP = Decimal("2000.00")  # 二（七）给予2000元的一次性创业补贴
STARTUP_RETURNING = Decimal("5000.00")  # 二（七）属于返乡创业的，按规定给予5000元
CROSS_PROVINCE_CAP = Decimal(500)  # 二（一）按每人不超过500元
IN_PROVINCE_CAP = Decimal(300)  # 二（一）按每人不超过300元
RAISE = Decimal("1.2")  # 二（十一）培训补贴标准提高20%
WAGE_SHARE = Decimal("0.15")  # 二（五）劳务报酬发放比例不低于项目资金的15%

# Parameters the notice does not set (按规定 / 当地确定): no value configured, so no amount.
SERVICE_SUBSIDY_PER_PERSON: Decimal | None = None  # 二（一）可按规定给予就业创业服务补助
TRAINING_MONTHLY_RATE: Decimal | None = None  # 二（六）以工代训职业培训补贴月标准
LOCAL_URBAN_LEVEL: dict[str, Decimal] = {}  # 二（九）当地城镇公益性岗位补贴水平, per county
RELOCATED_POST_SHARE: dict[str, Decimal] = {}  # 二（十二）一定比例, per county

BRIDGING_FUND = "bridging_fund_cross_province"
EMPLOYMENT_FUND = "employment_subsidy_fund"
STARTUP_PROGRAM = "一次性创业补贴"
TRAINING_PROGRAM = "以工代训"

HR_AGENCY_KINDS = ("人力资源服务机构", "劳务经纪人")
TRAINING_EMPLOYER_KINDS = ("企业", "农民专业合作社", "家庭农场", "个体工商户")
SMALL_BUSINESS_KINDS = ("小微企业", "个体经营")

EMPTY: Mapping[str, Any] = {}


class Decided(NamedTuple):
    rule: str
    outcome: str
    amount: Decimal | None = None
    funding: tuple[tuple[str, Decimal | None], ...] = ()
    missing: tuple[str, ...] = ()


class _Unknowns(dict[str, frozenset[str]]):
    """One unknown value per fact path, built on first use and shared after."""

    def __missing__(self, path: str) -> frozenset[str]:
        value = self[path] = frozenset((path,))
        return value


U = _Unknowns()


def _and(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return a | b


def _or(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return a | b


def _fact(entity: Mapping[str, Any], key: str, path: str) -> Any:
    value = entity.get(key)
    return U[path] if value is None else value


def _differs(a: Any, b: Any) -> Any:
    """a != b in three-valued logic: unknown (the facts of both) when either is unknown."""
    unknown = [v for v in (a, b) if isinstance(v, frozenset)]
    if unknown:
        return frozenset().union(*unknown)
    return a != b


def _not(a: Any) -> Any:
    return a if isinstance(a, frozenset) else not a


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _rank(unknowns: list[frozenset[str]]) -> tuple[str, ...]:
    """Missing facts: those settling the most open conditions first, then condition order."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, paths in enumerate(unknowns):
        for path in paths:
            counts[path] = counts.get(path, 0) + 1
            if path not in first:
                first[path] = i
    return tuple(sorted(counts, key=lambda p: (-counts[p], first[p], p)))


def _outside(day: date, start: date, end: date) -> bool:
    """Outside the notice's window or the version's own."""
    return day < NOTICE_START or day > NOTICE_END or day < start or day > end


def _benefit(
    rule: str, conds: tuple[Any, ...], unless: tuple[Any, ...] = (), once: Any = False
) -> Decided | None:
    """The outcome when it is not eligible; None when eligible (the caller adds the amount).
    `once` is True when already granted, False when not, a frozenset when unknown."""
    if False in conds or True in unless or once is True:
        return Decided(rule, "ineligible")
    unknowns = [v for v in (*conds, *unless, once) if v.__class__ is frozenset]
    if unknowns:
        return Decided(rule, "undetermined", missing=_rank(unknowns))
    return None


def _obligation(
    rule: str, scope: tuple[Any, ...], requires: tuple[Any, ...], principle: tuple[Any, ...] = ()
) -> Decided:
    """`principle`: requirements that hold 原则上, after the plain ones."""
    if False in scope:
        return Decided(rule, "not_applicable")
    scope_unknown = any(v.__class__ is frozenset for v in scope)
    if False in requires and not scope_unknown:
        return Decided(rule, "violation")
    unknowns = [v for v in (*scope, *requires, *principle) if v.__class__ is frozenset]
    if unknowns:
        return Decided(rule, "undetermined", missing=_rank(unknowns))
    if False in principle:
        return Decided(rule, "exception_needed")
    return Decided(rule, "compliant")


def _granted(entity: Mapping[str, Any], program: str, path: str) -> Any:
    grants = entity.get("grants")
    if grants is None:
        return U[path]
    return any(grant.get("program") == program for grant in grants)


def _contract_one_year(person: Mapping[str, Any]) -> Any:
    """签订1年以上劳动合同: a labour contract, open-ended or of at least 12 months."""
    months = person.get("contract_months")
    at_least_12 = U["person.contract_months"] if months is None else months >= 12
    return _and(
        _fact(person, "labour_contract", "person.labour_contract"),
        _or(_fact(person, "contract_open_ended", "person.contract_open_ended"), at_least_12),
    )


# -- 二（一） -------------------------------------------------------------------------------


def agency_service_subsidy(facts: Mapping[str, Any], on: date) -> Decided:
    rule = "c2-1-agency-service-subsidy"
    agency = facts["agency"]
    person = facts.get("person") or EMPTY
    employer = facts.get("employer") or EMPTY
    hired = person.get("hire_date")
    if hired is None:
        return Decided(rule, "undetermined", missing=("person.hire_date",))
    if _outside(hired, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    kind = agency.get("kind")
    ekind = employer.get("kind")
    decided = _benefit(
        rule,
        (
            U["agency.kind"] if kind is None else kind in HR_AGENCY_KINDS,
            _fact(agency, "organised_placement", "agency.organised_placement"),
            _fact(person, "poverty_alleviated", "person.poverty_alleviated"),
            U["employer.kind"] if ekind is None else ekind == "企业",
            _contract_one_year(person),
            _fact(person, "social_insurance", "person.social_insurance"),
        ),
    )
    if decided is not None:
        return decided
    amount = None if SERVICE_SUBSIDY_PER_PERSON is None else _cents(SERVICE_SUBSIDY_PER_PERSON)
    return Decided(rule, "eligible", amount)


def _transport(
    facts: Mapping[str, Any], on: date, rule: str, scope: str, cap: Decimal, cross: bool
) -> Decided:
    person = facts["person"]
    departed = person.get("departure_date")
    if departed is None:
        return Decided(rule, "undetermined", missing=("person.departure_date",))
    if _outside(departed, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    home = _fact(person, "home_province", "person.home_province")
    work = _fact(person, "work_province", "person.work_province")
    if cross:
        in_scope = _differs(work, home)
    else:
        county = _fact(person, "home_county", "person.home_county")
        work_county = _fact(person, "work_county", "person.work_county")
        in_scope = _and(_not(_differs(work, home)), _differs(work_county, county))
    unpaid: tuple[tuple[str, Decimal | None], ...] = (
        ((BRIDGING_FUND, None), (EMPLOYMENT_FUND, None)) if cross else ((EMPLOYMENT_FUND, None),)
    )
    decided = _benefit(
        rule,
        (
            _fact(person, "poverty_alleviated", "person.poverty_alleviated"),
            _fact(person, "organised_work", "person.organised_work"),
            in_scope,
        ),
        once=_granted(person, rule, "person.grants"),
    )
    if decided is not None:
        return decided._replace(funding=unpaid)
    cost = person.get("transport_cost")
    quota = (facts.get("county") or EMPTY).get("cross_province_quota_remaining")
    if cost is None:
        if cross and quota is not None and quota <= 0:
            return Decided(
                rule, "eligible", None, ((BRIDGING_FUND, ZERO_CENTS), (EMPLOYMENT_FUND, None))
            )
        if cross and quota is not None and quota >= cap:
            return Decided(
                rule, "eligible", None, ((BRIDGING_FUND, None), (EMPLOYMENT_FUND, ZERO_CENTS))
            )
        return Decided(rule, "eligible", None, unpaid)
    amount = _cents(max(min(cost, cap), ZERO))
    if not cross:
        return Decided(rule, "eligible", amount, ((EMPLOYMENT_FUND, amount),))
    if quota is None:
        return Decided(rule, "eligible", amount, unpaid)
    first = _cents(min(amount, max(quota, ZERO)))
    rest = amount - first
    second = _cents(rest) if rest > 0 else ZERO_CENTS
    return Decided(rule, "eligible", amount, ((BRIDGING_FUND, first), (EMPLOYMENT_FUND, second)))


def transport_cross_province(facts: Mapping[str, Any], on: date) -> Decided:
    return _transport(
        facts, on, "c2-1-transport-cross-province", "跨省", CROSS_PROVINCE_CAP, cross=True
    )


def transport_in_province(facts: Mapping[str, Any], on: date) -> Decided:
    return _transport(
        facts, on, "c2-1-transport-in-province", "省内县外", IN_PROVINCE_CAP, cross=False
    )


# -- 二（十一） ------------------------------------------------------------------------------


def training_subsidy_raise(facts: Mapping[str, Any], on: date) -> Decided:
    rule = "c2-11-training-subsidy-raise"
    person = facts["person"]
    training = person.get("skills_training") or EMPTY
    start = training.get("start_date")
    if start is None:
        return Decided(rule, "undetermined", missing=("person.skills_training.start_date",))
    if _outside(start, NOTICE_START, END_2021):
        return Decided(rule, "not_applicable")
    decided = _benefit(
        rule,
        (
            _or(
                _fact(person, "poverty_alleviated", "person.poverty_alleviated"),
                _fact(
                    person,
                    "poverty_alleviated_family_child",
                    "person.poverty_alleviated_family_child",
                ),
            ),
            _fact(training, "subsidy_eligible", "person.skills_training.subsidy_eligible"),
        ),
    )
    if decided is not None:
        return decided
    base = training.get("standard_subsidy")
    return Decided(rule, "eligible", None if base is None else _cents(base * RAISE))


# -- 二（十二） ------------------------------------------------------------------------------


def resettlement_service_station(facts: Mapping[str, Any], on: date) -> Decided:
    rule = "c2-12-resettlement-service-station"
    if _outside(on, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    site = facts["resettlement_site"]
    population = site.get("population")
    staff = site.get("full_time_staff")
    return _obligation(
        rule,
        (U["resettlement_site.population"] if population is None else population >= 800,),
        (
            _or(
                _fact(site, "service_station", "resettlement_site.service_station"),
                _fact(site, "service_window", "resettlement_site.service_window"),
            ),
            U["resettlement_site.full_time_staff"] if staff is None else staff >= 1,
        ),
    )


# -- 二（三） -------------------------------------------------------------------------------


def employer_hiring_award(facts: Mapping[str, Any], on: date) -> Decided:
    rule = "c2-3-employer-hiring-award"
    employer = facts["employer"]
    person = facts.get("person") or EMPTY
    hired = person.get("hire_date")
    if hired is None:
        return Decided(rule, "undetermined", missing=("person.hire_date",))
    if _outside(
        _one_year_after(hired), NOTICE_START, NOTICE_END
    ):  # 实现就业1年以上: the year's end
        return Decided(rule, "not_applicable")
    kind = employer.get("kind")
    months = person.get("employment_months")
    decided = _benefit(
        rule,
        (
            U["employer.kind"] if kind is None else kind == "企业",
            _fact(person, "poverty_alleviated", "person.poverty_alleviated"),
            _contract_one_year(person),
            U["person.employment_months"] if months is None else months >= 12,
        ),
    )
    return decided or Decided(rule, "eligible", AWARD_PER_HIRE)


# -- 二（五） -------------------------------------------------------------------------------


def work_relief_remuneration(facts: Mapping[str, Any], on: date) -> Decided:
    rule = "c2-5-work-relief-remuneration"
    project = facts["project"]
    approved = project.get("approval_date")
    if approved is None:
        return Decided(rule, "undetermined", missing=("project.approval_date",))
    if _outside(approved, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    wages = project.get("labour_remuneration")
    funds = project.get("funds")
    if wages is None or funds is None:
        share: Any = (U["project.labour_remuneration"] if wages is None else frozenset()) | (
            U["project.funds"] if funds is None else frozenset()
        )
    else:
        share = wages >= WAGE_SHARE * funds
    return _obligation(
        rule,
        (
            _fact(project, "rural_infrastructure", "project.rural_infrastructure"),
            _fact(project, "work_relief", "project.work_relief"),
        ),
        (share,),
    )


# -- 二（六） -------------------------------------------------------------------------------


def _months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (民法典 第二百零二条), for end >= start - 1 month."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, months) > end:
        months -= 1
    return months


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month0]  # fmt: skip
    return date(year, month0 + 1, min(day.day, last))


def on_the_job_training_subsidy(facts: Mapping[str, Any], on: date) -> Decided:
    """Refused when no training was held; the months counted from the dates: the start day
    included, up to the end date, 2021-12-31 and the decision date, at most 6."""
    rule = "c2-6-on-the-job-training-subsidy"
    employer = facts["employer"]
    person = facts.get("person") or EMPTY
    training = person.get("on_the_job_training") or EMPTY
    start = training.get("start_date")
    if start is None:
        held = training.get("held")
        if held is False:
            return Decided(rule, "ineligible")
        missing = ("person.on_the_job_training.start_date",)
        if held is None:
            missing = ("person.on_the_job_training.held", *missing)
        return Decided(rule, "undetermined", missing=missing)
    if _outside(start, NOTICE_START, END_2021):
        return Decided(rule, "not_applicable")
    kind = employer.get("kind")
    end = training.get("end_date")
    months: Any = (
        U["person.on_the_job_training.end_date"]
        if end is None
        else _months_between(start - timedelta(days=1), min(end, END_2021, on))
    )
    grants = person.get("grants")
    # "以工代训" in person.grants.program: a grant record without a programme is unknown.
    if grants is None:
        already: Any = U["person.grants.program"]
    else:
        programs = [g.get("program") for g in grants]
        already = U["person.grants.program"] if None in programs else TRAINING_PROGRAM in programs
    decided = _benefit(
        rule,
        (
            _or(
                U["employer.kind"] if kind is None else kind in TRAINING_EMPLOYER_KINDS,
                _fact(employer, "assistance_workshop", "employer.assistance_workshop"),
            ),
            _fact(person, "poverty_alleviated", "person.poverty_alleviated"),
            months if months.__class__ is frozenset else months >= 1,
        ),
        unless=(already,),
    )
    if decided is not None:
        return decided
    if TRAINING_MONTHLY_RATE is None:
        return Decided(rule, "eligible", None)
    return Decided(rule, "eligible", _cents(TRAINING_MONTHLY_RATE * max(min(months, 6), 0)))


# -- 二（七） -------------------------------------------------------------------------------


def _one_year_after(day: date) -> date:
    """The corresponding day a year later, or the month's last day (民法典 第二百零二条)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _startup(facts: Mapping[str, Any], on: date, rule: str, returning: bool) -> Decided:
    """The version is chosen by the day the year of business is complete (licence + 12 months):
    the notice applies when that day is in its window, whatever the licence date itself."""
    person = facts["person"]
    business = facts.get("business") or EMPTY
    licensed = business.get("licence_date")
    if licensed is None:
        return Decided(rule, "undetermined", missing=("business.licence_date",))
    year_complete = _one_year_after(licensed)
    if _outside(year_complete, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    kind = business.get("kind")
    conds = (
        _fact(person, "poverty_alleviated", "person.poverty_alleviated"),
        U["business.kind"] if kind is None else kind in SMALL_BUSINESS_KINDS,
        _and(
            _fact(business, "operating_normally", "business.operating_normally"),
            year_complete <= on,
        ),
    )
    if returning:
        conds = (*conds, _fact(person, "returning_entrepreneur", "person.returning_entrepreneur"))
    decided = _benefit(rule, conds, once=_granted(person, STARTUP_PROGRAM, "person.grants"))
    return decided or Decided(rule, "eligible", STARTUP_RETURNING if returning else STARTUP)


# -- 二（九） -------------------------------------------------------------------------------


def public_welfare_job_management(facts: Mapping[str, Any], on: date) -> Decided:
    """Dated by the agreement's start; with no agreement signed, by the decision date (the
    missing agreement is itself the violation)."""
    rule = "c2-9-public-welfare-job-management"
    job = facts["public_welfare_job"]
    start = job.get("agreement_start_date")
    signed = job.get("agreement_signed")
    if start is None and signed is None:
        return Decided(rule, "undetermined", missing=("public_welfare_job.agreement_signed",))
    if start is None and signed:
        return Decided(rule, "undetermined", missing=("public_welfare_job.agreement_start_date",))
    if _outside(start if start is not None else on, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    months = job.get("agreement_months")
    within = U["public_welfare_job.agreement_months"] if months is None else months <= 12
    signed_value = U["public_welfare_job.agreement_signed"] if signed is None else signed
    return _obligation(
        rule,
        (_fact(job, "rural", "public_welfare_job.rural"),),
        (
            _fact(job, "accident_insurance", "public_welfare_job.accident_insurance"),
            signed_value,
            _or(signed_value if signed_value.__class__ is frozenset else not signed, within),
        ),
    )


def public_welfare_job_subsidy(facts: Mapping[str, Any], on: date) -> Decided:
    """The standard set locally for the job, paid as set."""
    rule = "c2-9-public-welfare-job-subsidy"
    if _outside(on, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    job = facts["public_welfare_job"]
    decided = _benefit(
        rule,
        (
            _fact(job, "rural", "public_welfare_job.rural"),
            _fact(job, "in_post", "public_welfare_job.in_post"),
        ),
    )
    if decided is not None:
        return decided
    standard = job.get("monthly_subsidy")
    return Decided(rule, "eligible", None if standard is None else _cents(max(standard, ZERO)))


def public_welfare_job_subsidy_standard(facts: Mapping[str, Any], on: date) -> Decided:
    """原则上不高于当地城镇公益性岗位补贴水平: above it needs a documented exception."""
    rule = "c2-9-public-welfare-job-subsidy-standard"
    if _outside(on, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    job = facts["public_welfare_job"]
    level = LOCAL_URBAN_LEVEL.get(job.get("locality") or "")
    standard = job.get("monthly_subsidy")
    if level is None or standard is None:
        not_above: Any = (
            U["public_welfare_job.monthly_subsidy"] if standard is None else frozenset()
        ) | (U["param.public_welfare_job.local_urban_level"] if level is None else frozenset())
    else:
        not_above = standard <= level
    return _obligation(rule, (_fact(job, "rural", "public_welfare_job.rural"),), (), (not_above,))


# -- 二（二）、（十）: duties of localities ----------------------------------------------------


def region_duties(facts: Mapping[str, Any], on: date) -> list[Decided]:
    region = facts["region"]
    rules = (
        "c2-10-employment-lists",
        "c2-2-receiving-area-supply-list",
        "c2-2-sending-area-demand-list",
    )
    if _outside(on, NOTICE_START, NOTICE_END):
        return [Decided(rule, "not_applicable") for rule in rules]
    f = lambda key: _fact(region, key, f"region.{key}")  # noqa: E731
    return [
        _obligation(
            rules[0],
            (),
            (
                f("employed_list"),
                f("unemployed_list"),
                f("planned_migrant_list"),
                f("lists_updated"),
            ),
        ),
        _obligation(rules[1], (f("labour_receiving"),), (f("supply_list"),)),
        _obligation(rules[2], (f("labour_sending"),), (f("demand_list"),)),
    ]


# -- 二（十二）、（六）: posts for relocated people, loans for workshops ----------------------


def resettlement_job_share(facts: Mapping[str, Any], on: date) -> Decided:
    rule = "c2-12-resettlement-job-share"
    project = facts["project"]
    approved = project.get("approval_date")
    if approved is None:
        return Decided(rule, "undetermined", missing=("project.approval_date",))
    if _outside(approved, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    posts = project.get("relocated_posts")
    total = project.get("posts_total")
    share = RELOCATED_POST_SHARE.get(project.get("locality") or "")
    if posts is None or total is None or share is None:
        reached: Any = (
            (U["project.relocated_posts"] if posts is None else frozenset())
            | (U["param.resettlement.relocated_post_share"] if share is None else frozenset())
            | (U["project.posts_total"] if total is None else frozenset())
        )
    else:
        reached = posts >= share * total
    return _obligation(
        rule,
        (
            _or(
                _fact(project, "government_invested", "project.government_invested"),
                _fact(project, "public_service", "project.public_service"),
            ),
            _fact(project, "resettlement_area", "project.resettlement_area"),
        ),
        (U["project.relocated_posts"] if posts is None else posts >= 1, reached),
    )


def workshop_loan_priority(facts: Mapping[str, Any], on: date) -> Decided:
    rule = "c2-6-workshop-loan-priority"
    loan = facts["loan_application"]
    applied = loan.get("application_date")
    if applied is None:
        return Decided(rule, "undetermined", missing=("loan_application.application_date",))
    if _outside(applied, NOTICE_START, NOTICE_END):
        return Decided(rule, "not_applicable")
    return _obligation(
        rule,
        (
            _fact(loan, "applicant_workshop", "loan_application.applicant_workshop"),
            _fact(loan, "meets_conditions", "loan_application.meets_conditions"),
        ),
        (_fact(loan, "priority_given", "loan_application.priority_given"),),
    )


# -- all rules -------------------------------------------------------------------------------


PERSON_RULES = (
    "c2-1-transport-cross-province",
    "c2-1-transport-in-province",
    "c2-11-training-subsidy-raise",
    "c2-7-startup-subsidy",
    "c2-7-startup-subsidy-returning",
)


HUBEI_PLACES = {"十堰市", "竹山县", "竹溪县", "郧西县", "房县", "丹江口市", "洪山区", "武汉市"}


def _jurisdiction(person: Mapping[str, Any]) -> Decided | None:
    """The notice governs Hubei's people: the most specific home place known decides (a
    county or city of Hubei is inside); elsewhere not applicable, unknown undetermined."""
    for key in ("home_county", "home_city"):
        place = person.get(key)
        if place is not None:
            return None if place in HUBEI_PLACES else Decided("", "not_applicable")
    home = person.get("home_province")
    if home == "湖北省":
        return None
    if home is None:
        return Decided("", "undetermined", missing=("person.home_province",))
    return Decided("", "not_applicable")


def decide(facts: Mapping[str, Any], on: date) -> list[Decided]:
    """Every rule whose subject is in `facts`, sorted by rule id, overrides applied."""
    decided = _decide(facts, on)
    person = facts.get("person")
    outside = _jurisdiction(person) if person.__class__ is dict else None
    if outside is None:
        return decided
    return sorted(
        (outside._replace(rule=d.rule) if d.rule in PERSON_RULES else d for d in decided),
        key=lambda d: d.rule,
    )


def _decide(facts: Mapping[str, Any], on: date) -> list[Decided]:
    out: list[Decided] = []
    agency = facts.get("agency")
    person = facts.get("person")
    employer = facts.get("employer")
    if agency.__class__ is dict:
        out.append(agency_service_subsidy(facts, on))
    if person.__class__ is dict:
        out.append(transport_cross_province(facts, on))
        out.append(transport_in_province(facts, on))
        out.append(training_subsidy_raise(facts, on))
    if facts.get("resettlement_site").__class__ is dict:
        out.append(resettlement_service_station(facts, on))
    if employer.__class__ is dict:
        out.append(employer_hiring_award(facts, on))
    if facts.get("project").__class__ is dict:
        out.append(work_relief_remuneration(facts, on))
    if employer.__class__ is dict:
        out.append(on_the_job_training_subsidy(facts, on))
    if facts.get("loan_application").__class__ is dict:
        out.append(workshop_loan_priority(facts, on))
    if facts.get("region").__class__ is dict:
        out.extend(region_duties(facts, on))
    if facts.get("project").__class__ is dict:
        out.append(resettlement_job_share(facts, on))
    if person.__class__ is dict:
        two = _startup(facts, on, "c2-7-startup-subsidy", returning=False)
        five = _startup(facts, on, "c2-7-startup-subsidy-returning", returning=True)
        if five.outcome == "eligible":
            two = Decided(two.rule, "not_applicable", None, (), two.missing)
        elif five.outcome == "undetermined" and two.outcome == "eligible":
            two = Decided(two.rule, "undetermined", None, (), five.missing)
        out.append(two)
        out.append(five)
    if facts.get("public_welfare_job").__class__ is dict:
        out.append(public_welfare_job_management(facts, on))
        out.append(public_welfare_job_subsidy(facts, on))
        out.append(public_welfare_job_subsidy_standard(facts, on))
    return sorted(out, key=lambda d: d.rule)
