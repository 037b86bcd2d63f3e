"""The read model of an activity."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from domain.activities import Activity, ActivityKind, Direction


@frozen
class ActivityView:
    """An activity as queries return it: plain values, no behaviour."""

    id: str
    customer_id: str
    kind: ActivityKind
    author_id: str
    occurred_at: datetime
    subject: str
    body: str
    duration_seconds: int | None
    direction: Direction | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_activity(cls, activity: Activity) -> ActivityView:
        return cls(
            id=activity.id,
            customer_id=activity.customer_id,
            kind=activity.kind,
            author_id=activity.author_id,
            occurred_at=activity.occurred_at,
            subject=activity.subject,
            body=activity.body,
            duration_seconds=activity.duration_seconds,
            direction=activity.direction,
            created_at=activity.created_at,
            updated_at=activity.updated_at,
            version=activity.version,
        )
