"""What can happen to tags and to the tags of a customer, as versioned domain events."""

from __future__ import annotations

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class TagCreated(DomainEvent):
    event_type = "rapport.tag.created.v1"
    aggregate_type = "tag"

    name: str
    colour: str
    category: str
    description: str


@frozen(kw_only=True)
class TagUpdated(DomainEvent):
    """A tag of the catalogue was renamed, recoloured, recategorised or redescribed."""

    event_type = "rapport.tag.updated.v1"
    aggregate_type = "tag"

    name: str
    colour: str
    category: str
    description: str


@frozen(kw_only=True)
class CustomerTagged(DomainEvent):
    """A customer got a tag; ``rule_id`` names the auto-tag rule that did it, if one did."""

    event_type = "rapport.tag.added.v1"
    aggregate_type = "customer"

    tag_id: str
    tag_name: str
    rule_id: str | None = None


@frozen(kw_only=True)
class CustomerUntagged(DomainEvent):
    """A customer lost a tag; ``rule_id`` names the auto-tag rule that did it, if one did."""

    event_type = "rapport.tag.removed.v1"
    aggregate_type = "customer"

    tag_id: str
    tag_name: str
    rule_id: str | None = None
