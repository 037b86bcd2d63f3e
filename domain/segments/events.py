"""What happens to segments and to the segments a customer is in."""

from __future__ import annotations

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class SegmentCreated(DomainEvent):
    event_type = "rapport.segment.created.v1"
    aggregate_type = "segment"

    name: str
    kind: str
    rule: str


@frozen(kw_only=True)
class SegmentUpdated(DomainEvent):
    event_type = "rapport.segment.updated.v1"
    aggregate_type = "segment"

    name: str
    rule: str


@frozen(kw_only=True)
class CustomerEnteredSegment(DomainEvent):
    """A customer came to meet a dynamic segment's rule."""

    event_type = "rapport.segment.entered.v1"
    aggregate_type = "customer"

    segment_id: str
    segment_name: str


@frozen(kw_only=True)
class CustomerExitedSegment(DomainEvent):
    """A customer stopped meeting a dynamic segment's rule."""

    event_type = "rapport.segment.exited.v1"
    aggregate_type = "customer"

    segment_id: str
    segment_name: str
