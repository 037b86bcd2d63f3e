"""INSERT ... ON CONFLICT, which SQLite and PostgreSQL spell the same way."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Upsert = postgresql.Insert | sqlite.Insert


def insert_for(session: Session, table: Table) -> Upsert:
    """An insert in the session's dialect, so that ``on_conflict_do_*`` is available."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
