"""A customer's timeline in the API: one connection over the entries of every module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import to_global_id
from adapters.graphql.timeline_kinds import KINDS, TimelineKind
from adapters.graphql.type_names import TIMELINE_ENTRY
from application.timeline.bundle import Timeline
from domain.timeline import TimelineEntry


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


def timeline_entry_node(entry: TimelineEntry) -> TimelineEntryNode:
    """The API's entry for one timeline entry, wherever entries are answered."""
    return TimelineEntryNode.from_entry(entry)


@strawberry.type(name="TimelineEdge")
class TimelineEdge(Edge[TimelineEntryNode]):
    pass


@strawberry.type(name="TimelineConnection")
class TimelineConnection(Connection[TimelineEntryNode]):
    edges: list[TimelineEdge]  # type: ignore[assignment]
    edge_type = TimelineEdge


def _wanted(kinds: Sequence[Enum] | None) -> tuple[str, ...]:
    """The kinds asked for, sorted, so equal requests share a DataLoader key."""
    return tuple(sorted(KINDS if kinds is None else {kind.value for kind in kinds}))


@strawberry.type
class CustomerTimeline:
    """``Customer.timeline``; only kinds the schema names are shown."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="What happened with this customer, from every module, newest first.",
        extensions=[QueryErrors()],
    )
    async def timeline(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[TimelineKind] | None = None,  # type: ignore[valid-type]
    ) -> TimelineConnection:
        # First pages go through a DataLoader, so a list of customers with their timelines
        # costs one query, not one per customer.
        context = info.context
        wanted = _wanted(kinds)
        if after is None:
            page = await context.loaders.timeline_pages.load((self.id_local, first, wanted))
        else:
            page = context.services.use(Timeline).get(
                context.principal, self.id_local, kinds=wanted, first=first, after=after
            )
        return TimelineConnection.from_page(page, timeline_entry_node)


PART = SchemaPart(
    customer_fields=(CustomerTimeline,),
)
