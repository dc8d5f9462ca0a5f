"""Differential tests: the columnar backend decides exactly as the decision core does.

Hypothesis builds policy libraries on the facts of the `mini` fixture — rules of either kind,
one or two versions with effective dates and events (a version whose event did not happen is
skipped), conditions and exceptions in three-valued logic, some held in principle (原则上:
exception_needed), date parts, other rules' outcomes read with `outcome("id")`, every amount
form (fixed, parameter and parameter percentages, cap, floor, computed, per unit, percentage,
per other regulation; with localities and an unconfigured parameter), funding chains with
literal, zero and fact quotas (shares known from the quotas when the amount is not), `once`
limits over the grant history (ever, per year, per N months, within dates; several at once),
overrides between rules, a document governing one place only (a person's locality decides) —
and registers of cases with missing facts, grant histories and numbers the fixed-point
columns cannot carry. Rules the compiler leaves to the record path
(a division) and the rules tied to them go there whole. The record backend (`decide` itself)
is the oracle: outcomes, versions, amounts, funding shares and quotas, missing lists and row
errors must be equal, row for row.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from clause.engine.api import open_library
from clause.engine.batch.backend import BackendConfig, RecordBackend
from clause.engine.columnar.backend import ColumnarBackend
from clause.engine.decide.funding import QUOTA_UNKNOWN
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.syntax import expr_origin, parse_expr
from clause.engine.expr.types import BOOL, NUMBER
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.load.package import load_package
from clause.engine.model import (
    Amount,
    Condition,
    Expr,
    FundingSource,
    Money,
    OnceLimit,
    Period,
    Place,
    Rule,
    Version,
    Window,
)

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
PACKAGE = load_package(MINI).package
assert PACKAGE is not None
SPAN = PACKAGE.rules[0].span
ON = st.sampled_from([date(2030, 6, 1), date(2031, 12, 31), date(2033, 1, 15)])

PERSON_ATOMS = [
    "person.poverty_alleviated",
    "person.organised",
    'person.scope == "跨省"',
    'person.scope in ["省内县外", "县内"]',
    "person.transport_cost >= 500",
    "person.transport_cost * 0.15 < 100.5",
    "years_between(person.licence_date, decision_date) >= 1",
    "months_between(person.departure_date, decision_date) < 18",
    "add_months(person.departure_date, 6) <= decision_date",
    "person.training_months >= 3",
    "exists(person.locality)",
    '"training" in person.grants.program',
    "if person.organised then person.transport_cost > 300 else person.returned_home",
    "min(person.transport_cost, 800) > 200",
    "round(person.transport_cost * 0.5) == 300",
    "person.transport_cost / 2 > 100",  # division: a rule on the record path
    "month(person.departure_date) <= 6 and day(person.licence_date) > 15",
    "year(person.departure_date) == year(decision_date)",
]
EVENTS = [
    "person.returned_home",
    "exists(person.licence_date)",
    "person.departure_date <= decision_date",
    "param.training.monthly_rate > 100",  # no parameter when the version is chosen: unknown
]
SITE_ATOMS = ["site.residents >= 800", "site.has_station", "site.full_time_staff >= 1"]


def expr(text: str, expect: Any, kinds: dict[str, str] | None = None) -> Expr:
    """A checked expression; `kinds`: the rules whose outcome it may read, by kind."""
    origin = expr_origin(text)
    env = replace(PACKAGE.env, rules=kinds or {})
    node = check_expr(parse_expr(text, origin), env, origin, expect=expect)
    return Expr(text, node, compile_expr(node), SPAN)


OUTCOME_WORDS = {
    "benefit": ["eligible", "ineligible", "exception_needed", "not_applicable"],
    "obligation": ["compliant", "violation", "exception_needed", "not_applicable"],
}


@st.composite
def outcome_atom(draw: Any, kinds: dict[str, str]) -> str:
    """A read of an earlier rule's outcome (none: a fact)."""
    rid = draw(st.sampled_from(sorted(kinds)))
    word = draw(st.sampled_from(OUTCOME_WORDS[kinds[rid]]))
    return draw(st.sampled_from([f'outcome("{rid}") == "{word}"', f'outcome("{rid}") != "{word}"']))


