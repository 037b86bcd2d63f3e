"""What can happen to a customer's lifecycle, as versioned domain events."""

from __future__ import annotations

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class StageChanged(DomainEvent):
    """A customer entered another stage of a track; ``override`` when the track forbids it."""

    event_type = "rapport.lifecycle.stage_changed.v1"
    aggregate_type = "customer"

    change_id: str
    track: str
    from_stage: str | None
    to_stage: str
    reason: str
    rule: str | None
    override: bool
