"""Fixtures shared by every layer of tests: fakes for time and ids, and storage backends."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from sqlalchemy import insert, select, text

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.memory.store import InMemoryStore
from adapters.messaging.in_process import InProcessEventBus
from adapters.persistence.database import Database, open_database
from adapters.persistence.lifecycle import rule_row, track_row
from adapters.persistence.mapping import map_domain
from adapters.persistence.migrate import upgrade
from adapters.persistence.pipeline_rows import pipeline_row
from adapters.persistence.tables import (
    access_version,
    customer_external_ids,
    lead_forms,
    lead_scoring_models,
    lifecycle_rules,
    lifecycle_tracks,
    metadata,
    outbox,
    pipelines,
)
from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.principal import Principal
from composition.storage import MemoryStorage, SqlStorage
from domain.custom_fields import FieldType, ObjectType
from domain.lifecycle.defaults import default_catalogue
from domain.pipeline import default_pipeline, default_scoring_model
from tests.contracts.backend import StorageBackend

POSTGRES_URL = os.environ.get(
    "RAPPORT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ids() -> SequentialIdGenerator:
    return SequentialIdGenerator("c")


@pytest.fixture
def bus() -> InProcessEventBus:
    return InProcessEventBus()


READERS = {
    "customers": "customer_reader",
    "users": "user_reader",
    "credentials": "credential_reader",
    "api_keys": "api_key_reader",
    "key_usage": "api_key_usage",
    "orders": "order_reader",
    "companies": "company_reader",
    "custom_fields": "custom_field_reader",
    "activities": "activity_reader",
    "behaviour": "behaviour_reader",
    "timeline": "timeline_reader",
    "tags": "tag_reader",
    "lifecycle": "lifecycle_reader",
    "segments": "segment_reader",
    "segment_facts": "segment_facts",
    "pipeline": "pipeline_reader",
    "analytics": "sales_analytics_reader",
    "leads": "lead_reader",
    "tasks": "task_reader",
    "behaviour_counts": "behaviour_counts",
    "access": "access_reader",
}
"""The backend's names for the storage container's readers."""


def backend_of(name: str, storage: Any, bus: InProcessEventBus, **extra: Any) -> StorageBackend:
    """What the contract suites use, read from the composition root's storage container."""
    readers = {field: getattr(storage, port)() for field, port in READERS.items()}
    return StorageBackend(name=name, uow=storage.unit_of_work, bus=bus, **readers, **extra)


def memory_backend(bus: InProcessEventBus, storage: Any = None) -> StorageBackend:
    """The in-memory storage as a contract backend: a new one, or the ``storage`` given."""
    storage = storage or MemoryStorage(publisher=providers.Object(bus))
    store: InMemoryStore = storage.store()

    def link_external_id(source: str, value: str, customer_id: str) -> None:
        store.external_ids[(source, value)] = customer_id

    return backend_of(
        "memory",
        storage,
        bus,
        outbox=lambda: [(e.event_type, e.aggregate_id) for e in store.outbox],
        link_external_id=link_external_id,
    )


def sql_backend(name: str, database: Database, bus: InProcessEventBus) -> StorageBackend:
    def stored_events() -> list[tuple[str, str]]:
        query = select(outbox.c.event_type, outbox.c.aggregate_id).order_by(outbox.c.position)
        with database.reader.connect() as connection:
            return [(row.event_type, row.aggregate_id) for row in connection.execute(query)]

    storage = SqlStorage(database_url=str(database.writer.url), publisher=providers.Object(bus))
    storage.database.override(providers.Object(database))
    return backend_of(
        name,
        storage,
        bus,
        outbox=stored_events,
        concurrent_writers=database.writer.dialect.name != "sqlite",
        link_external_id=sql_external_ids(database),
    )


def sql_external_ids(database: Database) -> Callable[[str, str, str], None]:
    def link(source: str, value: str, customer_id: str) -> None:
        with database.writer.begin() as connection:
            connection.execute(
                insert(customer_external_ids).values(
                    source=source, external_id=value, customer_id=customer_id
                )
            )

    return link


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database file that each test copies, so each migrates only once."""
    map_domain()
    path = tmp_path_factory.mktemp("template") / "rapport.db"
    database = open_database(f"sqlite:///{path}")
    upgrade(database.writer)
    database.dispose()
    return path


@pytest.fixture
def sqlite_database(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "rapport.db"
    shutil.copyfile(migrated_sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    yield database
    database.dispose()


def postgres_url_in(schema: str) -> str:
    """The test server's URL with every connection's search path set to ``schema``."""
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[Database]:
    """A schema of its own in the test server, migrated once and dropped at the end."""
    map_domain()
    schema = f"rapport_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = open_database(POSTGRES_URL, pool_size=1, max_overflow=0)
        with admin.writer.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true requires it)")
        pytest.skip(message)
    database = open_database(postgres_url_in(schema))
    upgrade(database.writer)
    yield database
    database.dispose()
    with admin.writer.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def postgres_database(postgres_schema: Database) -> Database:
    reset_postgres(postgres_schema)
    return postgres_schema


def reset_postgres(database: Database) -> None:
    """Empty every table, then seed what the migrations seed: a fresh database."""
    tables = ", ".join(table.name for table in reversed(metadata.sorted_tables))
    with database.writer.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # What migrations 0019 and 0006 seed, as a fresh database has it.
        connection.execute(insert(access_version).values(id=1, version=0))
        defaults = default_catalogue()
        connection.execute(
            insert(lifecycle_tracks), [track_row(t) for t in defaults.tracks.values()]
        )
        connection.execute(insert(lifecycle_rules), [rule_row(r) for r in defaults.rules])
        # And what migration 0009 seeds.
        connection.execute(insert(pipelines), [pipeline_row(default_pipeline())])
        connection.execute(
            insert(lead_forms), [{"key": "website", "source": "website", "honeypot": "website"}]
        )
        connection.execute(
            insert(lead_scoring_models),
            [{"key": "default", "model": default_scoring_model().to_data()}],
        )


STORAGE_KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORAGE_KINDS)
def backend(request: pytest.FixtureRequest, bus: InProcessEventBus) -> StorageBackend:
    """Every storage adapter in turn, each over an empty database."""
    kind: str = request.param
    if kind == "memory":
        return memory_backend(bus)
    database: Database = request.getfixturevalue(f"{kind}_database")
    return sql_backend(kind, database, bus)


def later(clock: ManualClock, seconds: float = 1) -> None:
    clock.advance(timedelta(seconds=seconds))


def define_field(
    fields: CustomFields,
    key: str,
    field_type: FieldType,
    *,
    object_type: ObjectType = ObjectType.CUSTOMER,
    choices: tuple[str, ...] = (),
    required: bool = False,
    unique: bool = False,
) -> None:
    """Define a custom field as the system, labelled after its key: setup for a test."""
    fields.define(
        Principal.system(),
        NewCustomField(
            object_type=object_type,
            key=key,
            label=key.capitalize(),
            field_type=field_type,
            choices=choices,
            required=required,
            unique=unique,
        ),
    )
