"""Concurrent applications on both databases, through a live server on loopback: a one-off
subsidy asked for by many clients at once is granted exactly once, and many people drawing
on one county quota never overspend it. Bounded: a fixed number of threads, each sending one
request with a timeout, started together by a barrier; every request must be answered."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
from service_support import Live, migrant

from clause.engine.service import ledger

FUND = "bridging_fund_cross_province"
#: clients started at once (the issue's "fifty clients drawing on one county quota")
CLIENTS = 50
SAME_PERSON = 20


def together(
    count: int, url: str, body_of: Callable[[int], dict[str, Any]]
) -> list[httpx.Response]:
    """`count` clients, one thread and one connection each, sending at the same moment."""
    barrier = threading.Barrier(count, timeout=60)
    answers: list[httpx.Response | BaseException | None] = [None] * count

    def client(i: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            barrier.wait()
            try:
                answers[i] = http.post("/v1/apply", json=body_of(i))
            except BaseException as err:  # reported below: every request must be answered
                answers[i] = err

    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a client did not finish in time"
    failed = [a for a in answers if not isinstance(a, httpx.Response)]
    assert not failed, failed[:3]
    return [a for a in answers if isinstance(a, httpx.Response)]


def test_one_off_subsidy_applied_for_at_once_is_granted_once(live: Live) -> None:
    answers = together(
        SAME_PERSON,
        live.url,
        lambda i: {"facts": migrant(), "date": "2021-10-15", "idempotency_key": f"same-{i}"},
    )
    assert [a.status_code for a in answers] == [200] * SAME_PERSON
    granted = [a.json()["grants"] for a in answers if a.json()["grants"]]
    assert len(granted) == 1
    outcomes = sorted(
        next(
            d["outcome"]
            for d in a.json()["trace"]["decisions"]
            if d["rule"].endswith("cross-province")
        )
        for a in answers
    )
    assert outcomes == ["eligible"] + ["ineligible"] * (SAME_PERSON - 1)
    with live.service.db.reading() as conn:
        assert len(ledger.list_grants(conn, ledger.GrantFilter())) == 1
        assert ledger.reconcile(conn) == []


def test_many_people_drawing_one_quota_never_overspend_it(live: Live) -> None:
    total = Decimal("1250.00")
    with live.service.db.writing() as conn:
        ledger.set_quota(conn, FUND, "示例县", 2021, total)
    answers = together(
        CLIENTS,
        live.url,
        lambda i: {
            "facts": migrant(f"4201021990010{i:05d}"),
            "date": "2021-10-15",
            "idempotency_key": f"quota-{i}",
        },
    )
    assert [a.status_code for a in answers] == [200] * CLIENTS
    drawn = sorted(
        (
            Decimal(s["amount"])
            for a in answers
            for g in a.json()["grants"]
            for s in g["funding"]
            if s["fund"] == FUND
        ),
        reverse=True,
    )
    assert len(drawn) == CLIENTS  # everyone was paid 500, from one source or the other
    assert sum(drawn) == total  # the quota is spent exactly, never beyond
    assert drawn[:3] == [Decimal("500.00"), Decimal("500.00"), Decimal("250.00")]
    assert set(drawn[3:]) == {Decimal("0.00")}
    with live.service.db.reading() as conn:
        (quota,) = ledger.list_quotas(conn)
        assert quota.spent == total
        assert ledger.reconcile(conn) == []
