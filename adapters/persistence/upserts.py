"""INSERT ... ON CONFLICT, which SQLite and PostgreSQL spell the same way."""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Upsert = postgresql.Insert | sqlite.Insert


def insert_for(session: Session | Connection, table: Table) -> Upsert:
    """An insert in the session's dialect, so that ``on_conflict_do_*`` is available."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    if bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
