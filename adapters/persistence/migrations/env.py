"""Alembic environment: runs on a connection handed in by ``migrate.upgrade``, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from adapters.persistence.database import driver_url
from adapters.persistence.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(driver_url(config.get_main_option("sqlalchemy.url") or ""))
    with engine.begin() as own_connection:
        _run(own_connection)
    engine.dispose()
