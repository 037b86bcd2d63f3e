"""The public schema's parts, one per module, and the types several modules build.

Each feature module ends with its ``PART``: its root fields, the fields it owns on
``Customer`` and ``Company`` (orders owns ``Customer.orders``, tags ``Customer.tags``, …)
and the node types it fetches. Only this module imports them all; the others refer to the
assembled types by name, lazily. A new module adds two lines here: its import and its part.
"""

from __future__ import annotations

from typing import Any

import strawberry

from adapters.graphql import (
    access,
    activities,
    api_keys,
    audit,
    automation,
    behaviour,
    board,
    campaigns,
    companies,
    company_mutations,
    consent,
    custom_fields,
    customers,
    duplicates,
    events,
    importing,
    journeys,
    leads,
    lifecycle,
    live,
    messages,
    opportunities,
    opportunity_mutations,
    orders,
    pipeline,
    privacy,
    sales_analytics,
    sales_teams,
    segments,
    tag_mutations,
    tags,
    tasks,
    templates,
    timeline,
    webhooks,
)
from adapters.graphql.parts import NODE_FETCHERS, SchemaPart

PARTS: tuple[SchemaPart, ...] = (
    customers.PART,
    companies.PART,
    company_mutations.PART,
    custom_fields.PART,
    orders.PART,
    duplicates.PART,
    importing.PART,
    access.PART,
    api_keys.PART,
    activities.PART,
    behaviour.PART,
    tags.PART,
    tag_mutations.PART,
    timeline.PART,
    lifecycle.PART,
    segments.PART,
    webhooks.PART,
    events.PART,
    live.PART,
    pipeline.PART,
    opportunities.PART,
    opportunity_mutations.PART,
    board.PART,
    sales_analytics.PART,
    leads.PART,
    tasks.PART,
    sales_teams.PART,
    automation.PART,
    audit.PART,
    privacy.PART,
    campaigns.PART,
    consent.PART,
    messages.PART,
    templates.PART,
    journeys.PART,
)
"""Every module's part of the schema, in the order their fields are listed."""


def _assembled(name: str, base: type, field_of: str, description: str) -> Any:
    mixins = tuple(mixin for part in PARTS for mixin in getattr(part, field_of))
    return strawberry.type(
        type(f"{name}Node", (base, *mixins), {}), name=name, description=description
    )


CustomerNode = customers.CUSTOMER_NODE.bind(
    _assembled(
        "Customer",
        customers.CustomerBase,
        "customer_fields",
        "A person the company has a relationship with.",
    )
)
CompanyNode = companies.COMPANY_NODE.bind(
    _assembled(
        "Company",
        companies.CompanyBase,
        "company_fields",
        "An organisation that customers belong to.",
    )
)

NODE_FETCHERS.update(
    (type_name, fetch) for part in PARTS for type_name, fetch in part.nodes.items()
)


def root_types(kind: str) -> list[type]:
    """Every part's root types of one kind (``queries``, ``mutations``, ``subscriptions``)."""
    return [root for part in PARTS for root in getattr(part, kind)]


def extra_types() -> list[type]:
    return [extra for part in PARTS for extra in part.types]
