"""What can happen to a customer, as versioned domain events."""

from __future__ import annotations

from typing import Any

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class CustomerCreated(DomainEvent):
    event_type = "rapport.customer.created.v1"
    aggregate_type = "customer"

    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    owner_id: str
    external_ids: list[str]
    company_id: str | None = None


@frozen(kw_only=True)
class CustomerUpdated(DomainEvent):
    event_type = "rapport.customer.updated.v1"
    aggregate_type = "customer"

    changes: dict[str, Any]
    version: int


@frozen(kw_only=True)
class CustomerArchived(DomainEvent):
    event_type = "rapport.customer.archived.v1"
    aggregate_type = "customer"


@frozen(kw_only=True)
class CustomerMerged(DomainEvent):
    """Duplicates became part of this customer; their ids now resolve to it."""

    event_type = "rapport.customer.merged.v1"
    aggregate_type = "customer"

    merged_ids: list[str]
    version: int
