"""The ``events`` subscription: relayed CloudEvents, live, over graphql-transport-ws.

The events are those webhooks and the event stream carry, in the schema's terms: a typed
``type``, the global id of the record as ``subject``, a ``DateTime`` and ``data`` with
camelCase keys, global ids and enum names (see ``adapters.graphql.event_types``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from datetime import datetime
from enum import Enum
from inspect import isawaitable
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.event_types import (
    SUBJECT_TYPES,
    EventType,
    aggregate_type_of,
    deliveries,
    event_type_names,
    event_type_of,
    graphql_data,
    refusal,
)
from adapters.graphql.parts import NODE_FETCHERS, SchemaPart
from adapters.graphql.relay import MalformedId, Node, from_global_id, local_id, to_global_id
from adapters.graphql.type_names import CUSTOMER, PIPELINE
from application.companies.bundle import Companies
from application.customers.bundle import Customers
from application.events.redaction import redacted_data
from application.pipeline.bundle import Sales
from application.principal import Principal
from domain.access.roles import Permission, Resource
from domain.errors import DomainError

SYSTEM_ACTOR = "system"


@strawberry.type(
    description="A CloudEvent 1.0, as webhooks and the event stream carry it, in the "
    "schema's terms: `subject` is the global id of the record that changed and `data` has "
    "camelCase keys, global ids and enum names."
)
class CloudEvent:
    id: strawberry.ID = strawberry.field(
        description="The CloudEvents id (the outbox event id): the same in webhooks and the "
        "event stream, to deduplicate on. Not a node id."
    )
    source: str = strawberry.field(description="Where events come from (RAPPORT_EVENT_SOURCE).")
    type: EventType = strawberry.field(
        description="What happened; the enum value's description names the CloudEvents type."
    )
    subject: strawberry.ID = strawberry.field(
        description="The global id of the record that changed, for `node(id:)`."
    )
    time: datetime = strawberry.field(description="When it happened.")
    specversion: str = strawberry.field(description="The CloudEvents version: 1.0.")
    datacontenttype: str = strawberry.field(description="The media type of data: JSON.")
    sequence: str = strawberry.field(
        description="The outbox position (rapportsequence): grows with commit order."
    )
    data: JSON = strawberry.field(
        description="The event's own fields (docs/events.md), keys in camelCase, record ids "
        "as global ids (customerId, ownerId, …) and enum values as the schema's enum names; "
        "fields the subscriber's role may not read are left out, masked ones masked."
    )
    actor_id: strawberry.Private[str]

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> CloudEvent:
        aggregate = aggregate_type_of(event["type"])
        return cls(
            id=strawberry.ID(event["id"]),
            source=event["source"],
            type=event_type_of(event["type"]),
            subject=strawberry.ID(to_global_id(SUBJECT_TYPES[aggregate], event["subject"])),
            time=datetime.fromisoformat(event["time"]),
            specversion=event["specversion"],
            datacontenttype=event["datacontenttype"],
            sequence=str(event.get("rapportsequence", "")),
            data=cast(JSON, graphql_data(event["data"])),
            actor_id=str(event.get("rapportactor", SYSTEM_ACTOR)),
        )

    @strawberry.field(
        description="The record that changed, as it is now; null when it is gone or hidden "
        "from you."
    )
    async def subject_node(self, info: Info) -> Node | None:
        type_name, local = from_global_id(self.subject)
        fetch = NODE_FETCHERS.get(type_name)
        if fetch is None:
            return None
        try:
            found = fetch(info, local)
            return await found if isawaitable(found) else found
        except DomainError:
            return None

    @strawberry.field(description="Who made the change; null for the system.")
    async def actor(self, info: Info) -> UserNode | None:
        if self.actor_id == SYSTEM_ACTOR:
            return None
        return await load_user(info, self.actor_id)


def concerns_customer(event: Mapping[str, Any], customer_id: str) -> bool:
    """Whether an event is about the customer, or names them in its data."""
    if aggregate_type_of(event["type"]) == "customer" and event["subject"] == customer_id:
        return True
    data = event.get("data") or {}
    return data.get("customer_id") == customer_id or customer_id in (data.get("merged_ids") or ())


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="Events as the relay delivers them, from now on, in commit order per "
        "record. Needs read access to customers."
    )
    async def events(
        self,
        info: Info,
        types: Annotated[
            list[EventType] | None,
            strawberry.argument(description="Only events of these types; null for all."),
        ] = None,
        customer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only events about this customer, or naming them in their data."
            ),
        ] = None,
        subject_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only events about this record (any node's id)."),
        ] = None,
        pipeline_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only events about deals of this pipeline (as they are when the "
                "event is delivered)."
            ),
        ] = None,
    ) -> AsyncGenerator[CloudEvent, None]:
        try:
            info.context.principal.require(Permission.READ_CUSTOMERS)
            customer = local_id(customer_id, CUSTOMER, field="customerId") if customer_id else None
            pipeline = local_id(pipeline_id, PIPELINE, field="pipelineId") if pipeline_id else None
            subject = _subject_filter(subject_id)
        except (DomainError, MalformedId) as error:
            raise refusal(error) from None
        names = event_type_names(cast(list[Enum] | None, types))
        async for event in deliveries(info, names):
            if customer is not None and not concerns_customer(event, customer):
                continue
            if subject is not None and (
                (SUBJECT_TYPES[aggregate_type_of(event["type"])], event["subject"]) != subject
            ):
                continue
            if pipeline is not None and _pipeline_of(info, event) != pipeline:
                continue
            if not visible_to_subscriber(info, event):
                continue
            yield CloudEvent.from_event(_as_read_by(info.context.principal, event))


def _as_read_by(principal: Principal, event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event with the data the subscriber's role may read: the same rule as webhooks."""
    data = event.get("data")
    if not isinstance(data, Mapping):
        return event
    readable = redacted_data(principal.role, str(event["type"]), data)
    return event if readable is data else {**event, "data": readable}