@st.composite
def conditions(
    draw: Any, atoms: list[str], most: int, kinds: dict[str, str], principle: bool = False
) -> tuple[Condition, ...]:
    """Up to `most` checks; some read earlier rules' outcomes (`kinds`), and with `principle`
    some are held in principle."""
    out = []
    for i in range(draw(st.integers(0, most))):
        pool = st.sampled_from(atoms)
        if kinds and draw(st.integers(0, 3)) == 0:
            pool = outcome_atom(kinds)
        text = draw(pool)
        if draw(st.booleans()):
            other = draw(st.sampled_from(atoms))
            text = f"({text}) {draw(st.sampled_from(['and', 'or']))} not ({other})"
        held = principle and draw(st.integers(0, 2)) == 0
        out.append(Condition(f"c{i}", expr(text, BOOL, kinds), "quote", SPAN, in_principle=held))
    return tuple(out)


def money(draw: Any) -> Money:
    return draw(
        st.sampled_from(
            [
                Money(Decimal("500")),
                Money(Decimal("123.455")),
                Money(param="training.monthly_rate"),
                Money(param="training.monthly_rate", percent=Decimal("50")),
                Money(param="training.monthly_rate", percent=Decimal("33.3")),
            ]
        )
    )


COMPUTED = ["person.transport_cost * 0.8", "person.transport_cost - 600", "person.training_months"]


@st.composite
def amounts(draw: Any) -> Amount | None:
    kind = draw(
        st.sampled_from(
            ["fixed", "parameter", "cap", "floor", "computed", "per_unit", "percentage",
             "per_other_regulation", "-"]
        )
    )  # fmt: skip
    if kind == "-":
        return None
    cost = expr("person.transport_cost", NUMBER)
    if kind in ("fixed", "parameter", "per_other_regulation"):
        return Amount(kind, "q", SPAN, value=money(draw), refers_to="other")
    if kind in ("cap", "floor"):
        return Amount(kind, "q", SPAN, value=money(draw), claimed=cost)
    if kind == "computed":
        return Amount(kind, "q", SPAN, claimed=expr(draw(st.sampled_from(COMPUTED)), NUMBER))
    if kind == "per_unit":
        count = expr("person.training_months", NUMBER)
        top = draw(st.sampled_from([None, 0, 6]))
        return Amount(kind, "q", SPAN, value=money(draw), count=count, max_count=top)
    percent = draw(st.sampled_from([Decimal("12.5"), Decimal("30"), Decimal("0.333")]))
    return Amount(kind, "q", SPAN, of=cost, percent=percent)


@st.composite
def funding(draw: Any) -> tuple[FundingSource, ...]:
    out = []
    for fund in draw(st.lists(st.sampled_from(["bridging_fund", "employment_fund"]), max_size=3)):
        quota = draw(
            st.sampled_from(
                [None, Decimal("200"), Decimal("0"), Decimal("-5"), "person.transport_cost"]
            )
        )
        if isinstance(quota, str):
            quota = expr(quota, NUMBER)
        out.append(FundingSource(fund, "q", SPAN, quota))
    return tuple(out)


WINDOWS = [
    (Window(date(2030, 3, 1), None),),
    (Window(date(2030, 3, 1), date(2031, 6, 30)), Window(date(2031, 7, 1), date(2032, 12, 31))),
    (Window(date(2031, 1, 1), date(2031, 12, 31)),),
]
EFFECTIVE = [None, "person.departure_date", "add_months(person.licence_date, 12)"]
PERIODS = [
    None,
    Period("year"),
    Period("months", months=12),
    Period("months", months=1),
    Period("during", window=Window(date(2030, 1, 1), date(2031, 6, 30))),
]


