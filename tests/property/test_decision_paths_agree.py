"""Every way of deciding gives the same decisions: one core, whatever the entry point.

Generated registers of the mini fixture package (unknown facts, grant histories dated before
and after the decision date, overrides, one-off benefits, budgets shared in input order) are
decided by `clause eval` (one worker and two), by `decide` with the null sink and with a trace,
and by `clause explain --format json`; all must agree on every outcome, amount, funding share
and missing-fact list. Choosing rules (`--rule`) or outcomes (`--only`) to show must never
change any of them for the rules kept.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import cases, dates

from clause.engine.api import explain_case, open_library
from clause.engine.batch.run import BatchOptions, evaluate_batch
from clause.engine.decide import NULL_SINK, Budget, Decision, TraceSink, decide
from clause.engine.explain.render import to_json
from clause.engine.facts import normalize_facts

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
LIBRARY = open_library(MINI)
RULES = sorted(r.id for r in LIBRARY.rules_by_id)
OUTCOMES = ["eligible", "ineligible", "not_applicable", "undetermined", "compliant", "violation"]

# (case id, rule) -> (outcome, amount, ((fund, share), ...), missing)
Seen = dict[tuple[str, str], tuple[str, str | None, tuple[tuple[str, str], ...], tuple[str, ...]]]

registers = st.lists(cases.filter(bool), min_size=1, max_size=5)
budgets = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "bridging_fund": st.integers(0, 2500).map(Decimal),
            "employment_fund": st.integers(0, 800).map(Decimal),
        },
    ),
)
CLI = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def text(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount, "f")


def from_decisions(case_id: str, decisions: Sequence[Decision]) -> Seen:
    return {
        (case_id, d.rule.id): (
            d.outcome.value,
            text(d.amount.amount if d.amount else None),
            tuple((s.fund, format(s.amount, "f")) for s in d.funding if s.amount is not None),
            d.missing,
        )
        for d in decisions
    }


def via_decide(register: list[dict[str, Any]], on: date, budget: Any, trace: bool) -> Seen:
    shared = Budget(dict(budget)) if budget is not None else None
    seen: Seen = {}
    for i, facts in enumerate(register):
        normal = normalize_facts(facts, LIBRARY.env.facts)
        sink = TraceSink() if trace else NULL_SINK
        seen |= from_decisions(f"c{i}", decide(LIBRARY, normal, on, sink=sink, budget=shared))
    return seen


def via_eval(register: list[dict[str, Any]], on: date, budget: Any, **options: Any) -> Seen:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "register.jsonl"
        lines = [json.dumps({"case_id": f"c{i}", **plain(f)}) for i, f in enumerate(register)]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = Path(tmp) / "out.jsonl"
        options = {"on": on, "out": out, "budget": budget, **options}
        summary = evaluate_batch(LIBRARY, source, BatchOptions(**options))
        assert summary.tally.rows_rejected == 0
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {
        (r["case_id"], r["rule"]): (
            r["outcome"],
            r["amount"],
            tuple((f["fund"], f["amount"]) for f in r["funding"]),
            tuple(r["missing"]),
        )
        for r in rows
    }


def from_json(case_id: str, data: dict[str, Any]) -> Seen:
    return {
        (case_id, d["rule"]): (
            d["outcome"],
            d["amount"],
            tuple((f["fund"], f["amount"]) for f in d["funding"] if f["amount"] is not None),
            tuple(d["missing"]),
        )
        for d in data["decisions"]
    }


@given(register=registers, on=dates, budget=budgets)
def test_eval_and_decide_with_and_without_trace_agree(register, on, budget) -> None:
    reference = via_decide(register, on, budget, trace=False)
    assert via_decide(register, on, budget, trace=True) == reference
    assert via_eval(register, on, budget) == reference


@settings(max_examples=6, deadline=None)
@given(register=st.lists(cases.filter(bool), min_size=4, max_size=8), on=dates, budget=budgets)
def test_two_workers_decide_like_the_core(register, on, budget) -> None:
    reference = via_decide(register, on, budget, trace=False)
    assert via_eval(register, on, budget, workers=2, chunk_size=3) == reference


@CLI
@given(register=registers, on=dates, budget=budgets)
def test_clause_explain_json_agrees_with_the_core(clause, tmp_path, register, on, budget) -> None:
    reference = via_decide(register, on, budget, trace=False)
    shared = Budget(dict(budget)) if budget is not None else None
    seen: Seen = {}
    for i, facts in enumerate(register):
        args = ["explain", "-", "--date", on.isoformat(), "--format", "json"]
        args += ["--package", str(MINI)]
        if shared is not None:  # what is left of the budget when this case comes up
            path = tmp_path / f"budget-{i}.json"
            path.write_text(json.dumps({k: str(v) for k, v in shared.remaining.items()}))
            args += ["--budget", str(path)]
        result = clause(*args, stdin=json.dumps(plain(facts), ensure_ascii=False))
        assert result.code == 0, result.err
        seen |= from_json(f"c{i}", json.loads(result.out))
        normal = normalize_facts(facts, LIBRARY.env.facts)
        decide(LIBRARY, normal, on, budget=shared)  # spend this case's share, as eval does
    assert seen == reference


@given(
    register=registers,
    on=dates,
    budget=budgets,
    rules=st.sets(st.sampled_from(RULES), min_size=1),
    only=st.sets(st.sampled_from(OUTCOMES), min_size=1),
)
def test_choosing_rules_or_outcomes_never_changes_a_decision(
    register, on, budget, rules, only
) -> None:
    everything = via_eval(register, on, budget)
    chosen = via_eval(register, on, budget, rule_ids=frozenset(rules))
    assert chosen == {k: v for k, v in everything.items() if k[1] in rules}
    shown = via_eval(register, on, budget, only=frozenset(only))
    assert shown == {k: v for k, v in everything.items() if v[0] in only}
    for i, facts in enumerate(register[:2]):
        normal = normalize_facts(facts, LIBRARY.env.facts)
        full = from_json(f"c{i}", to_json(explain_case(LIBRARY, normal, on), "en"))
        for rule in rules:
            one = from_json(f"c{i}", to_json(explain_case(LIBRARY, normal, on, rule=rule), "en"))
            assert one == {k: v for k, v in full.items() if k[1] == rule}
        some = from_json(f"c{i}", to_json(explain_case(LIBRARY, normal, on, only=only), "en"))
        assert some == {k: v for k, v in full.items() if v[0] in only}
