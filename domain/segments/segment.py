"""The Segment aggregate: a named list of customers, frozen (static) or rule-based (dynamic)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from attrs import define, field

from domain.errors import ErrorCode, InvalidValue
from domain.events import DomainEvent
from domain.segments.events import (
    CustomerEnteredSegment,
    CustomerExitedSegment,
    SegmentCreated,
    SegmentUpdated,
)
from domain.text import clean_line

MAX_NAME_LENGTH = 100


class SegmentKind(StrEnum):
    STATIC = "static"
    """A frozen list of customers, kept as it was taken."""
    DYNAMIC = "dynamic"
    """Whoever meets the rule now: refreshed on change and on schedule."""


def segment_name(raw: str) -> str:
    name = clean_line(raw, field="name", max_length=MAX_NAME_LENGTH)
    if not name:
        raise InvalidValue("name", ErrorCode.REQUIRED, "name the segment")
    return name


@define(slots=False, eq=False)
class Segment:
    """``rule`` is the rule's canonical text; a static segment keeps the rule it was taken by
    (empty for the clusters of a clustering run, which ``description`` profiles)."""

    id: str
    name: str
    kind: SegmentKind
    rule: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    size: int = 0
    refreshed_at: datetime | None = None
    description: str = ""
    version: int = 1
    """Grows by one with every change of name or rule, for optimistic concurrency."""
    events: list[DomainEvent] = field(factory=list)

    @classmethod
    def create(
        cls,
        *,
        id: str,
        name: str,
        kind: SegmentKind,
        rule: str,
        at: datetime,
        actor_id: str,
        description: str = "",
    ) -> Segment:
        segment = cls(
            id=id,
            name=segment_name(name),
            kind=kind,
            rule=rule,
            created_at=at,
            created_by=actor_id,
            updated_at=at,
            description=description,
        )
        segment.events.append(
            SegmentCreated(
                aggregate_id=id,
                occurred_at=at,
                actor_id=actor_id,
                name=segment.name,
                kind=kind.value,
                rule=rule,
            )
        )
        return segment

    def change(self, *, name: str | None, rule: str | None, at: datetime, actor_id: str) -> None:
        if name is not None:
            self.name = segment_name(name)
        if rule is not None:
            self.rule = rule
        self.updated_at = at
        self.version += 1
        self.events.append(
            SegmentUpdated(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=actor_id,
                name=self.name,
                rule=self.rule,
            )
        )

    def refreshed(
        self,
        *,
        entered: Collection[str],
        exited: Collection[str],
        size: int,
        at: datetime,
        actor_id: str,
        announce: bool = True,
    ) -> None:
        """Record a new membership; ``announce`` says whether each change is an event."""
        self.size = size
        self.refreshed_at = at
        if not announce:
            return
        for customer_id in sorted(entered):
            self.events.append(
                CustomerEnteredSegment(
                    aggregate_id=customer_id,
                    occurred_at=at,
                    actor_id=actor_id,
                    segment_id=self.id,
                    segment_name=self.name,
                )
            )
        for customer_id in sorted(exited):
            self.events.append(
                CustomerExitedSegment(
                    aggregate_id=customer_id,
                    occurred_at=at,
                    actor_id=actor_id,
                    segment_id=self.id,
                    segment_name=self.name,
                )
            )
