"""Fixtures for the service: both databases, a service over the shipped library, a live server.

`db_url` runs a test on SQLite (a file in tmp_path) and on PostgreSQL (a fresh database in a
throwaway cluster this session starts; skipped with the reason only where the binaries are
absent). `live` is a uvicorn server on 127.0.0.1 serving that store, with an httpx client.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import chdir
from pathlib import Path

import httpx
import pytest
from service_support import KEY, ROOT, Live, PgCluster, ServerThread, pg_missing

from clause.engine import api
from clause.engine.library import Library
from clause.engine.service.app import build_app
from clause.engine.service.db import open_database
from clause.engine.service.service import Service


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    reason = pg_missing()
    if reason:
        pytest.skip(reason)
    cluster = PgCluster()
    try:
        cluster.start()
    except Exception:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def library() -> Library:
    """The shipped library, opened as `clause` opens it from the repository root."""
    with chdir(ROOT):
        return api.open_library(Path("policies"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clause.db'}"
    cluster: PgCluster = request.getfixturevalue("pg")
    return cluster.create_database("t" + uuid.uuid4().hex[:12])


@pytest.fixture
def service(library: Library, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    monkeypatch.chdir(ROOT)
    database = open_database(db_url)
    yield Service(library, Path("policies"), database, KEY)
    database.close()


@pytest.fixture
def live(service: Service) -> Iterator[Live]:
    with (
        ServerThread(build_app(service)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield Live(service, client, server.url)