@st.composite
def once_limits(draw: Any) -> tuple[OnceLimit, ...]:
    """No limit, or one or two: programmes (the rule's own when none) and a period."""
    out = []
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        programs = draw(st.sampled_from([(), ("training",), ("training", "startup")]))
        out.append(OnceLimit(programs, draw(st.sampled_from(PERIODS)), "q"))
    return tuple(out)


@st.composite
def rules(draw: Any, index: int, ids: list[str], kinds: dict[str, str]) -> Rule:
    """Rule `ids[index]`; `kinds`: the earlier rules (whose outcome it may read), by kind."""
    subject = draw(st.sampled_from(["person", "person", "site"]))
    kind = draw(st.sampled_from(["benefit", "benefit", "obligation"]))
    atoms = PERSON_ATOMS if subject == "person" else SITE_ATOMS
    versions = []
    for n, window in enumerate(draw(st.sampled_from(WINDOWS)), start=1):
        eff = draw(st.sampled_from(EFFECTIVE)) if subject == "person" else None
        event = None
        if subject == "person" and draw(st.integers(0, 3)) == 0:
            event = Condition("event", expr(draw(st.sampled_from(EVENTS)), BOOL), "q", SPAN)
        benefit = kind == "benefit"
        limits = draw(once_limits()) if benefit and subject == "person" else ()
        others = [i for i in ids if i != ids[index]]
        checks = draw(conditions(atoms, 3, kinds, principle=True))
        requires = draw(conditions(atoms, 2, kinds, principle=True)) if not benefit else ()
        versions.append(
            Version(
                n,
                date(2030, 3, 1),
                "x",
                window,
                SPAN,
                effective_date=expr(eff, None) if eff else None,
                event=event,
                conditions=checks,
                unless=draw(conditions(atoms, 1, kinds)) if benefit else (),
                requires=requires,
                amount=draw(amounts()) if benefit and subject == "person" else None,
                funding=draw(funding()) if benefit and subject == "person" else (),
                once=bool(limits),
                once_program=limits[0].programs[0] if limits and limits[0].programs else None,
                once_limits=limits,
                overrides=tuple(
                    draw(st.lists(st.sampled_from(others), max_size=1)) if others else ()
                ),
                in_principle=any(c.in_principle for c in (*checks, *requires)),
            )
        )
    return replace(PACKAGE.rules[0], id=ids[index], subject=subject, kind=kind,
                   versions=tuple(versions))  # fmt: skip


@st.composite
def libraries(draw: Any) -> Library:
    """A few rules; a rule reads only earlier rules' outcomes, and overrides that would close
    a cycle with those reads (which `clause check` rejects, R025) are dropped."""
    ids = [f"r{i}" for i in range(draw(st.integers(1, 4)))]
    made: list[Rule] = []
    for i in range(len(ids)):
        made.append(draw(rules(i, ids, {r.id: r.kind for r in made})))
    library = Library.of([replace(PACKAGE, rules=tuple(made))])
    tied = {rid for cycle in library.plan.cycles for rid in cycle}
    if tied:
        made = [
            replace(r, versions=tuple(replace(v, overrides=()) for v in r.versions))
            if r.id in tied
            else r
            for r in made
        ]
    assert not Library.of([replace(PACKAGE, rules=tuple(made))]).plan.cycles
    return placed(tuple(made), draw(st.sampled_from(JURISDICTIONS)))


@st.composite
def funded_libraries(draw: Any) -> Library:
    """One to three person benefits that are mostly eligible, each with an amount and a
    funding chain (the libraries of test_columnar_agree seldom reach an eligible amount)."""
    made = []
    for i in range(draw(st.integers(1, 3))):
        checks = draw(st.sampled_from([(), ("person.poverty_alleviated",), ("person.organised",)]))
        version = Version(
            1,
            date(2030, 3, 1),
            "x",
            Window(date(2030, 3, 1), None),
            SPAN,
            conditions=tuple(Condition(f"c{k}", expr(t, BOOL), "q", SPAN)
                             for k, t in enumerate(checks)),
            amount=draw(amounts().filter(lambda a: a is not None)),
            funding=draw(funding().filter(bool)),
        )  # fmt: skip
        rule = replace(PACKAGE.rules[0], id=f"r{i}", subject="person", kind="benefit",
                       versions=(version,))  # fmt: skip
        made.append(rule)
    return Library.of([replace(PACKAGE, rules=tuple(made))])


