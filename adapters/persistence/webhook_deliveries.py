"""The webhook delivery log in SQL, as the dispatcher claims and records it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, or_, select, update

from adapters.persistence.tables import webhook_deliveries, webhook_subscriptions
from application.events.deliveries import AttemptOutcome, DueDelivery


class SqlWebhookDeliveries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> Sequence[DueDelivery]:
        d, s = webhook_deliveries, webhook_subscriptions
        earlier = d.alias("earlier")
        blocked = exists().where(
            earlier.c.subscription_id == d.c.subscription_id,
            earlier.c.aggregate_id == d.c.aggregate_id,
            earlier.c.status == "pending",
            or_(
                earlier.c.position < d.c.position,
                and_(earlier.c.position == d.c.position, earlier.c.id < d.c.id),
            ),
        )
        query = (
            select(d.c.id, d.c.event_id, d.c.body, d.c.attempts, s.c.id.label("sub"), s.c.url)
            .add_columns(s.c.secret, s.c.role)
            .join(s, s.c.id == d.c.subscription_id)
            .where(d.c.status == "pending", d.c.next_attempt_at <= now, s.c.status == "active")
            .where(~blocked)
            .order_by(d.c.position, d.c.id)
            .limit(limit)
        )
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                query = query.with_for_update(of=d, skip_locked=True)
            rows = list(connection.execute(query))
            if rows and connection.dialect.name == "postgresql":
                # Leased, so another worker leaves them alone while they are in flight.
                connection.execute(
                    update(d)
                    .where(d.c.id.in_([row.id for row in rows]))
                    .values(next_attempt_at=now + lease)
                )
        return [_due(row) for row in rows]

    def record(self, outcomes: Sequence[AttemptOutcome], at: datetime) -> None:
        d, s = webhook_deliveries, webhook_subscriptions
        with self._engine.begin() as connection:
            for outcome in outcomes:
                values: dict[str, Any] = {
                    "attempts": outcome.attempts,
                    "last_attempt_at": at,
                    "last_status_code": outcome.status_code,
                    "last_latency_ms": outcome.latency_ms,
                    "last_response": outcome.response,
                    "status": outcome.status,
                    "next_attempt_at": outcome.next_attempt_at,
                }
                if outcome.status == "delivered":
                    values["delivered_at"] = at
                connection.execute(update(d).where(d.c.id == outcome.delivery_id).values(**values))
                if outcome.disable_reason is not None:
                    connection.execute(
                        update(s)
                        .where(s.c.id == outcome.subscription_id)
                        .values(
                            status="disabled",
                            disabled_reason=outcome.disable_reason,
                            updated_at=at,
                            version=s.c.version + 1,
                        )
                    )


def _due(row: Any) -> DueDelivery:
    return DueDelivery(
        id=row.id,
        subscription_id=row.sub,
        event_id=row.event_id,
        body=row.body,
        attempts=row.attempts,
        url=row.url,
        secret=row.secret,
        role=row.role,
    )
