"""Engines for a database URL: one for the unit of work's writes, one for reads."""

from __future__ import annotations

from typing import Any

from attrs import frozen
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker


def driver_url(url: str | URL) -> URL:
    """Plain ``postgresql://`` URLs run on psycopg 3; everything else as given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@frozen
class Database:
    writer: Engine
    reader: Engine
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.writer.dispose()
        self.reader.dispose()


WRITER_CACHE_KIB = 128 * 1024


def open_database(url: str | URL, *, echo: bool = False, **engine_options: Any) -> Database:
    parsed = driver_url(url)
    if parsed.get_backend_name() == "sqlite":
        writer = _sqlite_engine(parsed, begin="BEGIN IMMEDIATE", echo=echo)
        # Reads run in autocommit: each statement sees one consistent snapshot, and no
        # BEGIN round trip is paid on the hot path of every query.
        reader = _sqlite_engine(parsed, begin=None, echo=echo)
    else:
        options = {"pool_size": 10, "max_overflow": 20, "pool_pre_ping": True, **engine_options}
        writer = create_engine(parsed, echo=echo, hide_parameters=True, **options)
        reader = create_engine(parsed, echo=echo, hide_parameters=True, **options)
    return Database(writer, reader, sessionmaker(writer, expire_on_commit=False))


def _sqlite_engine(url: URL, *, begin: str | None, echo: bool) -> Engine:
    # Parameters are people's data: kept out of logs and of the text of database errors.
    engine = create_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: object) -> None:
        # Hand transaction control to SQLAlchemy so that "begin" below decides the mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted rows are zeroed, not left in free pages: erasing a customer erases them.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    if begin is not None:

        @event.listens_for(engine, "connect")
        def _cache(dbapi_connection: Any, _record: object) -> None:
            # Each new row touches a page of every index of its table; with the default 2 MB
            # cache a million-customer table reads most of them back from the OS on every
            # batch (customers insert at 30,000 rows/s instead of 55,000 at a million rows).
            # The cache grows only as far as a connection uses it.
            dbapi_connection.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # A writer takes the lock up front: a deferred read-then-write transaction
            # fails at once with "database is locked" if another writer got in between.
            connection.exec_driver_sql(begin)

    return engine
