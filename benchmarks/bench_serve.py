"""Benchmark `clause serve`: decisions per second and latency (p50, p99) for decide and apply,
on SQLite and PostgreSQL, with 1, 8 and 32 concurrent clients, against a bare Starlette
endpoint returning a constant (the floor: what the framework, uvicorn and the client cost).

    python benchmarks/bench_serve.py [--requests 1200] [--clients 1,8,32] [--db sqlite,postgresql]

Each server is a process of its own (`clause serve`, and the floor under uvicorn the same
way) on 127.0.0.1; clients are threads, each with one keep-alive HTTP/1.1 connection
(`http.client`, the lightest Python client), sending a fixed number of requests. Decide sends
the shipped cross-province case; apply sends a new person each time (every request records a
grant and its quota draw, and its audit record). PostgreSQL is a throwaway cluster started
here (initdb/pg_ctl), as the tests do. The machine is shared and has 2 cores: server and
clients compete for them, so compare rows of the same run rather than absolute numbers.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "service"))

from service_support import PgCluster, free_port, migrant, pg_missing, wait_healthy  # noqa: E402

FLOOR_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
BODY = b'{"status": "ok"}\\n'
async def constant(request):
    await request.body()
    return Response(BODY, media_type="application/json")
app = Starlette(routes=[Route("/v1/decide", constant, methods=["POST"]),
                        Route("/v1/health", constant, methods=["GET"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


@contextmanager
def process(command: list[str], port: int) -> Iterator[None]:
    proc = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def clause_server(db_url: str, key_file: Path) -> tuple[list[str], int]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "clause.cli",
        "serve",
        "--db",
        db_url,
        "--port",
        str(port),
        "--key-file",
        str(key_file),
    ]
    return command, port


def run_clients(
    port: int, path: str, body_of: Callable[[int], bytes], clients: int, total: int
) -> tuple[float, list[float]]:
    """Send `total` requests from `clients` threads; (wall seconds, latencies in ms)."""
    per_client = total // clients
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def client(c: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/json"}
        barrier.wait()
        for k in range(per_client):
            body = body_of(c * per_client + k)
            start = time.perf_counter()
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            response.read()
            latencies[c].append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                failures.append(f"{response.status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. HTTP {failures[0]}")
    return wall, [x for lat in latencies for x in lat]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Bodies:
    """Request bodies: the same case for decide, a new person for every apply."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.decide = json.dumps({"facts": migrant(), "date": "2021-10-15"}).encode()
        self._next = itertools.count()  # a new person and key on every call, across runs
        self._lock = threading.Lock()

    def apply(self, _: int) -> bytes:
        with self._lock:
            i = next(self._next)
        facts = migrant(f"{self.tag}{i:08d}")
        key = f"{self.tag}-{i}"
        return json.dumps({"facts": facts, "date": "2021-10-15", "idempotency_key": key}).encode()


def measure(
    rows: list[list[str]],
    label: str,
    db: str,
    port: int,
    path: str,
    body_of: Callable[[int], bytes],
    clients: list[int],
    total: int,
) -> None:
    run_clients(port, path, body_of, 1, 50)  # warm up: imports, caches, connections
    for n in clients:
        wall, lat = run_clients(port, path, body_of, n, total)
        rows.append(
            [
                label,
                db,
                str(n),
                str(len(lat)),
                f"{len(lat) / wall:,.0f}",
                f"{statistics.median(lat):.2f}",
                f"{percentile(lat, 99):.2f}",
            ]
        )
        print("  " + " | ".join(rows[-1]), file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1200, help="requests per measurement")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    rows: list[list[str]] = []
    counter = iter(range(1, 1_000_000))

    port = free_port()
    with process([sys.executable, "-c", FLOOR_APP, str(port)], port):
        measure(
            rows,
            "floor (constant)",
            "-",
            port,
            "/v1/decide",
            lambda i: b"{}",
            clients,
            args.requests,
        )

    with tempfile.TemporaryDirectory(prefix="clause-bench-") as scratch:
        for db in args.db.split(","):
            cluster = None
            if db == "sqlite":
                url = f"sqlite:///{scratch}/bench.db"
            else:
                reason = pg_missing()
                if reason:
                    print(f"skipping PostgreSQL: {reason}", file=sys.stderr)
                    continue
                cluster = PgCluster()
                cluster.start()
                url = cluster.create_database("bench")
            try:
                command, port = clause_server(url, Path(scratch) / f"{db}.key")
                with process(command, port):
                    bodies = Bodies(f"{next(counter):02d}")
                    decide_body = bodies.decide
                    measure(
                        rows,
                        "decide",
                        db,
                        port,
                        "/v1/decide",
                        lambda i, body=decide_body: body,
                        clients,
                        args.requests,
                    )
                    measure(
                        rows, "apply", db, port, "/v1/apply", bodies.apply, clients, args.requests
                    )
            finally:
                if cluster is not None:
                    cluster.stop()

    header = ["endpoint", "database", "clients", "requests", "req/s", "p50 ms", "p99 ms"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * 4) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
