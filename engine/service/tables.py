"""The store's tables, as SQLAlchemy Core objects the queries are written against.

In: nothing. Out: `METADATA` and one `Table` per kind of row. The schema itself is created and
changed only by the Alembic migrations in `migrations/versions/` (one schema for SQLite and
PostgreSQL); `tests/service/test_migrations.py` holds these definitions to them.

Money is integer fen (cents), exact on both databases; dates are ISO text; times are ISO UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

METADATA = MetaData()

#: Key-value facts about the store itself (the fingerprint of the personal-data key).
meta = Table(
    "meta",
    METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: File contents by their sha256: rule sets share the files they have in common.
blobs = Table(
    "blobs",
    METADATA,
    Column("digest", String(80), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

#: A rule set by the digest of its files; `files` is JSON {path: blob digest} relative to the
#: stored root, `opened` the folder the library was opened from (relative to that root) and
#: `shown_as` the name it was given under.
rulesets = Table(
    "rulesets",
    METADATA,
    Column("id", String(80), primary_key=True),
    Column("ruleset_digest", String(80), nullable=False),
    Column("shown_as", Text, nullable=False),
    Column("opened", Text, nullable=False),
    Column("files", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

#: The audit log: one self-contained row per decision.
decisions = Table(
    "decisions",
    METADATA,
    Column("id", String(40), primary_key=True),
    Column("request_id", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", String(40), nullable=False, index=True),
    Column("decision_date", String(10), nullable=False, index=True),
    Column("lang", String(4), nullable=False),
    Column("selection", Text, nullable=False),
    Column("ruleset_id", String(80), ForeignKey("rulesets.id"), nullable=False),
    Column("ruleset_digest", String(80), nullable=False),
    Column("facts_digest", String(80), nullable=False),
    Column("engine_version", String(40), nullable=False),
    Column("facts", Text, nullable=False),
    Column("budget", Text, nullable=False),
    Column("trace", Text, nullable=False),
)

#: Each decided rule of a logged decision, for `clause log --rule/--outcome`.
outcomes = Table(
    "outcomes",
    METADATA,
    Column("decision_id", String(40), ForeignKey("decisions.id"), primary_key=True),
    Column("rule_id", String(200), primary_key=True),
    Column("outcome", String(32), nullable=False, index=True),
    Column("amount_fen", BigInteger, nullable=True),
)

#: The grant ledger: who was granted which benefit, when, how much (in fen).
grants = Table(
    "grants",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(40), ForeignKey("decisions.id"), nullable=False, index=True),
    Column("subject", String(64), nullable=False),
    Column("subject_key", String(300), nullable=False, index=True),
    Column("rule_id", String(200), nullable=False, index=True),
    Column("program", String(200), nullable=False),
    # set for benefits paid once ever (a `once` limit with no period): unique per subject
    Column("once_program", String(200), nullable=True),
    Column("granted_on", String(10), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("uncovered_fen", BigInteger, nullable=False),
    UniqueConstraint("subject_key", "once_program", name="grant_once"),
)

#: Where each grant's money comes from, one row per funding source that paid.
grant_shares = Table(
    "grant_shares",
    METADATA,
    Column("grant_id", Integer, ForeignKey("grants.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("fund", String(200), nullable=False, index=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("place", String(200), nullable=True),  # the quota drawn, when one was
    Column("year", Integer, nullable=True),
)

#: Fund quotas per place and year, drawn down by applications (spent never exceeds total).
quotas = Table(
    "quotas",
    METADATA,
    Column("fund", String(200), primary_key=True),
    Column("place", String(200), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("total_fen", BigInteger, nullable=False),
    Column("spent_fen", BigInteger, nullable=False),
)

#: Applications by idempotency key, with the answer given, so a retry gets the same answer.
applications = Table(
    "applications",
    METADATA,
    Column("idempotency_key", String(200), primary_key=True),
    Column("request_digest", String(80), nullable=False),
    Column("decision_id", String(40), ForeignKey("decisions.id"), nullable=False),
    Column("response", Text, nullable=False),
)
