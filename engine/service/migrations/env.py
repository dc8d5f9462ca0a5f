"""Alembic's environment: run the migrations on the connection `engine.service.db` passes in.

In: `config.attributes["connection"]`, an open SQLAlchemy connection. Out: the schema brought to
the head revision. There is no offline (SQL script) mode: the store migrates itself at start.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