PLACES = (
    Place("中国", "national"),
    Place("甲省", "province", "中国"),
    Place("甲市", "city", "甲省"),
    Place("乙市", "city", "甲省"),
    Place("甲县", "county", "甲市"),
)
#: the document's place: none, or one at each level (a person's locality is a city)
JURISDICTIONS = [None, ("甲省", "province"), ("甲市", "city"), ("甲县", "county")]


def placed(rules: tuple[Rule, ...], jurisdiction: tuple[str, str] | None) -> Library:
    """A library of `rules`; with a jurisdiction, the document governs that place only, and
    a person's `locality` is a place fact (a city), so person rules are decided only for
    people of that place, undetermined when the locality is missing or too coarse."""
    if jurisdiction is None:
        return Library.of([replace(PACKAGE, rules=rules)])
    name, level = jurisdiction
    document = replace(PACKAGE.document, jurisdiction=name, level=level)
    schema = copy.deepcopy(dict(PACKAGE.facts_schema))
    schema["properties"]["person"]["properties"]["locality"]["x-place"] = "city"
    package = replace(PACKAGE, rules=rules, document=document)
    return Library.of([package], PLACES, schema, PACKAGE.env)


dates = st.dates(min_value=date(2029, 6, 1), max_value=date(2033, 6, 1))
cost = st.one_of(
    st.integers(0, 1500).map(Decimal),
    st.sampled_from([Decimal("499.995"), Decimal("0.00001"), Decimal("1E+30"), Decimal("-20")]),
)
PERSON = {
    "poverty_alleviated": st.booleans(),
    "organised": st.booleans(),
    "scope": st.sampled_from(["跨省", "省内县外", "县内"]),
    "departure_date": dates,
    "transport_cost": cost,
    "first_business": st.booleans(),
    "returned_home": st.booleans(),
    "licence_date": dates,
    "training_months": st.integers(-1, 14),
    "locality": st.sampled_from(["甲市", "乙市", "丙市", "甲县", "甲省"]),
    "grants": st.lists(
        st.fixed_dictionaries(
            {}, optional={"program": st.sampled_from(["training", "startup"]), "date": dates}
        ),
        max_size=2,
    ),
}
SITE = {
    "residents": st.integers(790, 810),
    "has_station": st.booleans(),
    "full_time_staff": st.integers(0, 2),
}


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for entity, fields in (("person", PERSON), ("site", SITE)):
        if draw(st.integers(0, 5)) == 0:
            continue
        every = draw(st.booleans())  # half the cases have every fact: more rules decided
        chosen = set(fields) if every else draw(st.sets(st.sampled_from(sorted(fields))))
        raw[entity] = {k: draw(fields[k]) for k in sorted(chosen)}
    return normalize_facts(_plain(raw), PACKAGE.env.facts)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@settings(max_examples=150, deadline=None)
@given(library=st.one_of(libraries(), funded_libraries()),
       register=st.lists(cases(), min_size=1, max_size=25), on=ON,
       chains=st.booleans())  # fmt: skip
def test_columnar_decides_as_the_core(
    library: Library, register: list[dict[str, Any]], on: date, chains: bool
) -> None:
    config = BackendConfig(on, chains=chains)
    batch = [(f"C{i}", facts) for i, facts in enumerate(register)]
    want = RecordBackend(library, config).decide(batch)
    got = ColumnarBackend(library, config).decide(batch)
    for case, mine, theirs in zip(batch, got, want, strict=True):
        assert _comparable(mine) == _comparable(theirs), _explain(library, case)


