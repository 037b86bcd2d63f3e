"""A customer's timeline in the API: one connection over the entries of every module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.errors import query_error
from adapters.graphql.relay import PageInfo, to_global_id
from adapters.graphql.timeline_kinds import KINDS, TimelineKind
from application.pagination import Edge, Page
from application.timeline.bundle import Timeline
from domain.errors import DomainError
from domain.timeline import TimelineEntry

TIMELINE_ENTRY = "TimelineEntry"


@strawberry.type(
    name="TimelineEntry",
    description="One thing that happened with a customer; `subjectId` is the record behind it.",
)
class TimelineEntryNode:
    id: strawberry.ID
    kind: TimelineKind  # type: ignore[valid-type]
    occurred_at: datetime
    title: str
    summary: str | None
    data: JSON = strawberry.field(description="A snapshot of the record, by kind.")
    subject_id: strawberry.ID = strawberry.field(
        description="The global id of the record, for `node(id:)`."
    )
    actor_id: strawberry.Private[str | None]

    @classmethod
    def from_entry(cls, entry: TimelineEntry) -> TimelineEntryNode:
        return cls(
            id=strawberry.ID(to_global_id(TIMELINE_ENTRY, entry.id)),
            kind=TimelineKind(entry.kind),
            occurred_at=entry.occurred_at,
            title=entry.title,
            summary=entry.summary,
            data=cast(JSON, entry.data),
            subject_id=strawberry.ID(to_global_id(entry.subject_type, entry.subject_id)),
            actor_id=entry.actor_id,
        )

    @strawberry.field(description="Who did it, when a user did.")
    async def actor(self, info: Info) -> UserNode | None:
        return await load_user(info, self.actor_id) if self.actor_id else None


@strawberry.type(name="TimelineEdge")
class TimelineEdge:
    node: TimelineEntryNode
    edge: strawberry.Private[Edge[TimelineEntry]]

    @strawberry.field(description="Where this entry stands in the timeline, for after.")
    def cursor(self) -> str:
        return self.edge.cursor


@strawberry.type(name="TimelineConnection")
class TimelineConnection:
    edges: list[TimelineEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[TimelineEntry]) -> TimelineConnection:
        return cls(
            edges=[
                TimelineEdge(node=TimelineEntryNode.from_entry(e.node), edge=e) for e in page.edges
            ],
            page_info=PageInfo.from_page(page),  # type: ignore[arg-type]
        )


async def customer_timeline(
    info: Info,
    customer_id: str,
    *,
    first: int | None,
    after: str | None,
    kinds: Sequence[Enum] | None,
) -> TimelineConnection:
    """The resolver of ``Customer.timeline``; only kinds the schema names are shown.

    First pages go through a DataLoader, so a list of customers with their timelines
    costs one query, not one per customer.
    """
    context = info.context
    wanted = tuple(sorted(KINDS if kinds is None else {kind.value for kind in kinds}))
    try:
        if after is None:
            page = await context.loaders.timeline_pages.load((customer_id, first, wanted))
        else:
            page = context.services.use(Timeline).get(
                context.principal, customer_id, kinds=wanted, first=first, after=after
            )
    except DomainError as error:
        raise query_error(error) from None
    return TimelineConnection.from_page(page)
