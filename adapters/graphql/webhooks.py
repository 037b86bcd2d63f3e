"""Webhook subscriptions and their delivery log through the API (admins only)."""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, cast

import strawberry

from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors, invalid_id
from adapters.graphql.event_types import EventType, event_type_names, event_type_of
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import DELIVERY, SUBSCRIPTION
from application.events.bundle import Events
from application.events.deliveries import DeliveryStatus
from application.events.webhooks import (
    DeliveryFilter,
    SubscriptionPatch,
    SubscriptionStatus,
    WebhookDeliveryView,
    WebhookSubscriptionView,
)
from application.pagination import PageRequest

_subscription_statuses: type[Enum] = Enum(  # type: ignore[misc]
    "WebhookSubscriptionStatus",
    {
        status.name: strawberry.enum_value(status.value, description=description)
        for status, description in (
            (SubscriptionStatus.ACTIVE, "Events are delivered."),
            (SubscriptionStatus.PAUSED, "Paused by an admin; deliveries wait for a resume."),
            (
                SubscriptionStatus.DISABLED,
                "Turned off after its endpoint kept failing or answered 410 Gone; see "
                "disabledReason. Deliveries wait for a resume.",
            ),
        )
    },
)
WebhookSubscriptionStatus = strawberry.enum(
    _subscription_statuses, description="Whether a subscription's events are delivered."
)

_DELIVERY_STATUS_DESCRIPTIONS = {
    "pending": "Not yet delivered: waiting for its first attempt or a retry.",
    "delivered": "The endpoint answered 2xx.",
    "failed": "Every retry failed; replayWebhookDelivery sends it again.",
}
_delivery_statuses: type[Enum] = Enum(  # type: ignore[misc]
    "WebhookDeliveryStatus",
    {
        status.upper(): strawberry.enum_value(
            status, description=_DELIVERY_STATUS_DESCRIPTIONS[status]
        )
        for status in typing.get_args(DeliveryStatus)
    },
)
WebhookDeliveryStatus = strawberry.enum(
    _delivery_statuses, description="How far one delivery has got."
)


_FIRST = "At most this many, from the start (or after `after`)."
_AFTER = "The cursor of the delivery the page starts after."
_LAST = "At most this many, from the end (or before `before`)."
_BEFORE = "The cursor of the delivery the page ends before."


def _event_types(names: Sequence[str]) -> list[Any]:
    return [event_type_of(name) for name in names]


@strawberry.input(description="Which deliveries to list; every condition given must hold.")
class WebhookDeliveryFilter:
    subscription_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only deliveries to this subscription."
    )
    status: WebhookDeliveryStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only deliveries in this status."
    )
    event_type: EventType | None = strawberry.field(
        default=None, description="Only deliveries of events of this type."
    )

    def resolve(self) -> DeliveryFilter:
        return DeliveryFilter(
            subscription_id=(
                local_id(self.subscription_id, SUBSCRIPTION, field="filter.subscriptionId")
                if self.subscription_id is not None
                else None
            ),
            status=cast(DeliveryStatus, self.status.value) if self.status is not None else None,
            event_type=str(self.event_type.value) if self.event_type is not None else None,
        )


