"""Webhook subscriptions: who receives which events, and the log of what was delivered."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from attrs import frozen

from application.errors import InvalidInput, NotFound
from application.events.targets import Target, UnusableTarget, is_public, parse_target
from application.ports import Clock, IdGenerator
from application.principal import Principal
from domain.access.roles import Permission
from domain.errors import ErrorCode


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"


@frozen
class WebhookSubscriptionView:
    id: str
    url: str
    description: str
    event_types: tuple[str, ...]
    status: SubscriptionStatus
    disabled_reason: str | None
    created_at: datetime


@frozen
class WebhookDeliveryView:
    id: int
    subscription_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_latency_ms: int | None
    last_response: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


@frozen
class NewSubscription:
    id: str
    url: str
    description: str
    event_types: tuple[str, ...]
    secret: str
    at: datetime


class WebhookStore(Protocol):
    def add(self, subscription: NewSubscription) -> None: ...

    def get(self, subscription_id: str) -> WebhookSubscriptionView | None: ...

    def list(self) -> Sequence[WebhookSubscriptionView]: ...

    def set_status(
        self, subscription_id: str, status: SubscriptionStatus, reason: str | None, at: datetime
    ) -> bool: ...

    def set_secret(self, subscription_id: str, secret: str, at: datetime) -> bool: ...

    def delete(self, subscription_id: str) -> bool: ...

    def deliveries(
        self, subscription_id: str | None, after: int | None, limit: int
    ) -> Sequence[WebhookDeliveryView]: ...

    def replay(self, delivery_id: int, at: datetime) -> WebhookDeliveryView | None:
        """A new pending delivery of the same event to the same subscription."""
        ...


MAX_URL_CHARS = 2000
"""As long as a stored subscription URL may be."""


def check_target(url: str, *, allow_private: bool) -> Target:
    """The target ``url`` names, if the sender would read it unambiguously and may send to it.

    The URL is read by :func:`parse_target`, as the sender reads it, so the host checked
    here is the host a delivery connects to. Private hosts are refused unless allowed.
    """
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput("url", ErrorCode.TOO_LONG, f"is longer than {MAX_URL_CHARS} characters")
    try:
        target = parse_target(url)
    except UnusableTarget as error:
        raise InvalidInput("url", ErrorCode.INVALID, str(error)) from None
    if allow_private:
        return target
    address = target.address
    if _is_private_name(target.host) or (address is not None and not is_public(address)):
        raise InvalidInput("url", ErrorCode.INVALID, "must not point at a private address")
    return target


def _is_private_name(host: str) -> bool:
    return host == "localhost" or host.endswith((".localhost", ".local", ".internal"))


class ManageWebhooks:
    """Subscribe endpoints to event types; pause, resume, rotate, delete; read the log."""

    def __init__(
        self,
        store: WebhookStore,
        clock: Clock,
        ids: IdGenerator,
        new_secret: Callable[[], str],
        *,
        allow_private_targets: bool,
        known_types: Callable[[], Sequence[str]],
    ) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
        self._new_secret = new_secret
        self._allow_private = allow_private_targets
        self._known_types = known_types

    def create(
        self, principal: Principal, url: str, event_types: Sequence[str], description: str
    ) -> tuple[WebhookSubscriptionView, str]:
        """The new subscription and its secret, which is shown this once."""
        principal.require(Permission.MANAGE_ACCESS)
        check_target(url.strip(), allow_private=self._allow_private)
        known = set(self._known_types())
        unknown = [name for name in event_types if name not in known]
        if unknown:
            raise InvalidInput(
                "eventTypes", ErrorCode.INVALID_CHOICE, f"unknown event types: {', '.join(unknown)}"
            )
        if len(description) > 500:
            raise InvalidInput("description", ErrorCode.TOO_LONG, "is longer than 500 characters")
        secret = self._new_secret()
        subscription = NewSubscription(
            id=self._ids.new_id(),
            url=url.strip(),
            description=description,
            event_types=tuple(dict.fromkeys(event_types)),
            secret=secret,
            at=self._clock.now(),
        )
        self._store.add(subscription)
        return self._found(subscription.id), secret

    def list(self, principal: Principal) -> Sequence[WebhookSubscriptionView]:
        principal.require(Permission.MANAGE_ACCESS)
        return self._store.list()

    def pause(self, principal: Principal, subscription_id: str) -> WebhookSubscriptionView:
        return self._set(principal, subscription_id, SubscriptionStatus.PAUSED)

    def resume(self, principal: Principal, subscription_id: str) -> WebhookSubscriptionView:
        return self._set(principal, subscription_id, SubscriptionStatus.ACTIVE)

    def rotate_secret(
        self, principal: Principal, subscription_id: str
    ) -> tuple[WebhookSubscriptionView, str]:
        principal.require(Permission.MANAGE_ACCESS)
        secret = self._new_secret()
        if not self._store.set_secret(subscription_id, secret, self._clock.now()):
            raise NotFound("id")
        return self._found(subscription_id), secret

    def delete(self, principal: Principal, subscription_id: str) -> None:
        principal.require(Permission.MANAGE_ACCESS)
        if not self._store.delete(subscription_id):
            raise NotFound("id")

    def deliveries(
        self, principal: Principal, subscription_id: str | None, after: int | None, limit: int
    ) -> Sequence[WebhookDeliveryView]:
        principal.require(Permission.MANAGE_ACCESS)
        return self._store.deliveries(subscription_id, after, limit)

    def replay(self, principal: Principal, delivery_id: int) -> WebhookDeliveryView:
        principal.require(Permission.MANAGE_ACCESS)
        replayed = self._store.replay(delivery_id, self._clock.now())
        if replayed is None:
            raise NotFound("deliveryId")
        return replayed

    def _set(
        self, principal: Principal, subscription_id: str, status: SubscriptionStatus
    ) -> WebhookSubscriptionView:
        principal.require(Permission.MANAGE_ACCESS)
        if not self._store.set_status(subscription_id, status, None, self._clock.now()):
            raise NotFound("id")
        return self._found(subscription_id)

    def _found(self, subscription_id: str) -> WebhookSubscriptionView:
        view = self._store.get(subscription_id)
        if view is None:
            raise NotFound("id")
        return view
