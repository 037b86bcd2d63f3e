"""What can happen to a company, as versioned domain events."""

from __future__ import annotations

from typing import Any

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class CompanyCreated(DomainEvent):
    event_type = "rapport.company.created.v1"
    aggregate_type = "company"

    name: str
    domain: str | None
    owner_id: str


@frozen(kw_only=True)
class CompanyUpdated(DomainEvent):
    event_type = "rapport.company.updated.v1"
    aggregate_type = "company"

    changes: dict[str, Any]
    version: int


@frozen(kw_only=True)
class CompanyArchived(DomainEvent):
    event_type = "rapport.company.archived.v1"
    aggregate_type = "company"