@strawberry.type(description="An endpoint that receives events, signed per Standard Webhooks.")
class WebhookSubscription(Node):
    url: str = strawberry.field(description="Where events are POSTed.")
    description: str = strawberry.field(description="What the endpoint is for, for people.")
    event_types: list[EventType] = strawberry.field(
        description="The types delivered; empty means every type."
    )
    status: WebhookSubscriptionStatus = strawberry.field(  # type: ignore[valid-type]
        description="Whether events are delivered."
    )
    disabled_reason: str | None = strawberry.field(
        description="Why it was disabled, while it is; null otherwise."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    version: int = strawberry.field(
        description="Grows with every change; send it back with updateWebhookSubscription."
    )
    role: str = strawberry.field(
        description="The key of the role whose field rules its payloads obey: fields that "
        "role may not read are left out, masked ones masked, before signing."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (whsec_…): only in the payload that made or rotated "
        "it; never again.",
    )
    local: strawberry.Private[str] = ""

    @classmethod
    def from_view(
        cls, view: WebhookSubscriptionView, secret: str | None = None
    ) -> WebhookSubscription:
        return cls(
            id=strawberry.ID(to_global_id(SUBSCRIPTION, view.id)),
            url=view.url,
            description=view.description,
            event_types=_event_types(view.event_types),
            status=WebhookSubscriptionStatus(view.status.value),
            disabled_reason=view.disabled_reason,
            created_at=view.created_at,
            updated_at=view.updated_at,
            version=view.version,
            role=view.role,
            secret=secret,
            local=view.id,
        )

    @strawberry.field(
        description="This subscription's deliveries, newest first.", extensions=[QueryErrors()]
    )
    def deliveries(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
        last: Annotated[int | None, strawberry.argument(description=_LAST)] = None,
        before: Annotated[str | None, strawberry.argument(description=_BEFORE)] = None,
        filter: Annotated[
            WebhookDeliveryFilter | None,
            strawberry.argument(description="Only deliveries that match; subscriptionId aside."),
        ] = None,
    ) -> WebhookDeliveryConnection:
        where = filter.resolve() if filter is not None else DeliveryFilter()
        where = DeliveryFilter(
            subscription_id=self.local, status=where.status, event_type=where.event_type
        )
        return delivery_page(info, where, PageRequest(first, after, last, before))


@strawberry.type(description="One event sent (or being sent) to one subscription.")
class WebhookDelivery(Node):
    subscription_id: strawberry.ID = strawberry.field(
        description="The global id of the subscription it goes to."
    )
    event_id: strawberry.ID = strawberry.field(
        description="The CloudEvents id of the event: the `webhook-id` header, the same on "
        "every attempt and replay."
    )
    event_type: EventType = strawberry.field(description="The type of the event.")
    status: WebhookDeliveryStatus = strawberry.field(  # type: ignore[valid-type]
        description="How far it has got."
    )
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null when none answered."
    )
    latency_ms: int | None = strawberry.field(
        description="How long the last attempt took, in milliseconds."
    )
    response_excerpt: str | None = strawberry.field(
        description="The start of the last answer's body (or the error), for debugging."
    )
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next; null once delivered or failed."
    )
    created_at: datetime = strawberry.field(description="When it was put in the log.")
    delivered_at: datetime | None = strawberry.field(description="When the endpoint took it.")
    subscription_local: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: WebhookDeliveryView) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id(DELIVERY, str(view.id))),
            subscription_id=strawberry.ID(to_global_id(SUBSCRIPTION, view.subscription_id)),
            event_id=strawberry.ID(view.event_id),
            event_type=event_type_of(view.event_type),
            status=WebhookDeliveryStatus(view.status),
            attempts=view.attempts,
            last_status_code=view.last_status_code,
            latency_ms=view.last_latency_ms,
            response_excerpt=view.last_response,
            next_attempt_at=view.next_attempt_at,
            created_at=view.created_at,
            delivered_at=view.delivered_at,
            subscription_local=view.subscription_id,
        )

    @strawberry.field(description="The subscription it goes to.")
    async def subscription(self, info: Info) -> WebhookSubscription | None:
        context = info.context
        webhooks = context.services.use(Events).webhooks

        def by_id(ids: Sequence[str]) -> dict[str, WebhookSubscriptionView]:
            # Subscriptions are a little configuration: one read of them all serves any page.
            wanted = set(ids)
            return {view.id: view for view in webhooks.list(context.principal) if view.id in wanted}

        view = await context.loaders.batch("webhooks.subscriptions", by_id).load(
            self.subscription_local
        )
        return WebhookSubscription.from_view(view) if view is not None else None


@strawberry.type(name="WebhookDeliveryEdge", description="One delivery of a page of the log.")
class WebhookDeliveryEdge(Edge[WebhookDelivery]):
    pass


