"""Periodic limits read the ledger, on both databases: a benefit of 每人每年 (once per person
per calendar year, `once: {per: year}`) applied for twice in one year is granted once; the next
year it is granted again. The ledger's grants reach the decision core's `once` checks as grant
records with their programme and date (and only the fields the facts schema gives a grant
record), so a refusal names the grant that counted and replays byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from service_support import KEY, ROOT, Live, ServerThread

from clause.engine import api
from clause.engine.api.serve import ledger_grants, replay_decision
from clause.engine.service import ledger
from clause.engine.service.app import build_app
from clause.engine.service.db import open_database
from clause.engine.service.ledger import GrantFilter
from clause.engine.service.service import Service

YEARLY = ROOT / "tests" / "fixtures" / "yearly"


@pytest.fixture
def yearly(db_url: str) -> Iterator[Live]:
    library = api.open_library(YEARLY)
    database = open_database(db_url)
    service = Service(library, YEARLY, database, KEY)
    with ServerThread(build_app(service)) as server, httpx.Client(base_url=server.url) as http:
        yield Live(service, http, server.url)
    database.close()


def _apply(live: Live, on: str, key: str, grants: list[Any] | None = None) -> dict[str, Any]:
    person: dict[str, Any] = {"id_number": "420102199001010011", "registered": True}
    if grants is not None:
        person["grants"] = grants
    body = {"facts": {"person": person}, "date": on, "idempotency_key": key, "lang": "en"}
    answer = live.client.post("/v1/apply", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _decision(answer: dict[str, Any]) -> dict[str, Any]:
    """The allowance's decision in an apply answer (its trace) or a decide answer (a trace)."""
    trace = answer.get("trace", answer)
    (decided,) = [d for d in trace["decisions"] if d["rule"] == "allowance"]
    return decided


def test_a_yearly_benefit_is_granted_once_a_year_from_the_ledger(yearly: Live, db_url: str) -> None:
    first = _apply(yearly, "2031-03-01", "y1", grants=[])
    assert [(g["program"], g["date"], g["amount"]) for g in first["grants"]] == [
        ("生活补助", "2031-03-01", "300.00")
    ]

    again = _apply(yearly, "2031-10-01", "y2", grants=[])  # the same year: the ledger says paid
    assert again["grants"] == []
    refused = _decision(again)
    assert refused["outcome"] == "ineligible"
    (once,) = [c for c in refused["conditions"] if c["id"] == "once"]
    assert once["value"] is True and "paid in 2031" in once["expr"]
    assert {"program": "生活补助", "date": "2031-03-01"} in once["facts"][0]["value"]
    assert refused["reason"] == "already granted in the same period (year): 生活补助 2031-03-01"

    decided = yearly.client.post(
        "/v1/decide",
        json={
            "facts": {
                "person": {"id_number": "420102199001010011", "registered": True, "grants": []}
            },
            "date": "2031-12-31",
        },
    )
    assert _decision(decided.json())["outcome"] == "ineligible"  # deciding reads the ledger too

    next_year = _apply(yearly, "2032-02-01", "y3", grants=[])
    assert [(g["date"], g["amount"]) for g in next_year["grants"]] == [("2032-02-01", "300.00")]
    assert _decision(next_year)["outcome"] == "eligible"

    recorded = ledger_grants(db_url, GrantFilter(rule="allowance"))
    assert [g.granted_on.isoformat() for g in recorded] == ["2031-03-01", "2032-02-01"]

    # the refusal was logged with the ledger's grant among its facts, and replays as answered
    replayed = replay_decision(db_url, again["decision_id"])
    assert replayed.report.identical


def test_without_a_grant_history_the_ledger_cannot_say_none_elsewhere(yearly: Live) -> None:
    """The ledger knows only the grants this service made: a case that gives no grant history
    stays undetermined (and nothing is paid), even when the ledger holds none."""
    unknown = _apply(yearly, "2031-03-01", "u1")
    assert unknown["grants"] == [] and _decision(unknown)["outcome"] == "undetermined"
    paid = _apply(yearly, "2031-03-02", "u2", grants=[])
    assert len(paid["grants"]) == 1
    known = _apply(yearly, "2031-03-03", "u3")  # no history given, but the ledger's grant
    assert _decision(known)["outcome"] == "undetermined"  # is only part of the story
    assert known["grants"] == []


def test_the_rules_listing_says_which_grants_count_and_when(yearly: Live) -> None:
    (rule,) = yearly.client.get("/v1/rules").json()["rules"]
    assert rule["versions"][0]["limits"] == [{"programs": ["生活补助"], "period": "year"}]


def test_a_yearly_benefit_applied_for_at_once_is_granted_once(yearly: Live) -> None:
    """No unique key guards a periodic limit (see engine.service.service._once_ever): the
    transaction that decides and records holds the subject's lock, so of many applications
    sent together for the same person and year exactly one is paid."""
    from test_service_concurrency import together

    count = 12
    person = {"id_number": "420102199001010077", "registered": True, "grants": []}
    answers = together(
        count,
        yearly.url,
        lambda i: {"facts": {"person": person}, "date": "2031-05-01", "idempotency_key": f"p{i}"},
    )
    assert [a.status_code for a in answers] == [200] * count
    assert sum(len(a.json()["grants"]) for a in answers) == 1
    with yearly.service.db.reading() as conn:
        assert len(ledger.list_grants(conn, GrantFilter())) == 1
        assert ledger.reconcile(conn) == []
