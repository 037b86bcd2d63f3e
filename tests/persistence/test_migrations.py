"""The migrations build exactly the schema that the tables describe."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from adapters.persistence.database import Database, open_database
from adapters.persistence.migrate import is_current, upgrade
from adapters.persistence.tables import metadata


def _differences(database: Database) -> list[object]:
    with database.writer.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            diff
            for diff in compare_metadata(context, metadata)
            # Expression indexes cannot be reflected on SQLite, so they always "differ".
            if not (
                diff[0] in ("add_index", "remove_index")
                and diff[1].name == "ix_customers_email_order"
            )
        ]


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_migrated_sqlite_matches_the_tables(sqlite_database: Database) -> None:
    assert _differences(sqlite_database) == []
    assert is_current(sqlite_database.writer)


def test_migrated_postgres_matches_the_tables(postgres_database: Database) -> None:
    assert _differences(postgres_database) == []
    indexes = {i["name"] for i in inspect(postgres_database.writer).get_indexes("customers")}
    assert "ix_customers_email_order" in indexes


def test_upgrade_twice_is_a_no_op(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'twice.db'}")
    upgrade(database.writer)
    upgrade(database.writer)
    assert is_current(database.writer)
    assert "customers" in inspect(database.writer).get_table_names()
    database.dispose()
