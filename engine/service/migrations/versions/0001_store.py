"""The first schema: rule sets by content, the audit log, the grant ledger and fund quotas.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("digest", sa.String(80), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "rulesets",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("ruleset_digest", sa.String(80), nullable=False),
        sa.Column("shown_as", sa.Text, nullable=False),
        sa.Column("opened", sa.Text, nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    _decisions()
    _ledger()


def _decisions() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("decision_date", sa.String(10), nullable=False),
        sa.Column("lang", sa.String(4), nullable=False),
        sa.Column("selection", sa.Text, nullable=False),
        sa.Column("ruleset_id", sa.String(80), sa.ForeignKey("rulesets.id"), nullable=False),
        sa.Column("ruleset_digest", sa.String(80), nullable=False),
        sa.Column("facts_digest", sa.String(80), nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("budget", sa.Text, nullable=False),
        sa.Column("trace", sa.Text, nullable=False),
        sa.CheckConstraint("kind IN ('decide', 'apply')", name="decision_kind"),
    )
    op.create_index("ix_decisions_created_at", "decisions", ["created_at"])
    op.create_index("ix_decisions_decision_date", "decisions", ["decision_date"])
    op.create_table(
        "outcomes",
        sa.Column("decision_id", sa.String(40), sa.ForeignKey("decisions.id"), primary_key=True),
        sa.Column("rule_id", sa.String(200), primary_key=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_outcomes_outcome", "outcomes", ["outcome"])


def _ledger() -> None:
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.String(40), sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("subject_key", sa.String(300), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("program", sa.String(200), nullable=False),
        sa.Column("once_program", sa.String(200), nullable=True),
        sa.Column("granted_on", sa.String(10), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("uncovered_fen", sa.BigInteger, nullable=False),
        sa.CheckConstraint("amount_fen >= 0 AND uncovered_fen >= 0", name="grant_amounts"),
        # the last line of defence against paying a one-off benefit twice (NULLs never clash)
        sa.UniqueConstraint("subject_key", "once_program", name="grant_once"),
    )
    op.create_index("ix_grants_decision_id", "grants", ["decision_id"])
    op.create_index("ix_grants_subject_key", "grants", ["subject_key"])
    op.create_index("ix_grants_rule_id", "grants", ["rule_id"])
    op.create_table(
        "grant_shares",
        sa.Column("grant_id", sa.Integer, sa.ForeignKey("grants.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("fund", sa.String(200), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("year", sa.Integer, nullable=True),
        sa.CheckConstraint("amount_fen >= 0", name="share_amount"),
    )
    op.create_index("ix_grant_shares_fund", "grant_shares", ["fund"])
    op.create_table(
        "quotas",
        sa.Column("fund", sa.String(200), primary_key=True),
        sa.Column("place", sa.String(200), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("total_fen", sa.BigInteger, nullable=False),
        sa.Column("spent_fen", sa.BigInteger, nullable=False),
        # a quota is never overspent, whatever the code above does
        sa.CheckConstraint("spent_fen >= 0 AND spent_fen <= total_fen", name="quota_within"),
    )
    op.create_table(
        "applications",
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column("request_digest", sa.String(80), nullable=False),
        sa.Column("decision_id", sa.String(40), sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "applications",
        "quotas",
        "grant_shares",
        "grants",
        "outcomes",
        "decisions",
        "rulesets",
        "blobs",
        "meta",
    ):
        op.drop_table(table)
