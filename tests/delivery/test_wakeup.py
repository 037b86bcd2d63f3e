"""Commits on PostgreSQL wake a worker in another process at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from adapters.messaging.in_process import InProcessEventBus
from adapters.persistence.database import Database
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.persistence.wakeups import PostgresWakeups
from tests.contracts.customers import new_customer

pytestmark = pytest.mark.postgres


@pytest.fixture
def woken(postgres_database: Database) -> Iterator[threading.Event]:
    event = threading.Event()
    wakeups = PostgresWakeups(postgres_database.writer, event.set)
    wakeups.start()
    try:
        assert wakeups.listening.wait(10), "never started listening"
        yield event
    finally:
        wakeups.stop()


def _add_customer(database: Database) -> None:
    with SqlUnitOfWork(database.sessions, InProcessEventBus()) as uow:
        uow.customers.add(new_customer(email="ada@example.com"))
        uow.commit()


def test_a_commit_that_writes_events_wakes_the_listener(
    postgres_database: Database, woken: threading.Event
) -> None:
    _add_customer(postgres_database)
    assert woken.wait(5)
