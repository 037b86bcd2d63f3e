"""One tag put on, or taken off, one customer: a line of tag history."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from attrs import frozen

from domain.events import DomainEvent
from domain.tags.events import CustomerTagged, CustomerUntagged
from domain.tags.tag import SUBJECT_TYPE
from domain.timeline import TimelineEntry

TAGGED: Final = "tagged"
UNTAGGED: Final = "untagged"
"""The kinds of timeline entry that tag changes draw."""


@frozen(kw_only=True)
class TagChange:
    """Who put ``tag_id`` on ``customer_id`` (or took it off), when, and by which rule.

    ``id`` is unique per change; it is also the id of the change's timeline entry.
    """

    id: str
    customer_id: str
    tag_id: str
    tag_name: str
    added: bool
    occurred_at: datetime
    actor_id: str
    rule_id: str | None = None

    @property
    def kind(self) -> str:
        return TAGGED if self.added else UNTAGGED

    def event(self) -> DomainEvent:
        kind = CustomerTagged if self.added else CustomerUntagged
        return kind(
            aggregate_id=self.customer_id,
            occurred_at=self.occurred_at,
            actor_id=self.actor_id,
            tag_id=self.tag_id,
            tag_name=self.tag_name,
            rule_id=self.rule_id,
        )

    def timeline_entry(self) -> TimelineEntry:
        verb = "Tagged" if self.added else "Untagged"
        return TimelineEntry(
            id=self.id,
            customer_id=self.customer_id,
            kind=self.kind,
            occurred_at=self.occurred_at,
            subject_type=SUBJECT_TYPE,
            subject_id=self.tag_id,
            actor_id=self.actor_id,
            title=f"{verb} {self.tag_name}",
            data={"tagId": self.tag_id, "name": self.tag_name, "ruleId": self.rule_id},
        )
