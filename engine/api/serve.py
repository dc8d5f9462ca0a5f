"""The service's front door: start it, and read its store (ledger, log, replay) from the CLI.

In: a library folder, a database URL, the personal-data key file. Out: a `Service` and its ASGI
app for `clause serve`; grants, quotas, logged decisions and replay reports for `clause ledger`,
`clause log` and `clause replay`. Errors come back as DiagnosticError with a code of
docs/codes.md, like the rest of the facade.

Needs the `serve` extra (Starlette, SQLAlchemy, Alembic, psycopg); importing this module without
it raises ImportError, which the CLI turns into a one-line hint.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from clause.engine.api.decide import open_library
from clause.engine.api.files import COMMAND_LINE, input_finding
from clause.engine.diagnostics import DiagnosticError
from clause.engine.library import Library
from clause.engine.messages import Msg, msg
from clause.engine.service import audit, ledger
from clause.engine.service.audit import DecisionRecord, LogFilter
from clause.engine.service.db import Database, DatabaseUrlError, open_database
from clause.engine.service.errors import SetupError
from clause.engine.service.ledger import Grant, GrantFilter, Quota
from clause.engine.service.pii import MarksError, Pseudonymizer, marks_of
from clause.engine.service.replay import ReplayReport, replay
from clause.engine.service.ruleset import RuleSetError, capture, rebuild
from clause.engine.service.service import Service

DEFAULT_DB = "sqlite:///clause.db"
KEY_ENV = "CLAUSE_PII_KEY_FILE"
DB_ENV = "CLAUSE_DB"


def _fail(key: str, where: str = COMMAND_LINE, /, **args: object) -> DiagnosticError:
    return DiagnosticError([input_finding(key, where, **args)])


def shown_url(url: str) -> str:
    """A database URL as messages show it: the password hidden.

    >>> shown_url("postgresql://clerk:secret@db/clause")
    'postgresql://clerk:***@db/clause'
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<the --db URL>"


def database_url(given: str | None) -> str:
    """The URL chosen: --db, else $CLAUSE_DB, else the embedded default `sqlite:///clause.db`."""
    return given or os.environ.get(DB_ENV) or DEFAULT_DB


def default_key_file(url: str) -> Path:
    """Where the personal-data key lives by default: $CLAUSE_PII_KEY_FILE, else beside a SQLite
    file (`clause.db.key`), else `clause-pii.key` in the working folder."""
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    try:
        parsed = make_url(url)
    except Exception:
        return Path("clause-pii.key")
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database + ".key")
    return Path("clause-pii.key")


def read_key(path: Path, *, create: bool) -> bytes:
    """The secret key for keyed hashes of personal data (hex text in a file). Made with 32
    random bytes, readable by its owner only, when `create` and the file does not exist."""
    if not path.exists():
        if not create:
            raise _fail("H012/missing", COMMAND_LINE, path=str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError, UnicodeDecodeError):
        raise _fail("H012/unreadable", str(path), path=str(path)) from None
    if len(key) < 16:
        raise _fail("H012/short", str(path), path=str(path))
    return key


def connect(url: str) -> Database:
    """The store at `url`, migrated. DiagnosticError U008 (bad URL) or H008 (unreachable)."""
    try:
        return open_database(url)
    except DatabaseUrlError as err:
        raise _fail("U008", COMMAND_LINE, reason=err.reason) from None
    except OperationalError as err:
        first = str(err.orig).strip().splitlines()[:1] if err.orig else []
        reason = first[0] if first else type(err).__name__
        raise _fail("H008/connect", COMMAND_LINE, url=shown_url(url), reason=reason) from None


@contextmanager
def store(url: str | None) -> Iterator[Database]:
    """The store for one CLI command, closed afterwards."""
    database = connect(database_url(url))
    try:
        yield database
    finally:
        database.close()


def open_service(
    library_path: Path | None, url: str | None, key_file: Path | None
) -> tuple[Service, Any]:
    """The service over the library at `library_path` (default `policies/`) with its store,
    and the ASGI app serving it. The key file is created on first use."""
    from clause.engine.service.app import build_app

    folder = library_path or Path("policies")
    library = open_library(folder)
    chosen = database_url(url)
    key = read_key(key_file or default_key_file(chosen), create=True)
    database = connect(chosen)
    try:
        service = Service(library, folder, database, key)
    except SetupError:
        database.close()
        raise
    return service, build_app(service)


def subject_key(library_path: Path | None, url: str | None, key_file: Path | None, who: str) -> str:
    """The ledger key of `ENTITY=IDENTIFIER` (e.g. `person=420…`), hashed as the service does."""
    entity, sep, identifier = who.partition("=")
    if not sep or not entity or not identifier:
        raise _fail("U001/subject", COMMAND_LINE, value=repr(who))
    library = open_library(library_path)
    try:
        marks = marks_of(library.facts_schema)
    except MarksError as err:
        raise SetupError(err.key, None, **err.args_) from None
    if entity not in marks.identifiers:
        known = ", ".join(sorted(marks.identifiers)) or "-"
        raise _fail("U001/entity", COMMAND_LINE, entity=entity, known=known)
    key = read_key(key_file or default_key_file(database_url(url)), create=False)
    return Pseudonymizer(key, marks).key_of(entity, identifier)


def ledger_grants(url: str | None, wanted: GrantFilter) -> list[Grant]:
    with store(url) as database, database.reading() as conn:
        return ledger.list_grants(conn, wanted)


def ledger_quotas(url: str | None) -> list[Quota]:
    with store(url) as database, database.reading() as conn:
        return ledger.list_quotas(conn)


def set_quota(url: str | None, fund: str, place: str, year: int, total: Decimal) -> Quota:
    """Set a fund's quota for a place and year. U001 when below what is already spent."""
    with store(url) as database:
        try:
            with database.writing() as conn:
                return ledger.set_quota(conn, fund, place, year, total)
        except ledger.QuotaSpent as err:
            raise _fail("U001/spent", COMMAND_LINE, spent=err.spent) from None


def reconcile(url: str | None) -> list[Msg]:
    """Every disagreement between the ledger and the audit log (empty: they reconcile)."""
    with store(url) as database, database.reading() as conn:
        return ledger.reconcile(conn)


def decision_log(url: str | None, wanted: LogFilter) -> list[DecisionRecord]:
    with store(url) as database, database.reading() as conn:
        return audit.list_decisions(conn, wanted)


@dataclass(frozen=True)
class Replayed:
    report: ReplayReport
    grants: list[Grant]


def replay_decision(url: str | None, decision_id: str, against: Path | None = None) -> Replayed:
    """Decide a logged decision again from its stored rule set (or under the library at
    `against`, to see what a change of the rules does to it) and compare."""
    with store(url) as database, database.reading() as conn:
        record = audit.get_decision(conn, decision_id)
        if record is None:
            raise _fail("H005", COMMAND_LINE, id=decision_id)
        try:
            stored = audit.load_ruleset(conn, record.ruleset_id)
        except RuleSetError as err:
            raise _fail(err.key, COMMAND_LINE, **err.args_) from None
        grants = ledger.list_grants(conn, GrantFilter(decision_id=decision_id))
    if against is None:
        try:
            library: Library = rebuild(stored)
        except RuleSetError as err:
            raise _fail(err.key, COMMAND_LINE, **err.args_) from None
        report = replay(record, library, msg("replay.stored", id=stored.id), stored)
    else:
        library = open_library(against)
        report = replay(record, library, str(against), stored, capture(library, against))
    return Replayed(report, grants)
