"""Messages through the API: ``Customer.messages``, ``message(id)``, ``recordMessageBounce``,
and the public open pixel and click redirects of tracked mail."""

from __future__ import annotations

import base64
import math
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.graphql.channels import ChannelEnum, api_channel
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.guards import client_address
from adapters.graphql.parts import PublicRouteContext, SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import MESSAGE, TEMPLATE
from application.messages.bundle import Messages
from application.messages.ports import MessageView
from application.pagination import PageRequest
from domain.access.roles import Permission
from domain.errors import DomainError


@strawberry.enum(name="MessageStatus", description="Where a message stands, from queued on.")
class MessageStatusName(Enum):
    QUEUED = strawberry.enum_value("queued", description="Waiting until it is due.")
    DEFERRED = strawberry.enum_value(
        "deferred", description="Held back by a frequency cap or quiet hours until it is due."
    )
    SENDING = strawberry.enum_value("sending", description="Being sent by a worker.")
    SENT = strawberry.enum_value("sent", description="Its channel took it.")
    DELIVERED = strawberry.enum_value("delivered", description="Reported delivered.")
    BOUNCED = strawberry.enum_value("bounced", description="Refused or reported undeliverable.")
    FAILED = strawberry.enum_value("failed", description="The channel kept failing; given up.")
    SKIPPED = strawberry.enum_value(
        "skipped", description="Never sent: no consent, a suppressed address, or no address."
    )


@strawberry.type(name="Message", description="One message to one customer on one channel.")
class MessageNode(Node):
    channel: ChannelEnum = strawberry.field(description="The channel it goes out on.")
    status: MessageStatusName = strawberry.field(description="Where it stands.")
    subject: str = strawberry.field(
        description="The subject as it went out; empty before then, and for SMS and webhooks."
    )
    marketing: bool = strawberry.field(
        description="Marketing (needs consent, counts toward caps) or transactional."
    )
    template_id: strawberry.ID = strawberry.field(description="The template's global id.")
    template_version: int = strawberry.field(description="The version of it used.")
    campaign_id: strawberry.ID | None = strawberry.field(
        description="The global id of the campaign that sent it, if one did."
    )
    variant: str | None = strawberry.field(description="The campaign's A/B variant, if any.")
    journey_id: strawberry.ID | None = strawberry.field(
        description="The global id of the journey that sent it, if one did."
    )
    step_id: str | None = strawberry.field(description="The journey step that sent it.")
    queued_at: datetime = strawberry.field(description="When it was queued.")
    due_at: datetime = strawberry.field(description="When it is (or was) due to go out.")
    sent_at: datetime | None = strawberry.field(description="When its channel took it.")
    delivered_at: datetime | None = strawberry.field(description="When it was delivered.")
    opened_at: datetime | None = strawberry.field(description="Its first open.")
    clicked_at: datetime | None = strawberry.field(description="Its first click.")
    bounced_at: datetime | None = strawberry.field(description="When it bounced.")
    unsubscribed_at: datetime | None = strawberry.field(
        description="When the recipient unsubscribed through it."
    )
    open_count: int = strawberry.field(description="How often it was opened.")
    click_count: int = strawberry.field(description="How often its links were followed.")
    skip_reason: str | None = strawberry.field(
        description="Why it was skipped: no_consent, suppressed, no_address or cancelled."
    )

    @classmethod
    def from_view(cls, view: MessageView) -> MessageNode:
        return cls(
            id=strawberry.ID(to_global_id(MESSAGE, view.id)),
            channel=api_channel(view.channel),
            status=MessageStatusName(view.status),
            subject=view.subject,
            marketing=view.marketing,
            template_id=strawberry.ID(to_global_id(TEMPLATE, view.template_id)),
            template_version=view.template_version,
            campaign_id=_global("Campaign", view.campaign_id),
            variant=view.variant,
            journey_id=_global("Journey", view.journey_id),
            step_id=view.step_id,
            queued_at=view.queued_at,
            due_at=view.due_at,
            sent_at=view.sent_at,
            delivered_at=view.delivered_at,
            opened_at=view.opened_at,
            clicked_at=view.clicked_at,
            bounced_at=view.bounced_at,
            unsubscribed_at=view.unsubscribed_at,
            open_count=view.open_count,
            click_count=view.click_count,
            skip_reason=view.skip_reason,
        )


def _global(type_name: str, local: str | None) -> strawberry.ID | None:
    return strawberry.ID(to_global_id(type_name, local)) if local else None


@strawberry.type(name="MessageEdge", description="One message of a page.")
class MessageEdge(Edge[MessageNode]):
    pass


@strawberry.type(name="MessageConnection", description="A page of messages, newest first.")
class MessageConnection(Connection[MessageNode]):
    edges: list[MessageEdge] = strawberry.field(  # type: ignore[assignment]
        description="The messages of this page, newest queued first."
    )
    edge_type = MessageEdge
    customer_id: strawberry.Private[str]

    @strawberry.field(description="How many messages the customer has.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Messages).read.count_of_customer(
            context.principal, self.customer_id
        )


