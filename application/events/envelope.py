"""Outbox rows as CloudEvents 1.0 in structured JSON mode."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
DEFAULT_SOURCE = "urn:rapport"


@frozen
class OutboxRecord:
    """One committed event as the outbox keeps it."""

    position: int
    event_id: str
    event_type: str
    aggregate_type: str
    aggregate_id: str
    actor_id: str
    occurred_at: datetime
    payload: Mapping[str, Any]


def to_cloudevent(record: OutboxRecord, source: str = DEFAULT_SOURCE) -> dict[str, Any]:
    """The structured-mode CloudEvent: ``id`` is the outbox event id, ``subject`` the aggregate."""
    return {
        "specversion": SPEC_VERSION,
        "id": record.event_id,
        "source": source,
        "type": record.event_type,
        "subject": record.aggregate_id,
        "time": record.occurred_at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "rapportactor": record.actor_id,
        "rapportsequence": str(record.position),
        "data": dict(record.payload),
    }
