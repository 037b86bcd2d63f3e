"""The outbox relay: committed events, in position order, to webhooks and the stream.

Each batch runs in one transaction: it claims unpublished rows (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so several relays share the work), writes one pending delivery per matching
webhook subscription, publishes to the event stream, and marks the rows published. A relay
killed half way rolls back and the next one redoes the batch: at least once, never lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from adapters.persistence.tables import outbox, webhook_deliveries, webhook_subscriptions
from application.events.envelope import DEFAULT_SOURCE, OutboxRecord, to_cloudevent
from application.events.live import LiveEvents
from application.events.stream import EventStream
from application.ports import Clock


def record_of(row: Any) -> OutboxRecord:
    return OutboxRecord(
        position=row.position,
        event_id=row.event_id,
        event_type=row.event_type,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        actor_id=row.actor_id,
        occurred_at=row.occurred_at,
        payload=row.payload,
    )


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        stream: EventStream | None = None,
        live: LiveEvents | None = None,
        source: str = DEFAULT_SOURCE,
        batch_size: int = 500,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._stream = stream
        self._live = live
        self._source = source
        self._batch_size = batch_size
        self._found_work = False
        self._deferred = False

    def run_once(self) -> int:
        """Relay one batch; the number of events relayed (0 when the outbox is drained)."""
        with self._engine.begin() as connection:
            rows = self._claim(connection)
            self._found_work = bool(rows) or self._deferred
            if not rows:
                return 0
            records = [record_of(row) for row in rows]
            events = [to_cloudevent(record, self._source) for record in records]
            self._fan_out(connection, records, events)
            if self._stream is not None:
                self._stream.publish(events)
            connection.execute(
                update(outbox)
                .where(outbox.c.position.in_([record.position for record in records]))
                .values(published_at=self._clock.now())
            )
        if self._live is not None:
            self._live.broadcast(events)
        return len(records)

    def drain(self) -> int:
        """Relays until nothing is left that another relay is not already holding."""
        total = 0
        while True:
            total += self.run_once()
            if not self._found_work:
                return total

    def _claim(self, connection: Connection) -> list[Any]:
        query = (
            select(outbox)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.position)
            .limit(self._batch_size)
        )
        self._deferred = False
        if connection.dialect.name != "postgresql":
            return list(connection.execute(query))
        claimed = list(connection.execute(query.with_for_update(skip_locked=True)))
        rows = self._in_order(connection, claimed)
        self._deferred = len(rows) < len(claimed)
        return rows

    def _in_order(self, connection: Connection, rows: list[Any]) -> list[Any]:
        """Keeps each aggregate's rows only up to the first earlier row another relay holds.

        Any unpublished row that is not in this batch but comes before one of its rows was
        skipped because another relay has it locked (or deferred it); publishing past it
        would break the aggregate's order, so those rows wait for a later batch.
        """
        if not rows:
            return rows
        positions = {row.position for row in rows}
        others = outbox.alias("others")
        query = select(others.c.aggregate_id, others.c.position).where(
            others.c.published_at.is_(None),
            others.c.aggregate_id.in_({row.aggregate_id for row in rows}),
            others.c.position < max(positions),
        )
        gap: dict[str, int] = {}
        for other in connection.execute(query):
            if other.position not in positions:
                gap[other.aggregate_id] = min(
                    other.position, gap.get(other.aggregate_id, other.position)
                )
        return [row for row in rows if row.position < gap.get(row.aggregate_id, row.position + 1)]

    def _fan_out(
        self, connection: Connection, records: Sequence[OutboxRecord], events: Sequence[Any]
    ) -> None:
        subscriptions = list(
            connection.execute(
                select(webhook_subscriptions.c.id, webhook_subscriptions.c.event_types).where(
                    webhook_subscriptions.c.status != "disabled"
                )
            )
        )
        if not subscriptions:
            return
        now = self._clock.now()
        deliveries = [
            {
                "subscription_id": subscription.id,
                "event_id": record.event_id,
                "event_type": record.event_type,
                "aggregate_id": record.aggregate_id,
                "position": record.position,
                "body": json.dumps(event, separators=(",", ":")),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for record, event in zip(records, events, strict=True)
            for subscription in subscriptions
            if not subscription.event_types or record.event_type in subscription.event_types
        ]
        if deliveries:
            connection.execute(insert(webhook_deliveries), deliveries)
