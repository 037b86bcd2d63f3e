"""Erasing a customer leaves no trace of their name, email or phone: in any table, the
outbox, webhook deliveries, the segment snapshot or the logs; on SQLite not in the file's
free pages nor its write-ahead log either. Revenue stays as it was."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from sqlalchemy import text

from tests.graphql.conftest import Api
from tests.privacy.erase_world import (
    TRACES,
    World,
    build_world,
    memory_container,
    ok,
    postgres_container,
    relay,
    revenue,
    serving,
    sqlite_container,
)

KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=KINDS)
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    kind: str = request.param
    if kind == "memory":
        container = memory_container()
    elif kind == "sqlite":
        template: Path = request.getfixturevalue("migrated_sqlite_template")
        container = sqlite_container(template, tmp_path / "rapport.db")
    else:
        database = request.getfixturevalue("postgres_database")
        container = postgres_container(database.writer.url.render_as_string(hide_password=False))
    with serving(container) as served:
        yield served


def _traces_in(dump: str) -> list[str]:
    folded = dump.casefold()
    return [trace for trace in TRACES if trace.casefold() in folded]


def _dump_sql(api: Api) -> str:
    """Every row of every table, as text."""
    database = api.container.database()
    lines: list[str] = []
    with database.reader.connect() as connection:
        if database.is_sqlite:
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).scalars()
            for name in list(names):
                lines += [
                    repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{name}"'))
                ]
        else:
            names = connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            ).scalars()
            for name in list(names):
                lines += connection.execute(text(f'SELECT t::text FROM "{name}" t')).scalars().all()
    return "\n".join(lines)


def _dump_memory(api: Api) -> str:
    store = api.container.storage.store()
    return "\n".join(
        repr(getattr(store, field.name))
        for field in attrs.fields(type(store))
        if field.name != "lock"
    )


def _raw_sqlite_files(api: Api) -> str:
    """The database file and its write-ahead log, byte for byte."""
    path = Path(api.container.database().writer.url.database or "")
    found = b""
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            found += part.read_bytes()
    return found.decode("latin-1")


def _snapshot_text(api: Api) -> str:
    snapshot = api.container.module("segments").snapshot()()
    return repr(snapshot.ids) + repr(snapshot.texts)


def _erase(api: Api, customer: str) -> None:
    ok(api, "EraseCustomer", {"customerId": customer})


def test_erasing_a_customer_leaves_no_trace(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # SQLAlchemy's engine log (echo) is a debugging aid that prints every row: off, as deployed.
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    world: World = build_world(api)
    before = revenue(api, world.orders)
    is_sql = api.container.settings.storage == "sql"
    dump = _dump_sql(api) if is_sql else _dump_memory(api)
    assert set(_traces_in(dump)) == set(TRACES), "the world should hold every trace first"
    assert _traces_in(_snapshot_text(api))

    _erase(api, world.person)
    relay(api)

    assert revenue(api, world.orders) == before
    assert _traces_in(_dump_sql(api) if is_sql else _dump_memory(api)) == []
    assert _traces_in(_snapshot_text(api)) == []
    assert world.person.encode() not in _snapshot_text(api).encode()
    if is_sql and api.container.database().is_sqlite:
        assert _traces_in(_raw_sqlite_files(api)) == []
    assert _traces_in(caplog.text) == []
    for customer in (world.person, world.duplicate):
        gone = api.data("query($id: ID!) { customer(id: $id) { id } }", id=customer)
        assert gone["customer"] is None
    bystander = api.data("query($id: ID!) { customer(id: $id) { email } }", id=world.bystander)
    assert bystander["customer"]["email"] == "ada@bystander.example"
