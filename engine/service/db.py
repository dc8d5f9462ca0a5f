"""The store's database: a URL in, an engine set up for safe concurrent writes, migrated.

In: a URL, `sqlite:///path/to/clause.db` (the embedded default: a file, WAL mode, no server) or
`postgresql://user@host:port/db` (through psycopg 3). Out: `Database`, whose `writing()` and
`reading()` give a connection inside a transaction.

Isolation (docs/service.md says the same for operators):
- SQLite: every write transaction starts with `BEGIN IMMEDIATE`, which takes the database's
  write lock before the first read, so a transaction that reads the ledger and then writes a
  grant cannot interleave with another writer (serialisable by construction). Inside one server
  process writers also queue on a lock, so they wait in order instead of polling
  `busy_timeout`. WAL lets readers go on while one writer writes. Applications (grants) commit
  with `synchronous=FULL`, synced to disk before the answer is sent; the audit records of
  plain decide requests with `synchronous=NORMAL`, which survives the process being killed
  but not a power cut (the WAL is synced at the next FULL commit or checkpoint).
- PostgreSQL: READ COMMITTED, plus explicit locks taken before anything is read: a
  transaction-scoped advisory lock per ledger subject (`pg_advisory_xact_lock`), then the
  quota rows it may draw (`SELECT … FOR UPDATE`, in key order, so no two applications
  deadlock). Unique and check constraints (one grant per one-off programme and subject, quota
  spent within total, one application per idempotency key) hold even if that logic were wrong.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from clause.engine.messages import msg

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Milliseconds a SQLite connection waits for another process's write lock before failing.
SQLITE_BUSY_MS = 30_000


class DatabaseUrlError(ValueError):
    """A `--db` value that names no database this service can use; `reason` says why in
    both languages (U008)."""

    def __init__(self, key: str, /, **args: object) -> None:
        self.reason = msg(key, **args)
        super().__init__(str(self.reason))


@dataclass
class Database:
    """An engine and how to run transactions on it safely."""

    engine: Engine
    dialect: str  # "sqlite" | "postgresql"
    _write_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def writing(self, *, durable: bool = True) -> Iterator[Connection]:
        """A write transaction, committed on leaving the block (rolled back on an error).

        SQLite: `BEGIN IMMEDIATE` under the process's writer lock; `durable` commits sync the
        WAL to disk (synchronous=FULL), others survive the process being killed but may be lost
        to a power cut (synchronous=NORMAL). PostgreSQL: a plain transaction, always durable;
        the caller takes the row and advisory locks it needs (`lock_subjects`)."""
        if self.dialect == "sqlite":
            sync = "FULL" if durable else "NORMAL"
            with self._write_lock, self.engine.connect() as conn:
                conn = conn.execution_options(sqlite_begin="BEGIN IMMEDIATE", sqlite_sync=sync)
                with conn.begin():
                    yield conn
            return
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot in WAL mode and in PostgreSQL)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def lock_subjects(self, conn: Connection, keys: list[str]) -> None:
        """Serialise applications about the same ledger subjects (PostgreSQL; SQLite's
        immediate transaction already holds the whole database)."""
        if self.dialect != "postgresql":
            return
        for key in sorted(set(keys)):
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": advisory_key(key)})

    def close(self) -> None:
        self.engine.dispose()


def advisory_key(name: str) -> int:
    """A signed 64-bit lock key for a name (sha256's first eight bytes)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def open_database(url: str, *, pool_size: int = 8) -> Database:
    """Connect to `url` and bring its schema to the latest migration.

    Raises DatabaseUrlError for a URL of another kind; SQLAlchemy's OperationalError when the
    database cannot be reached."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError("U008/url", url=repr(url)) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = _sqlite(parsed.database, pool_size)
    elif backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(
            parsed, pool_size=pool_size, max_overflow=pool_size * 4, pool_pre_ping=True
        )
        database = Database(engine, "postgresql")
    else:
        raise DatabaseUrlError("U008/backend", backend=backend)
    migrate(database)
    return database


def _sqlite(path: str | None, pool_size: int) -> Database:
    if not path or path == ":memory:":
        raise DatabaseUrlError("U008/sqlite")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        pool_size=pool_size,
        max_overflow=pool_size * 4,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _setup(dbapi_conn: Any, _record: Any) -> None:
        # transactions are begun by the "begin" hook below, never implicitly by the driver
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if "sqlite_sync" in options:  # per transaction: pooled connections keep the last one
            conn.exec_driver_sql(f"PRAGMA synchronous={options['sqlite_sync']}")
        conn.exec_driver_sql(options.get("sqlite_begin", "BEGIN"))

    return Database(engine, "sqlite")


def migrate(database: Database) -> None:
    """Apply every migration not yet applied (Alembic, `migrations/versions/`)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.writing() as conn:
        if database.dialect == "postgresql":  # two servers starting at once migrate in turn
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": advisory_key("migrate")})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def schema_revision(conn: Connection) -> str:
    """The migration the schema is at."""
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else "none"
