"""The engine pieces behind the language forms of issue 11: which funding shares are known when
the amount is not, the order rules are decided in, another rule's outcome when that rule is not
decided, and the outcome words expressions are typed with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from clause.engine.api import open_library
from clause.engine.coverage import notice_coverage
from clause.engine.decide import NULL_SINK, TraceSink, allocate, decide
from clause.engine.decide.funding import QUOTA_UNKNOWN, split
from clause.engine.decide.reasons import BENEFIT_OUTCOMES, OBLIGATION_OUTCOMES, Outcome
from clause.engine.dependencies import find_cycles, plan
from clause.engine.expr.types import KNOWN_OUTCOMES
from clause.engine.facts import normalize_facts

FORMS = open_library(Path(__file__).resolve().parents[1] / "fixtures" / "forms")

quotas = st.one_of(
    st.none(),
    st.just(QUOTA_UNKNOWN),
    st.integers(min_value=0, max_value=800).map(Decimal),
)
chains = st.lists(quotas, min_size=1, max_size=4).map(
    lambda qs: [(f"fund{i}", q) for i, q in enumerate(qs)]
)


@given(chain=chains, lo=st.integers(0, 600), width=st.integers(0, 600), pick=st.floats(0, 1))
def test_what_split_says_is_known_holds_for_every_amount_in_range(chain, lo, width, pick) -> None:
    """For any amount the range allows and any value an unknown quota might take, the shares
    allocate gives agree with split: a known share is exactly that, an open one at most its
    bound, and a share said to be the whole amount is the amount."""
    low, high = Decimal(lo), Decimal(lo + width)
    amount = (low + (high - low) * Decimal(str(round(pick, 3)))).quantize(Decimal("0.01"))
    told = split(low, high, chain)
    for guess in (Decimal(0), Decimal(250), Decimal(10_000)):  # what an unknown quota may be
        actual = allocate(
            amount, [(f, guess if q is not None and q.is_nan() else q) for f, q in chain]
        )
        for share, got in zip(told, actual, strict=True):
            assert got is not None
            if share.amount is not None:
                assert got == share.amount
            elif share.up_to is not None:
                assert got <= share.up_to
            if share.whole:
                assert got == amount


def test_a_zero_quota_leaves_the_next_source_paying_the_whole_unknown_amount() -> None:
    first, second = split(
        Decimal(0), Decimal(500), [("bridging", Decimal(0)), ("employment", None)]
    )
    assert (first.amount, first.whole) == (Decimal("0.00"), False)
    assert (second.amount, second.whole, second.up_to) == (None, True, Decimal(500))
    # a source after one with no quota is known to pay nothing
    assert split(Decimal(0), None, [("a", None), ("b", QUOTA_UNKNOWN)])[1].amount == Decimal("0.00")


def test_rules_are_decided_after_those_they_read_whatever_the_order_given() -> None:
    rules = list(FORMS.rules_by_id)
    ordered = [r.id for r in plan(rules).order]
    assert ordered.index("window") < ordered.index("transport")
    assert [r.id for r in plan(reversed(rules)).order] == ordered
    assert plan(rules).reads["transport"] == frozenset({"window"})


def test_cycles_are_found_and_nothing_else() -> None:
    after = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert find_cycles(after) == (("a", "b", "c"), ("e",))


def test_the_outcome_of_a_rule_not_decided_is_unknown_for_want_of_its_subject() -> None:
    """transport reads the window's outcome; both are about the person, so without one neither
    is decided; with a person whose window facts are missing, the transport lists them."""
    facts = normalize_facts(
        {
            "person": {
                "poverty_alleviated": True,
                "gender": "女",
                "birth_date": "1990-01-01",
                "work_scope": "省内县外",
                "departure_date": "2031-03-01",
                "transport_cost": 300,
                "grants": [],
            }
        },
        FORMS.env.facts,
    )
    on = date(2031, 11, 20)
    traced = {d.rule.id: d for d in decide(FORMS, facts, on, sink=TraceSink())}
    fast = {d.rule.id: d for d in decide(FORMS, facts, on, sink=NULL_SINK)}
    for decided in (traced, fast):
        assert decided["window"].outcome is Outcome.UNDETERMINED
        assert decided["transport"].outcome is Outcome.UNDETERMINED
        assert decided["transport"].missing == ("person.applied_on",)
    read = next(c for c in traced["transport"].conditions if c.id == "applied_in_window")
    assert [(r.path, r.value) for r in read.outcomes] == [('outcome("window")', None)]


def test_outcome_types_in_expressions_are_the_outcomes_a_rule_can_show() -> None:
    """outcome("id") is typed with the outcomes of the rule's kind; undetermined is unknown."""
    assert KNOWN_OUTCOMES["benefit"] == tuple(o.value for o in BENEFIT_OUTCOMES[:-1])
    assert KNOWN_OUTCOMES["obligation"] == tuple(o.value for o in OBLIGATION_OUTCOMES[:-1])
    assert BENEFIT_OUTCOMES[-1] is OBLIGATION_OUTCOMES[-1] is Outcome.UNDETERMINED


def test_a_document_without_a_number_is_named_by_its_title_and_needs_no_funds() -> None:
    (package,) = FORMS.packages
    assert package.document.number is None
    assert package.document.ref == "示例县2031年就业帮扶政策清单"
    assert package.funds == {}
    assert {r.document for r in package.rules} == {package.document.ref}


def test_a_clause_quoted_only_through_cite_counts_as_encoded() -> None:
    """Clause 一 of the forms list defines the target group; no rule cites it as its own
    clause, but the transport rule's conditions quote it: coverage counts it as encoded."""
    (package,) = FORMS.packages
    by_clause = {c.clause: c for c in notice_coverage(package)}
    assert by_clause["一"].status == "encoded"
    assert by_clause["一"].rules == ("transport",)
