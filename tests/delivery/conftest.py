"""Outbox rows and subscriptions written straight into a migrated SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from adapters.persistence.outbox import outbox_row
from adapters.persistence.tables import outbox
from adapters.persistence.webhooks import SqlWebhookStore
from application.events.webhooks import NewSubscription
from domain.customers.events import CustomerArchived, CustomerUpdated

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def write_events(engine: Engine, aggregates: int, per_aggregate: int) -> None:
    """``per_aggregate`` updates of each aggregate, interleaved, then each archived."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        outbox_row(
            CustomerUpdated(
                aggregate_id=f"customer-{a}",
                occurred_at=start + timedelta(seconds=n),
                actor_id="system",
                changes={"n": n},
                version=n + 1,
            )
        )
        for n in range(per_aggregate)
        for a in range(aggregates)
    ]
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 1000):
            connection.execute(insert(outbox), rows[chunk : chunk + 1000])


def archived(aggregate_id: str) -> CustomerArchived:
    return CustomerArchived(
        aggregate_id=aggregate_id, occurred_at=datetime(2026, 1, 2, tzinfo=UTC), actor_id="system"
    )


def subscribe(
    engine: Engine,
    url: str,
    *,
    event_types: tuple[str, ...] = (),
    subscription_id: str = "sub-1",
    secret: str = SECRET,
) -> str:
    """Stores a subscription as is, without the checks a new one gets through the API."""
    SqlWebhookStore(engine).add(
        NewSubscription(
            id=subscription_id,
            url=url,
            description="partner",
            event_types=event_types,
            secret=secret,
            at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    return subscription_id
