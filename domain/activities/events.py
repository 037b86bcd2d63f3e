"""What can happen to an activity, as versioned domain events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class ActivityLogged(DomainEvent):
    event_type = "rapport.activity.logged.v1"
    aggregate_type = "activity"

    customer_id: str
    kind: str
    author_id: str
    activity_at: datetime
    """When the call, meeting, email or note happened; ``occurred_at`` is when it was logged."""
    subject: str
    body: str
    duration_seconds: int | None
    direction: str | None


@frozen(kw_only=True)
class ActivityUpdated(DomainEvent):
    event_type = "rapport.activity.updated.v1"
    aggregate_type = "activity"

    customer_id: str
    changes: dict[str, Any]
    version: int


@frozen(kw_only=True)
class ActivityDeleted(DomainEvent):
    event_type = "rapport.activity.deleted.v1"
    aggregate_type = "activity"

    customer_id: str
    version: int