def fetch_message(info: Info, message_id: str) -> MessageNode | None:
    context = info.context
    view = context.services.use(Messages).read.get(context.principal, message_id)
    return MessageNode.from_view(view) if view is not None else None


@strawberry.type
class CustomerMessages:
    """``Customer.messages``: the messages module owns its field on the customer."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The messages sent or to be sent to the customer, newest queued first.",
        extensions=[QueryErrors()],
    )
    def messages(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many, from the start.")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The cursor the page starts after.")
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="At most this many, from the end.")
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="The cursor the page ends before.")
        ] = None,
    ) -> MessageConnection:
        context = info.context
        page = context.services.use(Messages).read.of_customer(
            context.principal, self.id_local, PageRequest(first, after, last, before)
        )
        return MessageConnection.from_page(page, MessageNode.from_view, customer_id=self.id_local)


@strawberry.type
class MessageQuery:
    @strawberry.field(
        description="One message; null when there is none or its customer is not one the "
        "caller sees.",
        extensions=[QueryErrors()],
    )
    def message(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The message's global id.")],
    ) -> MessageNode | None:
        return fetch_message(info, local_id(id, MESSAGE, field="id"))


@strawberry.input(description="A bounce a bounce processor found for a message.")
class RecordMessageBounceInput:
    message_id: strawberry.ID = strawberry.field(description="The message's global id.")
    hard: bool = strawberry.field(
        description="A lasting refusal (the address does not exist): the address is "
        "suppressed on the message's channel for good."
    )
    reason: str = strawberry.field(
        default="", description="What the report said, at most 500 characters."
    )


@strawberry.type(description="The result of recordMessageBounce.")
class RecordMessageBouncePayload:
    message: MessageNode | None = strawberry.field(
        default=None, description="The message as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was done; empty on success."
    )


@strawberry.type
class MessageMutation:
    @strawberry.mutation(
        description="Record that a message that went out bounced; a report for a message "
        "already delivered or bounced changes nothing. Emits rapport.message.bounced.v1; "
        "needs the campaigns:manage permission.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def record_message_bounce(
        self,
        info: Info,
        input: Annotated[RecordMessageBounceInput, strawberry.argument(description="The bounce.")],
    ) -> RecordMessageBouncePayload:
        context = info.context
        view = context.services.use(Messages).record_bounce(
            context.principal,
            local_id(input.message_id, MESSAGE, field="messageId"),
            hard=input.hard,
            reason=input.reason,
        )
        return RecordMessageBouncePayload(message=MessageNode.from_view(view))


# The public endpoints of tracked mail: no login, limited per client address.

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
"""A transparent 1x1 GIF."""
_NO_STORE = {"Cache-Control": "no-store, private"}


class TrackingEndpoints:
    """``GET /t/o/{token}.gif`` and ``GET /t/c/{token}``."""

    def __init__(self, support: PublicRouteContext) -> None:
        self._support = support

    def _messages(self) -> Messages:
        return self._support.services.use(Messages)

    def _limited(self, request: Request) -> Response | None:
        allowance = self._support.buckets.take(
            f"tracking:{client_address(request.scope)}", 1, self._support.rate
        )
        if allowance.granted:
            return None
        wait = max(1, math.ceil(allowance.retry_after))
        return PlainTextResponse(
            "Too many requests", status_code=429, headers={"Retry-After": str(wait)}
        )

    async def open_pixel(self, request: Request) -> Response:
        if (limited := self._limited(request)) is not None:
            return limited
        try:
            await run_in_threadpool(self._messages().track_open, request.path_params["token"])
        except DomainError:
            return PlainTextResponse("This link is not valid", status_code=400)
        return Response(PIXEL, media_type="image/gif", headers=_NO_STORE)

    async def click(self, request: Request) -> Response:
        if (limited := self._limited(request)) is not None:
            return limited
        try:
            url = await run_in_threadpool(
                self._messages().track_click, request.path_params["token"]
            )
        except DomainError:
            return PlainTextResponse("This link is not valid", status_code=400)
        # Only the URL the token was signed for: never one the request could name.
        return RedirectResponse(url, status_code=302, headers=_NO_STORE)


def tracking_routes(support: PublicRouteContext) -> list[BaseRoute]:
    endpoints = TrackingEndpoints(support)
    return [
        Route("/t/o/{token}.gif", endpoints.open_pixel, methods=["GET"]),
        Route("/t/c/{token}", endpoints.click, methods=["GET"]),
    ]


PART = SchemaPart(
    queries=(MessageQuery,),
    mutations=(MessageMutation,),
    customer_fields=(CustomerMessages,),
    nodes={MESSAGE: fetch_message},
    routes=(tracking_routes,),
)
