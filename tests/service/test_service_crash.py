"""Crash test on both databases: `clause serve` killed with SIGKILL in the middle of a stream of
applications, then restarted. Every acknowledged grant is in the ledger, nothing is
half-written (the ledger reconciles with the decision log, quotas with their draws), and
sending every application again gives the acknowledged answers byte for byte and applies the
rest exactly once."""

from __future__ import annotations

import os
import signal
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
from service_support import ROOT, migrant, serve_process

from clause.engine.service import ledger
from clause.engine.service.db import open_database

FUND = "bridging_fund_cross_province"
CLIENTS = 4
KILL_AFTER = 24  # acknowledged applications before the kill
MAX_REQUESTS = 400  # bound on the stream, should the kill never come


def body(i: int) -> dict[str, object]:
    facts = migrant(f"42010219900102{i:04d}")
    return {"facts": facts, "date": "2021-10-15", "idempotency_key": f"crash-{i}"}


def stream(
    url: str,
    acked: dict[int, bytes],
    lock: threading.Lock,
    stop: threading.Event,
    counter: list[int],
) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        while not stop.is_set():
            with lock:
                if counter[0] >= MAX_REQUESTS:
                    return
                i = counter[0]
                counter[0] += 1
            try:
                r = http.post("/v1/apply", json=body(i))
            except httpx.TransportError:
                return  # the server died under this request: not acknowledged
            if r.status_code == 200:
                with lock:
                    acked[i] = r.content


def test_kill_mid_stream_loses_no_acknowledged_grant(db_url: str, tmp_path: Path) -> None:
    database = open_database(db_url)
    with database.writing() as conn:
        ledger.set_quota(conn, FUND, "示例县", 2021, Decimal("3000.00"))
    database.close()
    key_file = tmp_path / "pii.key"
    acked: dict[int, bytes] = {}
    lock, stop, counter = threading.Lock(), threading.Event(), [0]
    with serve_process(db_url, Path("policies"), key_file, cwd=ROOT) as (proc, url):
        clients = [
            threading.Thread(target=stream, args=(url, acked, lock, stop, counter))
            for _ in range(CLIENTS)
        ]
        for c in clients:
            c.start()
        deadline = time.monotonic() + 120
        while len(acked) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)  # mid-stream: clients still have requests in flight
        proc.wait(timeout=30)
        stop.set()
        for c in clients:
            c.join(timeout=60)
    assert len(acked) >= KILL_AFTER
    sent = counter[0]
    assert sent > len(acked)  # some requests were cut off by the kill

    with serve_process(db_url, Path("policies"), key_file, cwd=ROOT) as (_, url):
        database = open_database(db_url)
        with database.reading() as conn:
            recorded = {g.decision_id: g for g in ledger.list_grants(conn, ledger.GrantFilter())}
            assert ledger.reconcile(conn) == []
        import json

        for content in acked.values():
            answer = json.loads(content)
            (grant,) = answer["grants"]
            stored = recorded[answer["decision_id"]]
            assert (stored.id, format(stored.amount, "f")) == (grant["grant_id"], grant["amount"])
        # everything again: acknowledged answers come back unchanged, the rest apply once
        with httpx.Client(base_url=url, timeout=60) as http:
            for i in range(sent):
                r = http.post("/v1/apply", json=body(i))
                assert r.status_code == 200
                if i in acked:
                    assert r.content == acked[i]
        with database.reading() as conn:
            grants = ledger.list_grants(conn, ledger.GrantFilter())
            assert len(grants) == sent
            assert len({g.subject_key for g in grants}) == sent
            (quota,) = ledger.list_quotas(conn)
            assert quota.spent == quota.total == Decimal("3000.00")
            assert ledger.reconcile(conn) == []
        database.close()
