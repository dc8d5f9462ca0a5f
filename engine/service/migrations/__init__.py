"""Alembic migrations of the service's store: one schema for SQLite and PostgreSQL."""
