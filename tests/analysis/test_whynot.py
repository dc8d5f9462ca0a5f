"""`clause whynot`: every proposal, applied to the facts, makes `clause explain` say eligible.

- Every shipped example and every Hubei policy test case: for each benefit that is not
  eligible, each proposed change is applied and the case explained again (the same call
  `clause explain` makes); the benefit is eligible. For the examples the first proposal is
  also written to a facts file and run through the command line.
- Facts marked x-immutable and dates already past are never proposed; collecting a missing
  fact is.
Generated cases: tests/property/test_whynot_minimal.py.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clause.engine.analysis.findings import facts_yaml
from clause.engine.analysis.whynot import DECISION_DATE, Proposal, WhyNot, why_not
from clause.engine.api import explain_case, load_facts, open_library
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.load.loader import load_yaml
from clause.engine.load.package import load_package
from clause.engine.testing import with_parameters

ROOT = Path(__file__).resolve().parents[2]
HUBEI = open_library(ROOT / "policies")
EXAMPLES = sorted((ROOT / "examples" / "hubei").glob("*.yaml"))
CASES = [
    (f"{path.stem}#{i}", case)
    for path in sorted((ROOT / "policies").glob("*/*/tests/*.yaml"))
    for i, case in enumerate(load_yaml(path).data)
]


def example_date(path: Path) -> date:
    found = re.search(r"--date (\d{4}-\d{2}-\d{2})", path.read_text("utf-8"))
    assert found
    return date.fromisoformat(found.group(1))


def applied(facts: dict[str, Any], on: date, proposal: Proposal) -> tuple[dict[str, Any], date]:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in facts.items()}
    for change in proposal.changes:
        if change.path == DECISION_DATE:
            on = change.after
            continue
        *parents, last = change.path.split(".")
        target = out
        for key in parents:
            target[key] = dict(target.get(key) or {})
            target = target[key]
        target[last] = list(change.after) if isinstance(change.after, tuple) else change.after
    return out, on


def outcome_after(library: Library, facts: dict[str, Any], on: date, rule: str) -> str:
    explained = explain_case(library, normalize_facts(facts, library.env.facts), on, rule=rule)
    return explained.decisions[0].outcome.value


def check_answers(library: Library, facts: dict[str, Any], on: date, answers: list[WhyNot]) -> int:
    proposals = 0
    for answer in answers:
        assert not answer.not_analysed, answer.not_analysed
        assert answer.unverified == 0, f"{answer.rule.id}: the solver proposed a change that fails"
        for proposal in answer.proposals:
            changed, day = applied(facts, on, proposal)
            assert outcome_after(library, changed, day, answer.rule.id) == "eligible"
            proposals += 1
            for change in proposal.changes:  # a place or a name is never given a rule's id
                if isinstance(change.after, str) and not change.path.endswith(".program"):
                    assert library.rule(change.after) is None, (change.path, change.after)
        for fact, why in answer.fixed:
            assert all(c.path != fact for p in answer.proposals for c in p.changes), (fact, why)
    return proposals


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_examples_proposals_make_explain_say_eligible(example, clause, tmp_path) -> None:
    facts = load_facts(example, HUBEI)
    on = example_date(example)
    answers = why_not(HUBEI, facts, on)
    check_answers(HUBEI, facts, on, answers)
    for answer in answers[:1]:  # through the command line, as a user would
        if not answer.proposals:
            continue
        changed, day = applied(facts, on, answer.proposals[0])
        path = tmp_path / "changed.yaml"
        path.write_text(facts_yaml(changed), encoding="utf-8")
        r = clause(
            "explain",
            str(path),
            "--date",
            day.isoformat(),
            "--rule",
            answer.rule.id,
            "--format",
            "json",
            "--package",
            str(ROOT / "policies"),
        )
        assert r.code == 0, r.err
        assert json.loads(r.out)["decisions"][0]["outcome"] == "eligible"


@pytest.mark.parametrize("case", CASES, ids=[name for name, _ in CASES])
def test_policy_cases_proposals_make_explain_say_eligible(case) -> None:
    name, data = case
    library = with_parameters(HUBEI, data["params"], name) if data.get("params") else HUBEI
    facts = normalize_facts(data["facts"], library.env.facts)
    # the rules the case is written about (every benefit of an example is asked, above)
    answers = [
        answer
        for rule_id in sorted(data["expect"])
        if (rule := library.rule(rule_id)) is not None and rule.kind == "benefit"
        for answer in why_not(library, facts, data["date"], rule_id, max_proposals=2)
    ]
    check_answers(library, facts, data["date"], answers)
    refused = {  # every benefit the case says is refused gets an answer
        r
        for r, e in data["expect"].items()
        if e["outcome"] in ("ineligible", "undetermined") and library.rule(r).kind == "benefit"
    }
    assert refused <= {a.rule.id for a in answers}


def test_a_contract_one_month_short_needs_one_more_month() -> None:
    facts = normalize_facts(
        {
            "employer": {"kind": "企业"},
            "person": {
                "poverty_alleviated": True,
                "hire_date": date(2021, 9, 1),
                "labour_contract": True,
                "contract_open_ended": False,
                "contract_months": 11,
                "employment_months": 12,
                "social_insurance": True,
            },
        },
        HUBEI.env.facts,
    )
    answers = why_not(HUBEI, facts, date(2022, 9, 10), "c2-3-employer-hiring-award")
    assert [a.outcome.value for a in answers] == ["ineligible"]
    found = [
        [(c.path, c.before, c.after, c.range) for c in p.changes] for p in answers[0].proposals
    ]
    assert found == [  # one change each, smallest first, then by fact name
        [("person.contract_months", Decimal(11), Decimal(12), (Decimal(12), None))],
        [("person.contract_open_ended", False, True, None)],
    ]
    tie = answers[0].proposals[0].changes[0].ties[0]
    assert (tie.id, tie.quote) == ("contract_one_year", "签订1年以上劳动合同")


def test_immutable_and_past_facts_are_never_proposed_but_missing_ones_are_collected() -> None:
    facts = normalize_facts(
        {
            "person": {"poverty_alleviated": False, "returning_entrepreneur": False, "grants": []},
            "business": {
                "kind": "个体经营",
                "licence_date": date(2021, 3, 16),
                "operating_normally": True,
            },
        },
        HUBEI.env.facts,
    )
    answers = why_not(HUBEI, facts, date(2022, 3, 15), "c2-7-startup-subsidy")
    fixed = dict(answers[0].fixed)
    assert fixed["person.poverty_alleviated"] == "immutable"
    assert fixed["business.licence_date"] == "immutable"
    assert answers[0].proposals == ()  # the poverty status cannot change: nothing to propose
    worker = load_facts(ROOT / "examples" / "hubei" / "cross-province-migrant-worker.yaml", HUBEI)
    answer = why_not(HUBEI, worker, date(2021, 10, 15), "c2-1-transport-in-province")[0]
    assert dict(answer.fixed)["person.departure_date"] == "past"  # departed 2021-09-01
    assert dict(answer.fixed)["person.home_province"] == "immutable"  # registration (户籍)
    changed = {c.path for p in answer.proposals for c in p.changes}
    assert changed and changed <= {"person.work_province", "person.work_county"}
    assert [s.rule for s in answer.proposals[0].stops] == ["c2-1-transport-cross-province"]
    unknown = normalize_facts(
        {
            "person": {
                "home_province": "湖北省",
                "poverty_alleviated": True,
                "returning_entrepreneur": False,
                "grants": [],
            },
            "business": {"kind": "个体经营", "operating_normally": True},
        },
        HUBEI.env.facts,
    )
    answer = why_not(HUBEI, unknown, date(2022, 3, 15), "c2-7-startup-subsidy")[0]
    change = answer.proposals[0].changes[0]
    assert (change.path, change.before) == ("business.licence_date", None)
    # 1年以上 on 2022-03-15 by the statutory reckoning: licensed on 2021-03-15 or earlier; the
    # year must complete inside the notice's force (from 2021-08-16): licensed 2020-08-16 or later
    assert change.range == (date(2020, 8, 16), date(2021, 3, 15))


def test_a_missing_place_of_registration_is_collected_first_of_all() -> None:
    """Jurisdiction is decided before any condition: without the place of registration the
    Hubei notice may not govern the person, so every proposal collects the place the core
    names as missing, a Hubei one, besides what the rule itself needs."""
    facts = normalize_facts(
        {
            "person": {"poverty_alleviated": True, "returning_entrepreneur": False, "grants": []},
            "business": {"kind": "个体经营", "operating_normally": True},
        },
        HUBEI.env.facts,
    )
    answer = why_not(HUBEI, facts, date(2022, 3, 15), "c2-7-startup-subsidy")[0]
    assert answer.missing == ("person.home_province",)
    assert answer.proposals
    places = {"person.home_province", "person.home_city", "person.home_county"}
    for proposal in answer.proposals:
        paths = [c.path for c in proposal.changes]
        assert "business.licence_date" in paths
        (place,) = [c for c in proposal.changes if c.path in places]
        assert "湖北省" in HUBEI.ancestors(place.after)  # the place itself or below it


def test_the_command_line_rejects_an_obligation_and_an_unknown_rule(clause, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    example = "examples/hubei/resettlement-site.yaml"
    r = clause(
        "whynot", example, "--date", "2022-06-30", "--rule", "c2-12-resettlement-service-station"
    )
    assert (r.code, "U010" in r.err) == (2, True)
    r = clause("whynot", example, "--date", "2022-06-30", "--rule", "no-such-rule")
    assert (r.code, "U003" in r.err) == (2, True)
    r = clause("whynot", example, "--date", "2022-02-30")
    assert (r.code, "U001" in r.err) == (2, True)


def test_a_benefit_needing_an_exception_gets_a_proposal_through_the_parameters_place() -> None:
    """Held 原则上 (the township's standard not above the minimum wage): in 丙镇 the minimum
    wage is lower, so the case needs an exception; elsewhere it is eligible. The locality is
    what chooses the parameters, so it is searched although no condition names it."""
    forms = load_package(ROOT / "tests" / "fixtures" / "forms").package
    assert forms is not None
    library = with_parameters(Library.of([forms]), {"job.township_standard": 1700}, "case")
    facts = normalize_facts({"job": {"locality": "丙镇", "in_post": True}}, library.env.facts)
    on = date(2031, 6, 1)
    answers = why_not(library, facts, on, "job-subsidy")
    assert [a.outcome.value for a in answers] == ["exception_needed"]
    assert "job.locality" in answers[0].candidates
    assert [[c.path for c in p.changes] for p in answers[0].proposals] == [["job.locality"]]
    check_answers(library, facts, on, answers)
