"""The ``events`` subscription: relayed CloudEvents, live, over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.parts import SchemaPart
from application.events.bundle import Events
from domain.access.roles import Permission


@strawberry.type(description="A CloudEvent 1.0, as webhooks and the event stream carry it.")
class CloudEvent:
    id: str = strawberry.field(description="The outbox event id; the same wherever it goes.")
    source: str
    type: str
    subject: str = strawberry.field(description="The id of the aggregate that changed.")
    time: str
    specversion: str
    datacontenttype: str
    data: JSON

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> CloudEvent:
        return cls(
            id=event["id"],
            source=event["source"],
            type=event["type"],
            subject=event["subject"],
            time=event["time"],
            specversion=event["specversion"],
            datacontenttype=event["datacontenttype"],
            data=event["data"],
        )


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="Events as the relay delivers them, from now on; all types when null."
    )
    async def events(
        self, info: Info, types: list[str] | None = None
    ) -> AsyncGenerator[CloudEvent, None]:
        info.context.principal.require(Permission.READ_CUSTOMERS)
        async for event in info.context.services.use(Events).live.listen(types):
            yield CloudEvent.from_event(event)


PART = SchemaPart(
    subscriptions=(EventSubscription,),
)
