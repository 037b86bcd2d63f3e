"""The migrations build exactly the schema that the tables describe."""

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from adapters.persistence.database import Database, open_database
from adapters.persistence.migrate import alembic_config, is_current, upgrade
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


def test_attributes_become_custom_fields_with_inferred_definitions(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'legacy.db'}")
    upgrade(database.writer, "0001")
    legacy = [
        {"tier": "gold", "seats": 3, "vip": True, "mixed": 1},
        {"tier": "silver", "seats": 2.5, "mixed": "one"},
    ]
    with database.writer.begin() as connection:
        for number, attributes in enumerate(legacy):
            connection.execute(
                text(
                    "INSERT INTO customers (id, first_name, last_name, attributes, owner_id,"
                    " created_at, updated_at, version, sort_name, search_text) VALUES"
                    " (:id, 'A', 'B', :attributes, 'u', '2026-01-01 00:00:00',"
                    " '2026-01-01 00:00:00', 1, 'b a', 'a b')"
                ),
                {"id": f"c{number}", "attributes": json.dumps(attributes)},
            )
    upgrade(database.writer)
    with database.writer.connect() as connection:
        defined = connection.execute(
            text("SELECT key, field_type FROM custom_field_definitions ORDER BY key")
        ).all()
        values = connection.execute(text("SELECT custom_fields FROM customers ORDER BY id"))
        stored = [json.loads(row[0]) for row in values]
    assert [tuple(row) for row in defined] == [
        ("seats", "number"),
        ("tier", "text"),
        ("vip", "boolean"),
    ]
    assert stored == legacy
    database.dispose()


def test_downgrade_to_0001_restores_attributes(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'down.db'}")
    upgrade(database.writer)
    config = alembic_config(database.writer)
    with database.writer.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    inspector = inspect(database.writer)
    assert "companies" not in inspector.get_table_names()
    assert {c["name"] for c in inspector.get_columns("customers")} >= {"attributes"}
    assert "company_id" not in {c["name"] for c in inspector.get_columns("customers")}
    database.dispose()
