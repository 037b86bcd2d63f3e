"""The bulk write path (COPY on PostgreSQL, one prepared INSERT on SQLite) against the ORM's.

Both must leave byte-for-byte the same rows: the same text for timestamps and JSON on
SQLite, the same derived sort and search columns, the same outbox payloads.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from adapters.messaging.in_process import InProcessEventBus
from adapters.persistence.database import Database
from adapters.persistence.outbox import new_event_id, new_event_ids
from adapters.persistence.unit_of_work import SqlUnitOfWork
from application.errors import AlreadyTaken
from domain.custom_fields import CustomFieldSchema, FieldType
from domain.customers import Customer, EmailAddress, ExternalId, PhoneNumber
from tests.contracts.custom_fields import definition

SCHEMA = CustomFieldSchema(
    [definition("plan", FieldType.TEXT), definition("seats", FieldType.NUMBER)]
)
AT = datetime(2026, 3, 1, 12, 30, 15, 250, tzinfo=UTC)


def customer(customer_id: str) -> Customer:
    return Customer.register(
        id=customer_id,
        first_name="Zoë",
        last_name="O'Brien",
        email=EmailAddress(f"{customer_id}@example.com"),
        phone=PhoneNumber("+442071838750"),
        custom_fields={"plan": 'naïve "quoted" \\ text', "seats": 12.5},
        schema=SCHEMA,
        owner_id="owner-1",
        at=AT,
        by="actor-1",
        external_ids=[ExternalId("shop", f"{customer_id}-7")],
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(f"{request.param}_database")  # type: ignore[no-any-return]


def stored(database: Database, customer_id: str) -> tuple[dict[str, object], ...]:
    """The raw rows of a customer, with its id and email written as placeholders."""
    queries = (
        "SELECT * FROM customers WHERE id = :id",
        "SELECT source, external_id, customer_id FROM customer_external_ids "
        "WHERE customer_id = :id",
        "SELECT event_type, aggregate_type, aggregate_id, actor_id, occurred_at, payload, "
        "published_at FROM outbox WHERE aggregate_id = :id",
    )
    rows = []
    with database.reader.connect() as connection:
        for query in queries:
            [row] = connection.execute(text(query), {"id": customer_id}).mappings()
            rows.append({k: _placeholders(v, customer_id) for k, v in row.items()})
    return tuple(rows)


def _placeholders(value: object, customer_id: str) -> object:
    if isinstance(value, str):
        return value.replace(customer_id, "<id>")
    if isinstance(value, dict):
        return {k: _placeholders(v, customer_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, customer_id) for v in value]
    return value


def test_bulk_path_stores_exactly_what_the_orm_stores(database: Database) -> None:
    uow = SqlUnitOfWork(database.sessions, InProcessEventBus())
    with uow:
        uow.customers.add(customer("single"))
        uow.commit()
    with uow:
        uow.customers.add_many([customer("bulk")])
        uow.commit()
    assert stored(database, "bulk") == stored(database, "single")


def test_a_clash_in_the_bulk_path_is_already_taken_and_writes_nothing(
    database: Database,
) -> None:
    uow = SqlUnitOfWork(database.sessions, InProcessEventBus())
    with uow:
        uow.customers.add_many([customer("first")])
        uow.commit()
    clash = customer("second")
    clash.email = EmailAddress("first@example.com")
    with pytest.raises(AlreadyTaken), uow:
        uow.customers.add_many([customer("third"), clash])
        uow.commit()
    with database.reader.connect() as connection:
        ids = connection.execute(text("SELECT id FROM customers ORDER BY id")).scalars().all()
        events = connection.execute(text("SELECT count(*) FROM outbox")).scalar()
    assert (ids, events) == (["first"], 1)


def test_event_ids_are_random_uuids_in_their_usual_text_form() -> None:
    ids = {new_event_id() for _ in range(500)} | set(new_event_ids(500))
    assert len(ids) == 1000
    for event_id in ids:
        parsed = uuid.UUID(event_id)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, event_id)
