"""Behaviour in the API: tracked events, and the ``trackEvents`` mutation that ingests them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, customer_node
from adapters.graphql.errors import QueryErrors, UserErrorCode
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import MalformedId, Node, local_id, to_global_id
from adapters.graphql.type_names import BEHAVIOUR_EVENT, CUSTOMER
from application.behaviour.bundle import Behaviour
from application.behaviour.tracking import MAX_BATCH, IncomingEvent, TrackResult
from domain.behaviour import TrackedEvent
from domain.errors import DomainError, ErrorCode, Problem


@strawberry.type(name="BehaviourEvent", description="Something a customer did, as tracked.")
class BehaviourEventNode(Node):
    event_id: str = strawberry.field(description="The tracking client's idempotency key.")
    name: str = strawberry.field(description='What the customer did, e.g. "Signed Up".')
    occurred_at: datetime = strawberry.field(description="When the customer did it.")
    received_at: datetime = strawberry.field(description="When Rapport received it.")
    properties: JSON = strawberry.field(
        description="The JSON object the tracking client sent with the event, as sent."
    )
    customer_id: strawberry.Private[str]

    @classmethod
    def from_event(cls, event: TrackedEvent) -> BehaviourEventNode:
        return cls(
            id=strawberry.ID(to_global_id(BEHAVIOUR_EVENT, event.id)),
            event_id=event.event_id,
            name=event.name,
            occurred_at=event.occurred_at,
            received_at=event.received_at,
            properties=cast(JSON, event.properties),
            customer_id=event.customer_id,
        )

    @strawberry.field(description="The customer who did it.")
    async def customer(self, info: Info) -> Customer | None:
        view = await info.context.loaders.customers.load(self.customer_id)
        return customer_node(view) if view else None


def fetch_behaviour_event(info: Info, event_id: str) -> BehaviourEventNode | None:
    context = info.context
    event = context.services.use(Behaviour).get_tracked(context.principal, [event_id]).get(event_id)
    return BehaviourEventNode.from_event(event) if event else None


@strawberry.input(description="A customer's id in another system.")
class ExternalIdInput:
    source: str = strawberry.field(description='The other system, e.g. "shopify".')
    value: str = strawberry.field(description="The customer's id there.")


@strawberry.input(description="Exactly one of id, email and externalId.")
class CustomerRefInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer's global id."
    )
    email: str | None = strawberry.field(
        default=None, description="An email nobody has creates the customer."
    )
    external_id: ExternalIdInput | None = strawberry.field(
        default=None, description="The customer's id in another system."
    )


@strawberry.input(description="One tracked event.")
class TrackEventInput:
    customer: CustomerRefInput | None = strawberry.field(
        default=None, description="Required: who did it."
    )
    name: str | None = strawberry.field(
        default=None, description='Required: what they did, e.g. "Signed Up".'
    )
    occurred_at: datetime | None = strawberry.field(
        default=None, description="Defaults to when the event is received."
    )
    properties: JSON | None = strawberry.field(default=None, description="A JSON object.")
    event_id: str | None = strawberry.field(
        default=None, description="Required: the same eventId twice is stored once."
    )


@strawberry.input(description="A batch of tracked events.")
class TrackEventsInput:
    events: list[TrackEventInput] = strawberry.field(
        description=f"At most {MAX_BATCH:,}; each event is accepted or refused on its own."
    )


@strawberry.type(description="Why one event of the batch (or the whole batch) was refused.")
class TrackEventError:
    index: int | None = strawberry.field(
        description="The position of the refused event in `events`; null for the whole batch."
    )
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, or null when no single field is."
    )
    message: str = strawberry.field(description="What is wrong, in English, for a person.")
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="Why it was refused; stable, for clients to branch on."
    )


@strawberry.type(description="The result of trackEvents.")
class TrackEventsPayload:
    accepted: int = strawberry.field(default=0, description="Events stored by this call.")
    duplicates: int = strawberry.field(
        default=0, description="Events whose eventId was stored already: nothing changed."
    )
    user_errors: list[TrackEventError] = strawberry.field(
        default_factory=list, description="The events refused, each with why; or the batch."
    )

    @classmethod
    def refused(cls, error: DomainError) -> TrackEventsPayload:
        """The whole batch refused (too long, or not allowed)."""
        return cls(user_errors=[_error(problem, [], None) for problem in error.problems])

    @classmethod
    def from_result(cls, result: TrackResult) -> TrackEventsPayload:
        return cls(
            accepted=result.accepted,
            duplicates=result.duplicates,
            user_errors=[
                _error(refused.problem, ["events", str(refused.index)], refused.index)
                for refused in result.problems
            ],
        )


def _error(problem: Problem, prefix: list[str], index: int | None) -> TrackEventError:
    path = prefix + problem.field.split(".") if problem.field else prefix
    return TrackEventError(
        index=index,
        field=path or None,
        message=problem.message,
        code=UserErrorCode[problem.code.name],
    )


def incoming_event(item: TrackEventInput) -> IncomingEvent:
    ref = item.customer or CustomerRefInput()
    customer_id: str | None = ref.id
    unreadable: tuple[Problem, ...] = ()
    if ref.id is not None:
        try:
            customer_id = local_id(ref.id, CUSTOMER)
        except MalformedId:
            unreadable = (Problem("customer.id", ErrorCode.INVALID_ID, "is not a valid id"),)
    external = ref.external_id
    return IncomingEvent(
        customer_id=customer_id,
        email=ref.email,
        external_id=(external.source, external.value) if external else None,
        name=item.name,
        occurred_at=item.occurred_at,
        properties=item.properties,
        event_id=item.event_id,
        unreadable=unreadable,
    )


@strawberry.type
class BehaviourMutation:
    @strawberry.mutation(
        description="Ingest a batch of behaviour events; a repeated eventId changes nothing."
    )
    def track_events(
        self,
        info: Info,
        input: Annotated[TrackEventsInput, strawberry.argument(description="The events.")],
    ) -> TrackEventsPayload:
        context = info.context
        items = [incoming_event(item) for item in input.events]
        try:
            result = context.services.use(Behaviour).track(context.principal, items)
        except DomainError as error:
            return TrackEventsPayload.refused(error)
        return TrackEventsPayload.from_result(result)


@strawberry.type
class BehaviourQuery:
    @strawberry.field(
        description="One tracked event by id; null when there is none.",
        extensions=[QueryErrors()],
    )
    def behaviour_event(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The event's global id.")],
    ) -> BehaviourEventNode | None:
        return fetch_behaviour_event(info, local_id(id, BEHAVIOUR_EVENT, field="id"))


PART = SchemaPart(
    queries=(BehaviourQuery,),
    mutations=(BehaviourMutation,),
    types=(BehaviourEventNode,),
    nodes={BEHAVIOUR_EVENT: fetch_behaviour_event},
)
