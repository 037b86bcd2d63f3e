"""Activities in the API: the type, and the mutations that log, edit and delete them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, customer_node
from adapters.graphql.errors import UserError, UserErrors, input_error
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import ACTIVITY, CUSTOMER
from application.activities.bundle import Activities
from application.activities.commands import ActivityPatch, NewActivity
from application.activities.views import ActivityView
from domain.activities import ActivityKind, Direction
from domain.customers import KEEP
from domain.errors import ErrorCode

_kinds: type[Enum] = Enum("ActivityKind", {kind.name: kind.value for kind in ActivityKind})  # type: ignore[misc]
ActivityKindValue = strawberry.enum(_kinds, description="What sort of activity it is.")
_directions: type[Enum] = Enum("ActivityDirection", {d.name: d.value for d in Direction})  # type: ignore[misc]
ActivityDirection = strawberry.enum(
    _directions, description="Who reached out: the customer (inbound) or us (outbound)."
)


@strawberry.type(name="Activity", description="A note, call, email or meeting with a customer.")
class ActivityNode(Node):
    kind: ActivityKindValue  # type: ignore[valid-type]
    subject: str
    body: str
    occurred_at: datetime
    duration_seconds: int | None = strawberry.field(description="Calls and meetings only.")
    direction: ActivityDirection | None = strawberry.field(  # type: ignore[valid-type]
        description="Calls and emails only."
    )
    version: int = strawberry.field(
        description="Grows with every edit; send it back with an update so no edit is lost."
    )
    created_at: datetime
    updated_at: datetime
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

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        view = await info.context.loaders.customers.load(self.customer_id)
        return customer_node(view) if view else None


def fetch_activity(info: Info, activity_id: str) -> ActivityNode | None:
    context = info.context
    view = context.services.use(Activities).get(context.principal, [activity_id]).get(activity_id)
    return ActivityNode.from_view(view) if view else None


@strawberry.input
class LogActivityInput:
    customer_id: strawberry.ID
    kind: ActivityKindValue  # type: ignore[valid-type]
    occurred_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    subject: str = ""
    body: str = strawberry.field(default="", description="At most 10,000 characters.")
    duration_seconds: int | None = None
    direction: ActivityDirection | None = None  # type: ignore[valid-type]


@strawberry.input
class UpdateActivityInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you read; a newer one is a conflict.")
    occurred_at: datetime | None = strawberry.UNSET
    subject: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    duration_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it."
    )
    direction: ActivityDirection | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Calls and emails always have one."
    )


@strawberry.input
class DeleteActivityInput:
    id: strawberry.ID
    version: int | None = None


@strawberry.type
class LogActivityPayload:
    activity: ActivityNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateActivityPayload:
    activity: ActivityNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteActivityPayload:
    deleted_activity_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


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
    def log_activity(self, info: Info, input: LogActivityInput) -> LogActivityPayload:
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
    def update_activity(self, info: Info, input: UpdateActivityInput) -> UpdateActivityPayload:
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
    def delete_activity(self, info: Info, input: DeleteActivityInput) -> DeleteActivityPayload:
        context = info.context
        activity_id = local_id(input.id, ACTIVITY, field="id")
        view = context.services.use(Activities).delete(
            context.principal, activity_id, input.version
        )
        return DeleteActivityPayload(
            deleted_activity_id=strawberry.ID(to_global_id(ACTIVITY, view.id))
        )


PART = SchemaPart(
    mutations=(ActivityMutation,),
    types=(ActivityNode,),
    nodes={ACTIVITY: fetch_activity},
)
