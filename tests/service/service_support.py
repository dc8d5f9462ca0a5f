"""Real components for the service's tests and benchmark: a throwaway PostgreSQL cluster, a
uvicorn server on loopback (in a thread or as a `clause serve` process), and Hubei cases.

The cluster is made with initdb/pg_ctl in a temporary folder (as the `postgres` user when run as
root, since PostgreSQL refuses to run as root), listens on 127.0.0.1 only, and is removed after.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The personal-data key of the tests' stores.
KEY = bytes.fromhex("5e" * 32)
PG_BIN = Path(os.environ.get("CLAUSE_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"


def pg_missing() -> str | None:
    """Why a PostgreSQL cluster cannot be started here, or None when it can."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"PostgreSQL binaries not found ({PG_BIN / tool}); set CLAUSE_PG_BIN"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as another user"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """A PostgreSQL cluster of its own, on loopback, for one test session."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="clause-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.dir} "
            "-c max_connections=200 -c shared_buffers=64MB"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        with suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class ServerThread:
    """uvicorn serving an ASGI app on 127.0.0.1 in a thread of this process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@contextmanager
def serve_process(
    db_url: str, library: Path, key_file: Path, cwd: Path | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`clause serve` as a process of its own (killed at the end if still running)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "clause.cli",
        "serve",
        "--db",
        db_url,
        "--library",
        str(library),
        "--port",
        str(port),
        "--key-file",
        str(key_file),
    ]
    proc = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"clause serve exited with {proc.returncode}: {err}")
        try:
            if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("clause serve did not become healthy in time")


def migrant(
    id_number: str | None = "420102199001010011",
    *,
    cost: int = 620,
    county: str = "示例县",
    grants: list[dict[str, Any]] | None = None,
    name: str | None = "张三",
) -> dict[str, Any]:
    """Facts of a person lifted out of poverty, sent to work in another province (the shipped
    example), with identity fields; the county's own quota fact is generous so that the
    ledger's quota is what binds."""
    person: dict[str, Any] = {
        "poverty_alleviated": True,
        "organised_work": True,
        "home_province": "湖北省",
        "home_county": "竹山县",
        "work_province": "广东省",
        "departure_date": "2021-09-01",
        "transport_cost": cost,
        "grants": grants if grants is not None else [],
    }
    if id_number is not None:
        person["id_number"] = id_number
    if name is not None:
        person["name"] = name
    return {
        "person": person,
        "county": {"name": county, "cross_province_quota_remaining": 1_000_000},
    }


@dataclass
class Live:
    """A live server over a service, and a client of it."""

    service: Any  # clause.engine.service.service.Service
    client: Any  # httpx.Client
    url: str
