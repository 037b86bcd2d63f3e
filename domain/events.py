"""The base of domain events, recorded by aggregates and stored in the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from attrs import frozen


@frozen(kw_only=True)
class DomainEvent:
    """Something that happened to an aggregate; immutable and versioned by its type."""

    event_type: ClassVar[str]
    aggregate_type: ClassVar[str]

    aggregate_id: str
    occurred_at: datetime
    actor_id: str