def _explain(library: Library, case: Any) -> str:
    lines = [f"facts: {case[1]}"]
    for rule in library.rules_by_id:
        for v in rule.versions:
            quotas = [(f.fund, f.quota.text if isinstance(f.quota, Expr) else f.quota)
                      for f in v.funding]  # fmt: skip
            lines.append(
                f"{rule.id} {rule.kind} {rule.subject} v{v.number} {v.window} eff="
                f"{v.effective_date.text if v.effective_date else None} "
                f"conds={[c.expr.text for c in v.conditions]} "
                f"unless={[c.expr.text for c in v.unless]} "
                f"requires={[c.expr.text for c in v.requires]} amount={v.amount and v.amount.kind}"
                f" funding={quotas}"
                f" event={v.event and v.event.expr.text}"
                f" principle={[c.id for c in (*v.conditions, *v.requires) if c.in_principle]}"
                f" amount={v.amount} once={v.once_limits} overrides={v.overrides}"
            )
    return "\n".join(lines)


def _comparable(result: Any) -> Any:
    if isinstance(result, list):
        return result
    return ("error", str(result))


def test_the_hubei_notice_compiles_whole() -> None:
    """Every rule of the shipped notice runs columnar: none falls back to the record path."""
    hubei = open_library(MINI.parents[2] / "policies" / "hubei" / "ehrs-2021-25")
    backend = ColumnarBackend(hubei, BackendConfig(date(2022, 12, 31)))
    assert backend.plan.fallback == {}
    assert len(backend.plan.rules) == len(hubei.rules_by_id)


def test_the_forms_package_compiles_whole_and_decides_its_cases_as_the_core() -> None:
    """The language-forms package (events, in-principle checks, a floor, computed amounts,
    periodic limits, a rule reading another's outcome) runs columnar, every rule compiled,
    and decides each of its policy test cases as the core does."""
    import yaml

    root = MINI.parent / "forms"
    library = open_library(root)
    cases = yaml.safe_load((root / "tests" / "cases.yaml").read_text(encoding="utf-8"))
    by_day: dict[date, list[tuple[str, Any]]] = {}
    for i, case in enumerate(cases):
        facts = normalize_facts(case["facts"], library.env.facts)
        by_day.setdefault(case["date"], []).append((f"C{i}", facts))
    for day, batch in sorted(by_day.items()):
        for chains in (False, True):
            config = BackendConfig(day, chains=chains)
            backend = ColumnarBackend(library, config)
            assert backend.plan.fallback == {}
            assert backend.decide(batch) == RecordBackend(library, config).decide(batch)
            assert backend.stats["rows on the record path (whole)"] == 0


def test_division_is_reported_as_a_fallback() -> None:
    rule = replace(
        PACKAGE.rules[0],
        id="halves",
        subject="person",
        kind="benefit",
        versions=(
            Version(1, date(2030, 3, 1), "x", WINDOWS[0][0], SPAN,
                    conditions=(Condition("c", expr("person.transport_cost / 2 > 1", BOOL),
                                          "q", SPAN),)),
        ),
    )  # fmt: skip
    library = Library.of([replace(PACKAGE, rules=(rule,))])
    backend = ColumnarBackend(library, BackendConfig(date(2031, 1, 1)))
    assert "division" in str(backend.plan.fallback["halves"])


