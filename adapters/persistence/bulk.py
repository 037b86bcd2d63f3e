"""Many new rows at once, in the session's transaction, past the ORM and its column types.

PostgreSQL takes them by ``COPY … FROM STDIN`` (several times faster than an INSERT per
row), SQLite by one prepared INSERT run over every row. Values arrive in storage form:
the caller converts them exactly as the column types would (see :func:`stored_datetime`),
and a test holds both paths to store what the ORM stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

Row = Sequence[Any]


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Row]
) -> None:
    """Insert ``rows`` (values in the order of ``columns``) into ``table``."""
    connection = session.connection()
    names = ", ".join(f'"{name}"' for name in columns)
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.driver_connection, table.name, names, rows)
        return
    rows = list(rows)
    if rows:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


def _copy(driver: Any, table: str, names: str, rows: Iterable[Row]) -> None:
    statement = f'COPY "{table}" ({names}) FROM STDIN'
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.IntegrityError as error:
        # The unit of work maps SQLAlchemy's integrity errors to "already taken".
        raise IntegrityError(statement, None, error) from error
    except psycopg.Error as error:
        raise DBAPIError(statement, None, error) from error


def stored_datetime(value: datetime | None, dialect: str) -> datetime | str | None:
    """What ``UtcDateTime`` binds: UTC, and on SQLite the text SQLAlchemy writes."""
    if value is None:
        return None
    return _stored_datetime(value, dialect)


@lru_cache(maxsize=256)
def _stored_datetime(value: datetime, dialect: str) -> datetime | str:
    # A batch stamps every row with the same few moments: convert each once.
    if value.tzinfo is None:
        raise ValueError("naive datetimes are refused: give a timezone")
    value = value.astimezone(UTC)
    if dialect != "sqlite":
        return value
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def stored_json(value: object) -> str:
    """What the JSON column types bind (SQLAlchemy's default serialiser)."""
    return json.dumps(value)
