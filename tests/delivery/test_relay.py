"""The relay publishes the outbox in order, once per batch claim, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from adapters.clock import ManualClock
from adapters.delivery.streams.memory import InMemoryEventStream
from adapters.persistence.database import Database
from adapters.persistence.relay import OutboxRelay
from adapters.persistence.tables import outbox
from tests.delivery.conftest import write_events


def _published(database: Database) -> list[str]:
    stream = select(outbox.c.event_id).order_by(outbox.c.position)
    with database.reader.connect() as connection:
        return list(connection.execute(stream).scalars())


def test_relay_publishes_cloudevents_in_outbox_order(
    sqlite_database: Database, clock: ManualClock
) -> None:
    write_events(sqlite_database.writer, aggregates=3, per_aggregate=5)
    stream = InMemoryEventStream()
    relay = OutboxRelay(sqlite_database.writer, clock, stream=stream, batch_size=4)
    assert relay.drain() == 15
    taken = stream.consume("g", "a", count=100)
    assert [message.event["id"] for message in taken] == _published(sqlite_database)
    first = taken[0].event
    assert first["specversion"] == "1.0"
    assert first["type"] == "rapport.customer.updated.v1"
    assert first["subject"] == "customer-0"
    assert relay.run_once() == 0


def test_a_failed_publish_leaves_the_batch_unpublished(
    sqlite_database: Database, clock: ManualClock
) -> None:
    class Broken(InMemoryEventStream):
        def publish(self, events: object) -> None:
            raise ConnectionError("broker down")

    write_events(sqlite_database.writer, aggregates=1, per_aggregate=3)
    with pytest.raises(ConnectionError):
        OutboxRelay(sqlite_database.writer, clock, stream=Broken()).run_once()
    stream = InMemoryEventStream()
    assert OutboxRelay(sqlite_database.writer, clock, stream=stream).drain() == 3


@pytest.mark.postgres
def test_concurrent_relays_share_the_outbox_and_keep_aggregate_order(
    postgres_database: Database, clock: ManualClock
) -> None:
    write_events(postgres_database.writer, aggregates=20, per_aggregate=50)
    stream = InMemoryEventStream()
    relays = [
        OutboxRelay(postgres_database.writer, clock, stream=stream, batch_size=37) for _ in range(4)
    ]
    threads = [threading.Thread(target=relay.drain) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = stream.consume("g", "a", count=10_000)
    assert len({message.event["id"] for message in taken}) == 1000
    for aggregate in range(20):
        versions = [
            message.event["data"]["changes"]["n"]
            for message in taken
            if message.event["subject"] == f"customer-{aggregate}"
        ]
        assert versions == sorted(versions)
    with postgres_database.reader.connect() as connection:
        left = connection.execute(
            select(func.count()).where(outbox.c.published_at.is_(None))
        ).scalar_one()
    assert left == 0