def visible_to_subscriber(info: Info, event: Mapping[str, Any]) -> bool:
    """Whether the customer or company an event is about (or names in its data) is one
    the subscriber may see now, at delivery; events about neither always pass."""
    context = info.context
    principal = context.principal
    kind = aggregate_type_of(event["type"])
    data = event.get("data") or {}
    customers = {event["subject"]} if kind == "customer" else set()
    if isinstance(data.get("customer_id"), str):
        customers.add(data["customer_id"])
    try:
        if customers and not principal.visibility(Resource.CUSTOMERS).unrestricted:
            seen = context.services.use(Customers).get(principal, customers)
            if not customers <= set(seen):
                return False
        if kind == "company" and not principal.visibility(Resource.COMPANIES).unrestricted:
            return event["subject"] in context.services.use(Companies).get(
                principal, [event["subject"]]
            )
    except DomainError:
        return False
    return True


def _pipeline_of(info: Info, event: Mapping[str, Any]) -> str | None:
    """The pipeline of the deal an event is about; None for events about anything else."""
    if aggregate_type_of(event["type"]) != "opportunity":
        return None
    named = (event.get("data") or {}).get("pipeline_id")
    if isinstance(named, str):
        return named
    context = info.context
    try:
        found = context.services.use(Sales).read_pipeline.get_many(
            context.principal, [event["subject"]]
        )
    except DomainError:
        return None
    view = found.get(event["subject"])
    return view.pipeline_id if view is not None else None


def _subject_filter(subject_id: strawberry.ID | None) -> tuple[str, str] | None:
    if subject_id is None:
        return None
    try:
        return from_global_id(subject_id)
    except MalformedId:
        raise MalformedId(subject_id, field="subjectId", expected_type="Node") from None


PART = SchemaPart(
    subscriptions=(EventSubscription,),
    types=(CloudEvent,),
)