@strawberry.type(
    name="WebhookDeliveryConnection", description="A page of the delivery log, newest first."
)
class WebhookDeliveryConnection(Connection[WebhookDelivery]):
    edges: list[WebhookDeliveryEdge] = strawberry.field(  # type: ignore[assignment]
        description="The deliveries of this page, newest first."
    )
    edge_type = WebhookDeliveryEdge
    where: strawberry.Private[DeliveryFilter]

    @strawberry.field(description="How many deliveries match the filter.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Events).webhooks.count_deliveries(context.principal, self.where)


def delivery_page(
    info: Info, where: DeliveryFilter, page: PageRequest
) -> WebhookDeliveryConnection:
    context = info.context
    found = context.services.use(Events).webhooks.deliveries(context.principal, where, page)
    return WebhookDeliveryConnection.from_page(found, WebhookDelivery.from_view, where=where)


def fetch_webhook_subscription(info: Info, subscription_id: str) -> WebhookSubscription | None:
    context = info.context
    view = context.services.use(Events).webhooks.get(context.principal, subscription_id)
    return WebhookSubscription.from_view(view) if view is not None else None


def fetch_webhook_delivery(info: Info, delivery_id: str) -> WebhookDelivery | None:
    try:
        number = _delivery_number(delivery_id)
    except ValueError:
        return None
    context = info.context
    view = context.services.use(Events).webhooks.delivery(context.principal, number)
    return WebhookDelivery.from_view(view) if view is not None else None


_SUBSCRIPTION_ID = "The global id of the webhook subscription."


@strawberry.input(description="A new webhook subscription.")
class CreateWebhookSubscriptionInput:
    url: str = strawberry.field(description="Where to POST events: an http(s) URL.")
    event_types: list[EventType] = strawberry.field(
        default_factory=list, description="The types to deliver; empty for every type."
    )
    description: str = strawberry.field(
        default="", description="What the endpoint is for, at most 500 characters."
    )
    role: str = strawberry.field(
        default="admin",
        description="The key of the role whose field rules its payloads obey; admin, which "
        "reads every field, by default.",
    )


@strawberry.input(description="New settings for a subscription; what is left out stays.")
class UpdateWebhookSubscriptionInput:
    id: strawberry.ID = strawberry.field(description=_SUBSCRIPTION_ID)
    version: int = strawberry.field(
        description="The version read; a subscription changed since is refused, STALE_VERSION."
    )
    url: str | None = strawberry.field(default=None, description="Where to POST events.")
    event_types: list[EventType] | None = strawberry.field(
        default=None, description="The types to deliver; empty for every type."
    )
    description: str | None = strawberry.field(
        default=None, description="What the endpoint is for, at most 500 characters."
    )
    role: str | None = strawberry.field(
        default=None, description="The key of the role whose field rules its payloads obey."
    )


@strawberry.input(description="The subscription to pause.")
class PauseWebhookSubscriptionInput:
    id: strawberry.ID = strawberry.field(description=_SUBSCRIPTION_ID)


@strawberry.input(description="The subscription to resume.")
class ResumeWebhookSubscriptionInput:
    id: strawberry.ID = strawberry.field(description=_SUBSCRIPTION_ID)


@strawberry.input(description="The subscription whose secret to replace.")
class RotateWebhookSecretInput:
    id: strawberry.ID = strawberry.field(description=_SUBSCRIPTION_ID)


@strawberry.input(description="The subscription to delete, with its delivery log.")
class DeleteWebhookSubscriptionInput:
    id: strawberry.ID = strawberry.field(description=_SUBSCRIPTION_ID)


@strawberry.input(description="The delivery to send again.")
class ReplayWebhookDeliveryInput:
    delivery_id: strawberry.ID = strawberry.field(
        description="The global id of the webhook delivery."
    )


_SUBSCRIPTION_RESULT = "The subscription as it is now; null when nothing was done."
_ERRORS = "Why nothing was done; empty on success."


@strawberry.type(description="The result of createWebhookSubscription.")
class CreateWebhookSubscriptionPayload:
    webhook_subscription: WebhookSubscription | None = strawberry.field(
        default=None, description="The new subscription, with its secret shown this once."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of updateWebhookSubscription.")
class UpdateWebhookSubscriptionPayload:
    webhook_subscription: WebhookSubscription | None = strawberry.field(
        default=None, description=_SUBSCRIPTION_RESULT
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of pauseWebhookSubscription.")
class PauseWebhookSubscriptionPayload:
    webhook_subscription: WebhookSubscription | None = strawberry.field(
        default=None, description=_SUBSCRIPTION_RESULT
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of resumeWebhookSubscription.")
class ResumeWebhookSubscriptionPayload:
    webhook_subscription: WebhookSubscription | None = strawberry.field(
        default=None, description=_SUBSCRIPTION_RESULT
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of rotateWebhookSecret.")
class RotateWebhookSecretPayload:
    webhook_subscription: WebhookSubscription | None = strawberry.field(
        default=None, description="The subscription, with its new secret shown this once."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of deleteWebhookSubscription.")
class DeleteWebhookSubscriptionPayload:
    deleted_webhook_subscription_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of the subscription deleted."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of replayWebhookDelivery.")
class ReplayWebhookDeliveryPayload:
    webhook_delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="The new, pending delivery of the same event."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


def _subscription_id(value: strawberry.ID, field: str = "id") -> str:
    return local_id(value, SUBSCRIPTION, field=field)


_DELIVERY_NUMBER = re.compile(r"[0-9]{1,18}")


def _delivery_number(text: str) -> int:
    """A delivery's number as the API writes it; ``ValueError`` for any other text."""
    # ASCII digits, few enough for a 64-bit column: int() also reads Arabic-Indic digits and
    # numbers SQLite cannot bind.
    if _DELIVERY_NUMBER.fullmatch(text) is None:
        raise ValueError(text)
    return int(text)


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Every webhook subscription, by id (admins only): configuration, which stays "
        "small, so a plain list; `webhookDeliveries` is the growing log.",
        extensions=[QueryErrors()],
    )
    def webhook_subscriptions(self, info: Info) -> list[WebhookSubscription]:
        views = info.context.services.use(Events).webhooks.list(info.context.principal)
        return [WebhookSubscription.from_view(view) for view in views]

    @strawberry.field(
        description="One webhook subscription; null when there is none (admins only).",
        extensions=[QueryErrors()],
    )
    def webhook_subscription(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=_SUBSCRIPTION_ID)],
    ) -> WebhookSubscription | None:
        return fetch_webhook_subscription(info, _subscription_id(id))

    @strawberry.field(
        description="One delivery of the log; null when there is none (admins only).",
        extensions=[QueryErrors()],
    )
    def webhook_delivery(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The global id of the delivery.")
        ],
    ) -> WebhookDelivery | None:
        return fetch_webhook_delivery(info, local_id(id, DELIVERY, field="id"))

    @strawberry.field(
        description="The delivery log, newest first (admins only).", extensions=[QueryErrors()]
    )
    def webhook_deliveries(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
        last: Annotated[int | None, strawberry.argument(description=_LAST)] = None,
        before: Annotated[str | None, strawberry.argument(description=_BEFORE)] = None,
        filter: Annotated[
            WebhookDeliveryFilter | None,
            strawberry.argument(description="Only deliveries that match."),
        ] = None,
    ) -> WebhookDeliveryConnection:
        where = filter.resolve() if filter is not None else DeliveryFilter()
        return delivery_page(info, where, PageRequest(first, after, last, before))


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Subscribe an endpoint; the payload shows its secret once.",
        extensions=[UserErrors()],
    )
    def create_webhook_subscription(
        self,
        info: Info,
        input: Annotated[
            CreateWebhookSubscriptionInput, strawberry.argument(description="The subscription.")
        ],
    ) -> CreateWebhookSubscriptionPayload:
        view, secret = info.context.services.use(Events).webhooks.create(
            info.context.principal,
            input.url,
            event_type_names(cast(list[Enum], input.event_types)) or [],
            input.description,
            input.role,
        )
        return CreateWebhookSubscriptionPayload(
            webhook_subscription=WebhookSubscription.from_view(view, secret)
        )

    @strawberry.mutation(
        description="Change a subscription's URL, event types or description.",
        extensions=[UserErrors()],
    )
    def update_webhook_subscription(
        self,
        info: Info,
        input: Annotated[
            UpdateWebhookSubscriptionInput, strawberry.argument(description="What changes.")
        ],
    ) -> UpdateWebhookSubscriptionPayload:
        patch = SubscriptionPatch(
            url=input.url,
            description=input.description,
            event_types=event_type_names(cast(list[Enum] | None, input.event_types)),
            role=input.role,
        )
        view = info.context.services.use(Events).webhooks.update(
            info.context.principal, _subscription_id(input.id), input.version, patch
        )
        return UpdateWebhookSubscriptionPayload(
            webhook_subscription=WebhookSubscription.from_view(view)
        )

    @strawberry.mutation(
        description="Stop delivering to a subscription; its deliveries wait for a resume.",
        extensions=[UserErrors()],
    )
    def pause_webhook_subscription(
        self,
        info: Info,
        input: Annotated[
            PauseWebhookSubscriptionInput, strawberry.argument(description="What to pause.")
        ],
    ) -> PauseWebhookSubscriptionPayload:
        view = info.context.services.use(Events).webhooks.pause(
            info.context.principal, _subscription_id(input.id)
        )
        return PauseWebhookSubscriptionPayload(
            webhook_subscription=WebhookSubscription.from_view(view)
        )

    @strawberry.mutation(
        description="Resume a paused or disabled subscription; pending deliveries continue "
        "in order.",
        extensions=[UserErrors()],
    )
    def resume_webhook_subscription(
        self,
        info: Info,
        input: Annotated[
            ResumeWebhookSubscriptionInput, strawberry.argument(description="What to resume.")
        ],
    ) -> ResumeWebhookSubscriptionPayload:
        view = info.context.services.use(Events).webhooks.resume(
            info.context.principal, _subscription_id(input.id)
        )
        return ResumeWebhookSubscriptionPayload(
            webhook_subscription=WebhookSubscription.from_view(view)
        )

    @strawberry.mutation(
        description="A new secret, shown once; the old one stops at once.",
        extensions=[UserErrors()],
    )
    def rotate_webhook_secret(
        self,
        info: Info,
        input: Annotated[
            RotateWebhookSecretInput, strawberry.argument(description="Whose secret.")
        ],
    ) -> RotateWebhookSecretPayload:
        view, secret = info.context.services.use(Events).webhooks.rotate_secret(
            info.context.principal, _subscription_id(input.id)
        )
        return RotateWebhookSecretPayload(
            webhook_subscription=WebhookSubscription.from_view(view, secret)
        )

    @strawberry.mutation(
        description="Delete a subscription and its delivery log.", extensions=[UserErrors()]
    )
    def delete_webhook_subscription(
        self,
        info: Info,
        input: Annotated[
            DeleteWebhookSubscriptionInput, strawberry.argument(description="What to delete.")
        ],
    ) -> DeleteWebhookSubscriptionPayload:
        info.context.services.use(Events).webhooks.delete(
            info.context.principal, _subscription_id(input.id)
        )
        return DeleteWebhookSubscriptionPayload(deleted_webhook_subscription_id=input.id)

    @strawberry.mutation(
        description="Send one delivery again, as a new delivery.", extensions=[UserErrors()]
    )
    def replay_webhook_delivery(
        self,
        info: Info,
        input: Annotated[
            ReplayWebhookDeliveryInput, strawberry.argument(description="What to send again.")
        ],
    ) -> ReplayWebhookDeliveryPayload:
        try:
            local = _delivery_number(local_id(input.delivery_id, DELIVERY))
        except ValueError:  # a malformed id too: MalformedId is a ValueError
            return ReplayWebhookDeliveryPayload(user_errors=invalid_id("deliveryId"))
        view = info.context.services.use(Events).webhooks.replay(info.context.principal, local)
        return ReplayWebhookDeliveryPayload(webhook_delivery=WebhookDelivery.from_view(view))


PART = SchemaPart(
    queries=(WebhookQuery,),
    mutations=(WebhookMutation,),
    nodes={SUBSCRIPTION: fetch_webhook_subscription, DELIVERY: fetch_webhook_delivery},
)