def test_rules_tied_to_a_fallback_by_outcome_reads_go_with_it() -> None:
    """A rule reading the outcome of a rule on the record path, and a rule whose outcome
    that one reads, are decided with it on the record path, each named with its reason."""
    halves = Condition("c", expr("person.transport_cost / 2 > 1", BOOL), "q", SPAN)
    window = WINDOWS[0][0]

    def rule(rid: str, *checks: Condition) -> Rule:
        version = Version(1, date(2030, 3, 1), "x", window, SPAN, conditions=checks)
        return replace(PACKAGE.rules[0], id=rid, subject="person", kind="benefit",
                       versions=(version,))  # fmt: skip

    kinds = {"a-plain": "benefit", "b-halves": "benefit"}
    reads_a = Condition("r", expr('outcome("a-plain") == "eligible"', BOOL, kinds), "q", SPAN)
    reads_b = Condition("s", expr('outcome("b-halves") != "eligible"', BOOL, kinds), "q", SPAN)
    plain = Condition("p", expr("person.organised", BOOL), "q", SPAN)
    made = (
        rule("a-plain", plain),
        rule("b-halves", halves),
        rule("c-reads", reads_a, reads_b),
        rule("d-alone", plain),
    )
    library = Library.of([replace(PACKAGE, rules=made)])
    backend = ColumnarBackend(library, BackendConfig(date(2031, 1, 1)))
    assert sorted(backend.plan.fallback) == ["a-plain", "b-halves", "c-reads"]
    assert "division" in str(backend.plan.fallback["b-halves"])
    assert "outcome()" in str(backend.plan.fallback["c-reads"])
    assert "tied to c-reads" in str(backend.plan.fallback["a-plain"])
    assert [c.rule.id for c in backend.plan.rules] == ["d-alone"]
    facts = normalize_facts(
        {"person": {"organised": True, "transport_cost": 30}}, PACKAGE.env.facts
    )
    config = BackendConfig(date(2031, 1, 1))
    assert backend.decide([("x", facts)]) == RecordBackend(library, config).decide([("x", facts)])


quotas = st.lists(
    st.one_of(
        st.none(),
        st.just(QUOTA_UNKNOWN),
        st.integers(-500, 200_000).map(lambda n: Decimal(n).scaleb(-2)),
        st.integers(0, 2_000_000).map(lambda n: Decimal(n).scaleb(-4)),  # finer than cents
    ),
    min_size=1,
    max_size=4,
)
cents = st.integers(0, 300_000).map(lambda n: Decimal(n).scaleb(-2))


@settings(max_examples=300, deadline=None)
@given(chain=quotas, lo=cents, more=st.one_of(st.none(), cents), payable=st.booleans())
def test_funding_splits_as_the_core(
    chain: list[Decimal | None], lo: Decimal, more: Decimal | None, payable: bool
) -> None:
    """The columnar funding split of one amount, known (allocate) or known only to lie in a
    range (split), along quotas known, unknown, absent, zero or negative: the core's shares."""
    from types import SimpleNamespace

    import polars as pl

    from clause.engine.columnar.plan import _allocate, _split
    from clause.engine.decide.funding import allocate, split

    hi = lo if payable else (None if more is None else lo + more)
    rule = SimpleNamespace(sources=len(chain), name=lambda part: part)
    known = [q is not None and not q.is_nan() for q in chain]
    frame = pl.DataFrame(
        {
            **{f"q{k}": [int(q.scaleb(4)) if known[k] else None] for k, q in enumerate(chain)},
            **{f"qu{k}": [q is not None and q.is_nan()] for k, q in enumerate(chain)},
        },
        schema={
            **{f"q{k}": pl.Int64() for k in range(len(chain))},
            **{f"qu{k}": pl.Boolean() for k in range(len(chain))},
        },
    )
    pairs = [(f"f{k}", q) for k, q in enumerate(chain)]
    lo_units = pl.lit(int(lo.scaleb(4)), dtype=pl.Int64)
    hi_units = pl.lit(None if hi is None else int(hi.scaleb(4)), dtype=pl.Int64)
    parts = _split(rule, lo_units, hi_units)  # type: ignore[arg-type]
    ranged = frame.select(e.alias(f"s{k}") for k, e in enumerate(parts)).row(0)
    want = [s.amount for s in split(lo, hi, pairs)]
    assert [None if v is None else Decimal(v).scaleb(-2) for v in ranged] == want
    if payable and all(q is None or not q.is_nan() for q in chain):
        paid = pl.lit(int(lo.scaleb(2)), dtype=pl.Int64)
        parts = _allocate(rule, paid)  # type: ignore[arg-type]
        shares = frame.select(e.alias(f"s{k}") for k, e in enumerate(parts)).row(0)
        assert [Decimal(v).scaleb(-2) for v in shares] == list(allocate(lo, pairs))
