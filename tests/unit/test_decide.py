"""The decision core (engine.decide): versions, outcomes, one-off checks, overrides, amounts,
funding and budgets, decided on the mini fixture package, with and without a trace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clause.engine.api import open_library
from clause.engine.decide import (
    NULL_SINK,
    Budget,
    Decision,
    Outcome,
    ReasonCode,
    Role,
    TraceSink,
    allocate,
    decide,
    rank_missing,
    select,
)
from clause.engine.decide.funding import QUOTA_UNKNOWN
from clause.engine.facts import normalize_facts

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
LIBRARY = open_library(MINI)
ON = date(2030, 12, 1)

PERSON = {
    "poverty_alleviated": True,
    "organised": True,
    "scope": "跨省",
    "departure_date": "2030-05-01",
    "transport_cost": 620,
    "first_business": True,
    "returned_home": True,
    "licence_date": "2029-06-01",
    "training_months": 8,
    "locality": "甲市",
    "grants": [],
}


def run(
    on: date = ON, trace: bool = False, budget: Budget | None = None, **person: Any
) -> dict[str, Decision]:
    facts = normalize_facts({"person": {**PERSON, **person}}, LIBRARY.env.facts)
    facts["person"] = {k: v for k, v in facts["person"].items() if v is not None}
    sink = TraceSink() if trace else NULL_SINK
    return {d.rule.id: d for d in decide(LIBRARY, facts, on, sink=sink, budget=budget)}


def test_a_complete_case_is_decided_and_paid() -> None:
    d = run()["transport"]
    assert d.outcome is Outcome.ELIGIBLE
    assert d.reason.code is ReasonCode.ALL_MET
    assert d.effective_date == date(2030, 5, 1)  # chosen by the departure date
    assert d.amount is not None and d.amount.amount == Decimal("500.00")  # min(620, 500)
    assert [(s.fund, s.amount) for s in d.funding] == [
        ("bridging_fund", Decimal("500.00")),
        ("employment_fund", Decimal("0.00")),
    ]


def test_only_rules_whose_subject_is_present_are_decided() -> None:
    facts = normalize_facts({"site": {"residents": 900}}, LIBRARY.env.facts)
    assert [d.rule.id for d in decide(LIBRARY, facts, ON)] == ["site-station"]


def test_a_missing_version_date_makes_the_rule_undetermined_naming_it() -> None:
    d = run(departure_date=None)["transport"]
    assert d.outcome is Outcome.UNDETERMINED
    assert d.reason.code is ReasonCode.MISSING_EFFECTIVE_DATE
    assert d.missing == ("person.departure_date",)


def test_outside_the_document_window_is_not_applicable_with_the_date() -> None:
    d = run(departure_date="2033-01-02")["transport"]
    assert d.outcome is Outcome.NOT_APPLICABLE
    assert d.reason.code is ReasonCode.NOTICE_EXPIRED
    assert d.reason.arg("end") == "2032-12-31"


def test_a_failed_condition_refuses_with_its_quote() -> None:
    d = run(scope="县内")["transport"]
    assert d.outcome is Outcome.INELIGIBLE
    assert (d.reason.code, d.reason.arg("quote")) == (ReasonCode.CONDITION_FAILED, "有组织跨省务工")
    assert d.amount is None and all(s.amount is None for s in d.funding)


def test_missing_facts_are_listed_in_the_order_their_checks_run() -> None:
    d = run(poverty_alleviated=None, organised=None)["transport"]
    assert d.outcome is Outcome.UNDETERMINED
    assert d.missing == ("person.poverty_alleviated", "person.organised")


def test_false_and_unknown_is_false_not_undetermined() -> None:
    assert run(poverty_alleviated=False, organised=None)["transport"].outcome is Outcome.INELIGIBLE


@pytest.mark.parametrize(
    ("grants", "outcome", "missing"),
    [
        ([{"program": "transport", "date": "2030-06-01"}], Outcome.INELIGIBLE, ()),
        ([{"program": "transport", "date": "2031-01-01"}], Outcome.ELIGIBLE, ()),  # after ON
        ([{"program": "other", "date": "2030-06-01"}], Outcome.ELIGIBLE, ()),
        (None, Outcome.UNDETERMINED, ("person.grants",)),  # no history is not "none"
        ([{"date": "2030-06-01"}], Outcome.UNDETERMINED, ("person.grants.program",)),
    ],
)
def test_a_one_off_benefit_reads_the_grant_history_as_of_the_decision_date(
    grants: Any, outcome: Outcome, missing: tuple[str, ...]
) -> None:
    d = run(grants=grants)["transport"]
    assert (d.outcome, d.missing) == (outcome, missing)
    if outcome is Outcome.INELIGIBLE:
        assert d.reason.code is ReasonCode.EARLIER_GRANT


def test_an_eligible_benefit_supersedes_the_one_it_overrides() -> None:
    decisions = run(on=date(2031, 3, 15))
    assert decisions["startup-return"].outcome is Outcome.ELIGIBLE
    startup = decisions["startup"]
    assert startup.outcome is Outcome.NOT_APPLICABLE
    assert startup.superseded_by == "startup-return"
    assert startup.reason.code is ReasonCode.SUPERSEDED and startup.amount is None


def test_an_undetermined_override_leaves_the_overridden_benefit_undetermined() -> None:
    decisions = run(on=date(2031, 3, 15), returned_home=None)
    assert decisions["startup-return"].outcome is Outcome.UNDETERMINED
    startup = decisions["startup"]
    assert startup.outcome is Outcome.UNDETERMINED
    assert startup.reason.code is ReasonCode.MAYBE_SUPERSEDED
    assert startup.missing == ("person.returned_home",)


def test_per_unit_amounts_use_the_localitys_parameter_and_the_cap_on_units() -> None:
    on = date(2030, 12, 1)
    assert run(on)["training"].amount.amount == Decimal("3600.00")  # type: ignore[union-attr]
    assert run(on, locality="丙市")["training"].amount.amount == Decimal("3000.00")  # type: ignore[union-attr]
    unset = run(on, locality="乙市")["training"].amount
    assert unset is not None and unset.amount is None and not unset.configured
    assert unset.note is not None and unset.note.code is ReasonCode.NOT_CONFIGURED


def test_an_unknown_claim_pays_up_to_the_cap() -> None:
    amount = run(transport_cost=None)["transport"].amount
    assert amount is not None and amount.amount is None and amount.cap == Decimal("500.00")


def test_an_obligation_is_violated_or_met_by_its_requirements() -> None:
    facts = {"site": {"residents": 900, "has_station": True, "full_time_staff": 0}}
    (d,) = decide(LIBRARY, normalize_facts(facts, LIBRARY.env.facts), ON)
    assert d.outcome is Outcome.VIOLATION and d.reason.arg("quote") == "配备专职人员"
    facts["site"]["residents"] = 100
    (d,) = decide(LIBRARY, normalize_facts(facts, LIBRARY.env.facts), ON)
    assert d.outcome is Outcome.NOT_APPLICABLE


def test_a_budget_is_spent_in_order_and_the_shortfall_passed_on() -> None:
    budget = Budget({"bridging_fund": Decimal("700")})
    first = run(budget=budget)["transport"]
    second = run(budget=budget)["transport"]
    assert [s.amount for s in first.funding] == [Decimal("500.00"), Decimal("0.00")]
    assert [s.amount for s in second.funding] == [Decimal("200.00"), Decimal("300.00")]
    assert budget.remaining["bridging_fund"] == 0


def test_a_spent_budget_settles_the_shares_of_an_amount_not_known() -> None:
    """The claim is missing, so the amount is "up to 500"; the bridging fund's budget is
    spent, so it pays 0 and the employment fund is known to pay the whole amount."""
    spent = Budget({"bridging_fund": Decimal("0")})
    d = run(budget=spent, transport_cost=None)["transport"]
    assert d.outcome is Outcome.ELIGIBLE and d.paid is None
    bridging, employment = d.funding
    assert bridging.amount == Decimal("0.00")
    assert employment.amount is None and employment.whole
    open_budget = run(budget=Budget({"bridging_fund": Decimal("800")}), transport_cost=None)
    assert open_budget["transport"].funding[0].amount is None  # up to 500: not known
    assert spent.remaining["bridging_fund"] == 0  # nothing is spent for an unknown amount


def test_the_null_sink_records_nothing_and_the_trace_everything() -> None:
    fast = run()["transport"]
    sink = TraceSink()
    facts = normalize_facts({"person": PERSON}, LIBRARY.env.facts)
    traced = {d.rule.id: d for d in decide(LIBRARY, facts, ON, sink=sink)}["transport"]
    assert fast.conditions == () and fast.amount is not None and fast.amount.computation == ""
    roles = [c.role for c in traced.conditions]
    assert roles == [Role.CONDITION, Role.CONDITION, Role.ONCE]
    first = traced.conditions[0]
    assert [(r.path, r.value) for r in first.facts] == [("person.poverty_alleviated", True)]
    assert first.span is not None and (first.span.line, first.span.col) > (1, 1)
    assert traced.amount is not None and "min(" in traced.amount.computation
    assert sink.checks("transport") == traced.conditions
    assert (fast.outcome, fast.amount.amount, fast.missing) == (
        traced.outcome,
        traced.amount.amount,
        traced.missing,
    )


def test_select_chooses_after_deciding() -> None:
    decisions = list(run(on=date(2031, 3, 15)).values())
    chosen = select(decisions, {"startup"}, None)
    assert [d.superseded_by for d in chosen] == ["startup-return"]
    assert {d.outcome for d in select(decisions, None, {"eligible"})} == {Outcome.ELIGIBLE}


def test_missing_facts_rank_by_how_many_checks_they_settle() -> None:
    assert rank_missing([frozenset({"b"}), frozenset({"a", "b"}), frozenset({"c"})]) == (
        "b",
        "a",
        "c",
    )


def test_allocation_leaves_every_share_open_when_a_quota_is_unknown() -> None:
    chain = [("a", QUOTA_UNKNOWN), ("b", None)]
    assert allocate(Decimal("10"), chain) == (None, None)
    assert allocate(Decimal("10"), [("a", Decimal(4)), ("b", None)]) == (
        Decimal("4.00"),
        Decimal("6.00"),
    )
