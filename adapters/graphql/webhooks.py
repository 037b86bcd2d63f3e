"""Webhook subscriptions and their delivery log through the API."""

from __future__ import annotations

import re
from datetime import datetime

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors, invalid_id
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    invalid_cursor_error,
    local_id,
    to_global_id,
)
from adapters.graphql.type_names import DELIVERY, SUBSCRIPTION
from application.events.bundle import Events
from application.events.webhooks import WebhookDeliveryView, WebhookSubscriptionView


@strawberry.type(description="An endpoint that receives events, signed per Standard Webhooks.")
class WebhookSubscription:
    id: strawberry.ID
    url: str
    description: str
    event_types: list[str] = strawberry.field(description="Empty means every type.")
    status: str = strawberry.field(description="active, paused or disabled.")
    disabled_reason: str | None
    created_at: datetime
    secret: str | None = strawberry.field(
        default=None, description="Only in the payload that made or rotated it; never again."
    )

    @classmethod
    def from_view(
        cls, view: WebhookSubscriptionView, secret: str | None = None
    ) -> WebhookSubscription:
        return cls(
            id=strawberry.ID(to_global_id(SUBSCRIPTION, view.id)),
            url=view.url,
            description=view.description,
            event_types=list(view.event_types),
            status=view.status.value,
            disabled_reason=view.disabled_reason,
            created_at=view.created_at,
            secret=secret,
        )


@strawberry.type(description="One event sent (or being sent) to one subscription.")
class WebhookDelivery:
    id: strawberry.ID
    subscription_id: strawberry.ID
    event_id: str
    event_type: str
    status: str = strawberry.field(description="pending, delivered or failed.")
    attempts: int
    last_status_code: int | None
    latency_ms: int | None
    response_excerpt: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def from_view(cls, view: WebhookDeliveryView) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id(DELIVERY, str(view.id))),
            subscription_id=strawberry.ID(to_global_id(SUBSCRIPTION, view.subscription_id)),
            event_id=view.event_id,
            event_type=view.event_type,
            status=view.status,
            attempts=view.attempts,
            last_status_code=view.last_status_code,
            latency_ms=view.last_latency_ms,
            response_excerpt=view.last_response,
            next_attempt_at=view.next_attempt_at,
            created_at=view.created_at,
            delivered_at=view.delivered_at,
        )


@strawberry.type
class WebhookDeliveryPage:
    nodes: list[WebhookDelivery]
    end_cursor: str | None
    has_next_page: bool


@strawberry.input
class CreateWebhookSubscriptionInput:
    url: str
    event_types: list[str] = strawberry.field(
        default_factory=list, description="Types from the event catalogue; empty for all."
    )
    description: str = ""


@strawberry.type
class WebhookSubscriptionPayload:
    webhook_subscription: WebhookSubscription | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteWebhookSubscriptionPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReplayWebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


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


def _delivery_cursor(after: str | None) -> int | None:
    """The delivery number an ``endCursor`` holds; any other text is refused."""
    if not after:
        return None
    try:
        return _delivery_number(after)
    except ValueError:
        raise invalid_cursor_error() from None


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Every webhook subscription (admins only).", extensions=[QueryErrors()]
    )
    def webhook_subscriptions(self, info: Info) -> list[WebhookSubscription]:
        views = info.context.services.use(Events).webhooks.list(info.context.principal)
        return [WebhookSubscription.from_view(view) for view in views]

    @strawberry.field(description="The delivery log, newest first.", extensions=[QueryErrors()])
    def webhook_deliveries(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        subscription_id: strawberry.ID | None = None,
    ) -> WebhookDeliveryPage:
        first = max(1, min(first, 200))
        after_id = _delivery_cursor(after)
        sub = (
            _subscription_id(subscription_id, "subscriptionId")
            if subscription_id is not None
            else None
        )
        views = info.context.services.use(Events).webhooks.deliveries(
            info.context.principal, sub, after_id, first + 1
        )
        page = list(views[:first])
        return WebhookDeliveryPage(
            nodes=[WebhookDelivery.from_view(view) for view in page],
            end_cursor=str(page[-1].id) if page else None,
            has_next_page=len(views) > first,
        )


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Subscribe an endpoint; the payload shows its secret once.",
        extensions=[UserErrors()],
    )
    def create_webhook_subscription(
        self, info: Info, input: CreateWebhookSubscriptionInput
    ) -> WebhookSubscriptionPayload:
        view, secret = info.context.services.use(Events).webhooks.create(
            info.context.principal, input.url, input.event_types, input.description
        )
        return WebhookSubscriptionPayload(
            webhook_subscription=WebhookSubscription.from_view(view, secret)
        )

    @strawberry.mutation(extensions=[UserErrors()])
    def pause_webhook_subscription(
        self, info: Info, id: strawberry.ID
    ) -> WebhookSubscriptionPayload:
        return _change(info, id, "pause")

    @strawberry.mutation(
        description="Resume a paused or disabled subscription.", extensions=[UserErrors()]
    )
    def resume_webhook_subscription(
        self, info: Info, id: strawberry.ID
    ) -> WebhookSubscriptionPayload:
        return _change(info, id, "resume")

    @strawberry.mutation(
        description="A new secret, shown once; the old one stops at once.",
        extensions=[UserErrors()],
    )
    def rotate_webhook_secret(self, info: Info, id: strawberry.ID) -> WebhookSubscriptionPayload:
        return _change(info, id, "rotate")

    @strawberry.mutation(extensions=[UserErrors()])
    def delete_webhook_subscription(
        self, info: Info, id: strawberry.ID
    ) -> DeleteWebhookSubscriptionPayload:
        info.context.services.use(Events).webhooks.delete(
            info.context.principal, _subscription_id(id)
        )
        return DeleteWebhookSubscriptionPayload(deleted_id=id)

    @strawberry.mutation(
        description="Send one delivery again, as a new delivery.", extensions=[UserErrors()]
    )
    def replay_webhook_delivery(
        self, info: Info, delivery_id: strawberry.ID
    ) -> ReplayWebhookDeliveryPayload:
        try:
            local = _delivery_number(local_id(delivery_id, DELIVERY))
            view = info.context.services.use(Events).webhooks.replay(info.context.principal, local)
        except ValueError:  # a malformed id too: MalformedId is a ValueError
            return ReplayWebhookDeliveryPayload(user_errors=invalid_id("deliveryId"))
        return ReplayWebhookDeliveryPayload(delivery=WebhookDelivery.from_view(view))


def _change(info: Info, id: strawberry.ID, action: str) -> WebhookSubscriptionPayload:
    manage = info.context.services.use(Events).webhooks
    principal = info.context.principal
    local = _subscription_id(id)
    if action == "rotate":
        view, secret = manage.rotate_secret(principal, local)
        return WebhookSubscriptionPayload(
            webhook_subscription=WebhookSubscription.from_view(view, secret)
        )
    view = manage.pause(principal, local) if action == "pause" else manage.resume(principal, local)
    return WebhookSubscriptionPayload(webhook_subscription=WebhookSubscription.from_view(view))


PART = SchemaPart(
    queries=(WebhookQuery,),
    mutations=(WebhookMutation,),
)
