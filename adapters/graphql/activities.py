"""Activities in the API: the type, and the mutations that log, edit and delete them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Final

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import described_enum, enum_value
from adapters.graphql.customers import (
    AfterArgument,
    BeforeArgument,
    Customer,
    FirstArgument,
    LastArgument,
    customer_node,
)
from adapters.graphql.errors import QueryErrors, UserError, UserErrors, input_error
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, OrderDirection, PageInfo, local_id, to_global_id
from adapters.graphql.type_names import ACTIVITY, CUSTOMER
from application.activities.bundle import Activities
from application.activities.commands import ActivityPatch, NewActivity
from application.activities.views import ActivityView
from application.pagination import Edge as PageEdge
from application.timeline.bundle import Timeline
from application.timeline.ports import TimelineWindow
from domain.activities import ActivityKind, Direction
from domain.customers import KEEP
from domain.errors import ErrorCode

ACTIVITY_KIND_DESCRIPTIONS: Final = {
    "NOTE": "A note written down about the customer.",
    "CALL": "A phone call, inbound or outbound.",
    "EMAIL": "An email, received or sent.",
    "MEETING": "A meeting, in person or online.",
}
ActivityKindValue = described_enum(
    "ActivityKind", ActivityKind, ACTIVITY_KIND_DESCRIPTIONS, "What sort of activity it is."
)
ActivityDirection = described_enum(
    "ActivityDirection",
    Direction,
    {"INBOUND": "The customer reached out to us.", "OUTBOUND": "We reached out to the customer."},
    "Who reached out: the customer (inbound) or us (outbound).",
)


@strawberry.type(name="Activity", description="A note, call, email or meeting with a customer.")
class ActivityNode(Node):
    kind: ActivityKindValue = strawberry.field(  # type: ignore[valid-type]
        description="What sort of activity it is."
    )
    subject: str = strawberry.field(description="A one-line subject; may be empty.")
    body: str = strawberry.field(description="The text, at most 10,000 characters.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    duration_seconds: int | None = strawberry.field(description="Calls and meetings only.")
    direction: ActivityDirection | None = strawberry.field(  # type: ignore[valid-type]
        description="Calls and emails only."
    )
    version: int = strawberry.field(
        description="Grows with every edit; send it back with an update so no edit is lost."
    )
    created_at: datetime = strawberry.field(description="When it was logged.")
    updated_at: datetime = strawberry.field(description="When it was last edited.")
    author_id: strawberry.Private[str]
    customer_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: ActivityView) -> ActivityNode:
        return cls(
            id=strawberry.ID(to_global_id(ACTIVITY, view.id)),
            kind=ActivityKindValue[view.kind.name],
            subject=view.subject,
            body=view.body,
            occurred_at=view.occurred_at,
            duration_seconds=view.duration_seconds,
            direction=ActivityDirection[view.direction.name] if view.direction else None,
            version=view.version,
            created_at=view.created_at,
            updated_at=view.updated_at,
            author_id=view.author_id,
            customer_id=view.customer_id,
        )

    @strawberry.field(description="Who logged it.")
    async def author(self, info: Info) -> UserNode | None:
        return await load_user(info, self.author_id)

    @strawberry.field(description="The customer it was with.")
    async def customer(self, info: Info) -> Customer | None:
        view = await info.context.loaders.customers.load(self.customer_id)
        return customer_node(view) if view else None


def fetch_activity(info: Info, activity_id: str) -> ActivityNode | None:
    context = info.context
    view = context.services.use(Activities).get(context.principal, [activity_id]).get(activity_id)
    return ActivityNode.from_view(view) if view else None


@strawberry.input(description="An activity to log on a customer.")
class LogActivityInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer it was with.")
    kind: ActivityKindValue = strawberry.field(  # type: ignore[valid-type]
        description="What sort of activity it is."
    )
    occurred_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    subject: str = strawberry.field(default="", description="A one-line subject.")
    body: str = strawberry.field(default="", description="At most 10,000 characters.")
    duration_seconds: int | None = strawberry.field(
        default=None, description="Calls and meetings only."
    )
    direction: ActivityDirection | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Calls and emails only; they always have one."
    )


@strawberry.input(description="Changes to an activity; fields left out are kept.")
class UpdateActivityInput:
    id: strawberry.ID = strawberry.field(description="The activity's global id.")
    version: int = strawberry.field(description="The version you read; a newer one is a conflict.")
    occurred_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="When it happened; cannot be null."
    )
    subject: str | None = strawberry.field(
        default=strawberry.UNSET, description="Cannot be null; send an empty string to clear it."
    )
    body: str | None = strawberry.field(
        default=strawberry.UNSET, description="Cannot be null; at most 10,000 characters."
    )
    duration_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description="Calls and meetings only; null clears it."
    )
    direction: ActivityDirection | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Calls and emails always have one."
    )


@strawberry.input(description="The activity to delete.")
class DeleteActivityInput:
    id: strawberry.ID = strawberry.field(description="The activity's global id.")
    version: int | None = strawberry.field(
        default=None, description="The version you read, if you want a conflict on a newer one."
    )


@strawberry.type(description="The result of logActivity.")
class LogActivityPayload:
    activity: ActivityNode | None = strawberry.field(
        default=None, description="The activity logged; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type(description="The result of updateActivity.")
class UpdateActivityPayload:
    activity: ActivityNode | None = strawberry.field(
        default=None, description="The activity as edited; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the input was refused; a newer version is a STALE_VERSION.",
    )


@strawberry.type(description="The result of deleteActivity.")
class DeleteActivityPayload:
    deleted_activity_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of the activity deleted."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


def _kind(value: Any) -> ActivityKind:
    return ActivityKind(value.value)


def _direction(value: Any) -> Direction | None:
    return Direction(value.value) if value is not None else None


def _keep_unset(value: Any) -> Any:
    return KEEP if value is strawberry.UNSET else value


def _null_fields(input: UpdateActivityInput) -> list[UserError]:
    return [
        error
        for name, value in (
            ("occurredAt", input.occurred_at),
            ("subject", input.subject),
            ("body", input.body),
        )
        if value is None
        for error in input_error(name, ErrorCode.INVALID, "cannot be null")
    ]


@strawberry.type
class ActivityMutation:
    @strawberry.mutation(
        description="Log a note, call, email or meeting on a customer.", extensions=[UserErrors()]
    )
    def log_activity(
        self,
        info: Info,
        input: Annotated[LogActivityInput, strawberry.argument(description="The activity.")],
    ) -> LogActivityPayload:
        context = info.context
        customer_id = local_id(input.customer_id, CUSTOMER, field="customerId")
        new = NewActivity(
            customer_id=customer_id,
            kind=_kind(input.kind),
            occurred_at=input.occurred_at,
            subject=input.subject,
            body=input.body,
            duration_seconds=input.duration_seconds,
            direction=_direction(input.direction),
        )
        view = context.services.use(Activities).log(context.principal, new)
        return LogActivityPayload(activity=ActivityNode.from_view(view))

    @strawberry.mutation(
        description="Edit an activity: its author may, and so may a manager.",
        extensions=[UserErrors()],
    )
    def update_activity(
        self,
        info: Info,
        input: Annotated[UpdateActivityInput, strawberry.argument(description="The changes.")],
    ) -> UpdateActivityPayload:
        context = info.context
        activity_id = local_id(input.id, ACTIVITY, field="id")
        if null_errors := _null_fields(input):
            return UpdateActivityPayload(user_errors=null_errors)
        patch = ActivityPatch(
            activity_id=activity_id,
            expected_version=input.version,
            occurred_at=_keep_unset(input.occurred_at),
            subject=_keep_unset(input.subject),
            body=_keep_unset(input.body),
            duration_seconds=_keep_unset(input.duration_seconds),
            direction=KEEP if input.direction is strawberry.UNSET else _direction(input.direction),
        )
        view = context.services.use(Activities).update(context.principal, patch)
        return UpdateActivityPayload(activity=ActivityNode.from_view(view))

    @strawberry.mutation(
        description="Delete an activity; it leaves the timeline for good.",
        extensions=[UserErrors()],
    )
    def delete_activity(
        self,
        info: Info,
        input: Annotated[DeleteActivityInput, strawberry.argument(description="The activity.")],
    ) -> DeleteActivityPayload:
        context = info.context
        activity_id = local_id(input.id, ACTIVITY, field="id")
        view = context.services.use(Activities).delete(
            context.principal, activity_id, input.version
        )
        return DeleteActivityPayload(
            deleted_activity_id=strawberry.ID(to_global_id(ACTIVITY, view.id))
        )


# --- Customer.activities: the activity entries of the timeline, as activities ------------

ACTIVITY_KINDS: Final = frozenset(kind.value for kind in ActivityKind)


def _selects(info: Info, name: str) -> bool:
    """Whether the field being resolved selects ``name`` directly."""
    return any(
        getattr(selection, "name", None) == name
        for field in info.selected_fields
        for selection in field.selections
    )


async def load_activities(info: Info, ids: Sequence[str]) -> list[ActivityView | None]:
    """Activities by id through one DataLoader per request, however many lists ask."""
    context = info.context
    loader = context.loaders.batch(
        "activities",
        lambda keys: context.services.use(Activities).get(context.principal, keys),
    )
    return list(await loader.load_many(list(ids)))


@strawberry.type(name="ActivityEdge", description="One activity of a list, and its cursor.")
class ActivityEdge(Edge[ActivityNode]):
    pass


@strawberry.type(name="ActivityConnection", description="A page of a customer's activities.")
class ActivityConnection(Connection[ActivityNode]):
    edges: list[ActivityEdge] = strawberry.field(  # type: ignore[assignment]
        description="The activities of this page, in order."
    )
    edge_type = ActivityEdge
    customer_id: strawberry.Private[str]
    window: strawberry.Private[TimelineWindow]
    counted: strawberry.Private[Awaitable[int] | None] = None
    """The count, asked for when the list was: every customer's count of a page then joins
    one batch, whether its activities were read in one step or two."""

    @strawberry.field(
        description="How many activities match the filter, across all pages.",
        extensions=[QueryErrors()],
    )
    async def total_count(self, info: Info) -> int:
        if self.counted is not None:
            return await self.counted
        return await info.context.loaders.timeline_counts.load((self.customer_id, self.window))


@strawberry.enum(name="ActivityOrderField", description="What a list of activities is ordered by.")
class ActivityOrderField(Enum):
    OCCURRED_AT = strawberry.enum_value("occurred_at", description="When it happened.")


@strawberry.input(name="ActivityOrder", description="How a list of activities is ordered.")
class ActivityOrderInput:
    field: ActivityOrderField = strawberry.field(
        default=ActivityOrderField.OCCURRED_AT, description="What to order by; ties go by id."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Newest first by default."
    )


@strawberry.input(name="ActivityFilter", description="Conditions on activities that must all hold.")
class ActivityFilterInput:
    kinds: list[ActivityKindValue] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Activities of any of these kinds."
    )
    occurred_after: datetime | None = strawberry.field(
        default=None, description="Activities that happened at or after this instant."
    )
    occurred_before: datetime | None = strawberry.field(
        default=None, description="Activities that happened before this instant."
    )

    def to_window(self) -> TimelineWindow:
        kinds = (
            frozenset(enum_value(kind) for kind in self.kinds)
            if self.kinds is not None
            else ACTIVITY_KINDS
        )
        return TimelineWindow(kinds=kinds, since=self.occurred_after, until=self.occurred_before)


def _at(cursor: str) -> Callable[[ActivityView], str]:
    """The cursor of the timeline entry an activity was listed by."""
    return lambda _: cursor


@strawberry.type
class CustomerActivities:
    """``Customer.activities``."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The notes, calls, emails and meetings logged with this customer, newest "
        "first unless orderBy says otherwise; loaded with the rest of a list.",
        extensions=[QueryErrors()],
    )
    async def activities(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
        filter: Annotated[
            ActivityFilterInput | None,
            strawberry.argument(description="Only the activities that match."),
        ] = None,
        order_by: Annotated[
            ActivityOrderInput | None,
            strawberry.argument(description="How to order them; newest first by default."),
        ] = None,
    ) -> ActivityConnection:
        context = info.context
        window = (filter or ActivityFilterInput()).to_window()
        counted = (
            context.loaders.timeline_counts.load((self.id_local, window))
            if _selects(info, "totalCount")
            else None
        )
        oldest_first = order_by is not None and order_by.direction is OrderDirection.ASC
        if not oldest_first and (after, last, before) == (None, None, None):
            page = await context.loaders.timeline_pages.load((self.id_local, first, window))
        else:
            page = context.services.use(Timeline).get(
                context.principal,
                self.id_local,
                first=first,
                after=after,
                last=last,
                before=before,
                window=window,
                oldest_first=oldest_first,
            )
        views = await load_activities(info, [edge.node.subject_id for edge in page.edges])
        found = {view.id: view for view in views if view is not None}
        edges = [
            PageEdge(found[edge.node.subject_id], _at(edge.cursor))
            for edge in page.edges
            if edge.node.subject_id in found
        ]
        return ActivityConnection.from_edges(
            edges,
            PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.start_cursor,
                end_cursor=page.end_cursor,
            ),
            ActivityNode.from_view,
            customer_id=self.id_local,
            window=window,
            counted=counted,
        )


@strawberry.type
class ActivityQuery:
    @strawberry.field(
        description="One activity by id; null when there is none.", extensions=[QueryErrors()]
    )
    def activity(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The activity's global id.")],
    ) -> ActivityNode | None:
        return fetch_activity(info, local_id(id, ACTIVITY, field="id"))


PART = SchemaPart(
    queries=(ActivityQuery,),
    mutations=(ActivityMutation,),
    customer_fields=(CustomerActivities,),
    types=(ActivityNode,),
    nodes={ACTIVITY: fetch_activity},
)
