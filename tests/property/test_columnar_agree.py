"""Differential tests: the columnar backend decides exactly as the decision core does.

Hypothesis builds policy libraries on the facts of the `mini` fixture — rules of either kind,
one or two versions with effective dates, conditions and exceptions in three-valued logic,
every amount form (literal or parameter, with localities and an unconfigured one), funding
chains with literal and fact quotas, `once` over the grant history, overrides between rules —
and registers of cases with missing facts, grant histories and numbers the fixed-point
columns cannot carry. The record backend (`decide` itself) is the oracle: outcomes, versions,
amounts, funding shares and quotas, missing lists and row errors must be equal, row for row.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from clause.engine.batch.backend import BackendConfig, RecordBackend
from clause.engine.columnar.backend import ColumnarBackend
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.syntax import expr_origin, parse_expr
from clause.engine.expr.types import BOOL, NUMBER
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.load.package import load_package
from clause.engine.model import Amount, Condition, Expr, FundingSource, Money, Rule, Version, Window

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
]
SITE_ATOMS = ["site.residents >= 800", "site.has_station", "site.full_time_staff >= 1"]


def expr(text: str, expect: Any) -> Expr:
    origin = expr_origin(text)
    node = check_expr(parse_expr(text, origin), PACKAGE.env, origin, expect=expect)
    return Expr(text, node, compile_expr(node), SPAN)


@st.composite
def conditions(draw: Any, atoms: list[str], most: int) -> tuple[Condition, ...]:
    out = []
    for i in range(draw(st.integers(0, most))):
        text = draw(st.sampled_from(atoms))
        if draw(st.booleans()):
            other = draw(st.sampled_from(atoms))
            text = f"({text}) {draw(st.sampled_from(['and', 'or']))} not ({other})"
        out.append(Condition(f"c{i}", expr(text, BOOL), "quote", SPAN))
    return tuple(out)


def money(draw: Any) -> Money:
    return draw(
        st.sampled_from(
            [Money(Decimal("500")), Money(Decimal("123.455")), Money(param="training.monthly_rate")]
        )
    )


@st.composite
def amounts(draw: Any) -> Amount | None:
    kind = draw(
        st.sampled_from(
            ["fixed", "parameter", "cap", "per_unit", "percentage", "per_other_regulation", "-"]
        )
    )
    if kind == "-":
        return None
    cost = expr("person.transport_cost", NUMBER)
    if kind in ("fixed", "parameter", "per_other_regulation"):
        return Amount(kind, "q", SPAN, value=money(draw), refers_to="other")
    if kind == "cap":
        return Amount(kind, "q", SPAN, value=money(draw), claimed=cost)
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
            st.sampled_from([None, Decimal("200"), Decimal("-5"), "person.transport_cost"])
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


@st.composite
def rules(draw: Any, index: int, ids: list[str]) -> Rule:
    subject = draw(st.sampled_from(["person", "person", "site"]))
    kind = draw(st.sampled_from(["benefit", "benefit", "obligation"]))
    atoms = PERSON_ATOMS if subject == "person" else SITE_ATOMS
    versions = []
    for n, window in enumerate(draw(st.sampled_from(WINDOWS)), start=1):
        eff = draw(st.sampled_from(EFFECTIVE)) if subject == "person" else None
        benefit = kind == "benefit"
        once = benefit and subject == "person" and draw(st.booleans())
        program = draw(st.sampled_from([None, "training", "startup"]))
        others = [i for i in ids if i != ids[index]]
        versions.append(
            Version(
                n,
                date(2030, 3, 1),
                "x",
                window,
                SPAN,
                effective_date=expr(eff, None) if eff else None,
                conditions=draw(conditions(atoms, 3)),
                unless=draw(conditions(atoms, 1)) if benefit else (),
                requires=draw(conditions(atoms, 2)) if not benefit else (),
                amount=draw(amounts()) if benefit and subject == "person" else None,
                funding=draw(funding()) if benefit and subject == "person" else (),
                once=once,
                once_program=program,
                overrides=tuple(
                    draw(st.lists(st.sampled_from(others), max_size=1)) if others else ()
                ),
            )
        )
    return replace(PACKAGE.rules[0], id=ids[index], subject=subject, kind=kind,
                   versions=tuple(versions))  # fmt: skip


@st.composite
def libraries(draw: Any) -> Library:
    ids = [f"r{i}" for i in range(draw(st.integers(1, 4)))]
    made = tuple(draw(rules(i, ids)) for i in range(len(ids)))
    return Library.of([replace(PACKAGE, rules=made)])


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
    "locality": st.sampled_from(["甲市", "乙市", "丙市"]),
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
        chosen = draw(st.sets(st.sampled_from(sorted(fields))))
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
@given(library=libraries(), register=st.lists(cases(), min_size=1, max_size=25), on=ON,
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
                f" once={v.once}/{v.once_program} overrides={v.overrides}"
            )
    return "\n".join(lines)


def _comparable(result: Any) -> Any:
    if isinstance(result, list):
        return result
    return ("error", str(result))


def test_the_hubei_notice_compiles_whole() -> None:
    """Every rule of the shipped notice runs columnar: none falls back to the record path."""
    hubei = load_package(MINI.parents[2] / "policies" / "hubei" / "ehrs-2021-25").package
    assert hubei is not None
    backend = ColumnarBackend(Library.of([hubei]), BackendConfig(date(2022, 12, 31)))
    assert backend.plan.fallback == {}
    assert len(backend.plan.rules) == len(hubei.rules)


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
    assert "division" in backend.plan.fallback["halves"]
