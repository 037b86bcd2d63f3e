"""Domain events as outbox rows, written in the transaction of the change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
from sqlalchemy import insert
from sqlalchemy.orm import Session

from adapters.persistence.tables import outbox
from domain.events import DomainEvent

_ENVELOPE = frozenset({"aggregate_id", "occurred_at", "actor_id"})


def event_payload(event: DomainEvent) -> dict[str, Any]:
    """The event's own fields as JSON values; the envelope has columns of its own."""
    return attrs.asdict(
        event,
        filter=lambda attribute, _value: attribute.name not in _ENVELOPE,
        value_serializer=lambda _instance, _field, value: (
            value.isoformat() if isinstance(value, datetime) else value
        ),
    )


def outbox_row(event: DomainEvent) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event.event_type,
        "aggregate_type": event.aggregate_type,
        "aggregate_id": event.aggregate_id,
        "actor_id": event.actor_id,
        "occurred_at": event.occurred_at,
        "payload": event_payload(event),
    }


def store_events(session: Session, events: Sequence[DomainEvent]) -> None:
    if events:
        session.execute(insert(outbox), [outbox_row(event) for event in events])
