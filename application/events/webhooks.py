"""Webhook subscriptions: who receives which events, and the log of what was delivered."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import attrs
from attrs import frozen

from application.access.ports import AccessReader
from application.access.principals import RoleCatalogue
from application.errors import InvalidInput, NotFound, StaleVersion
from application.events.deliveries import DeliveryStatus
from application.events.targets import Target, UnusableTarget, is_public, parse_target
from application.pagination import (
    Page,
    PageRequest,
    SortKey,
    SortValue,
    keyset_page,
)
from application.ports import Clock, IdGenerator
from application.principal import Principal
from domain.access.roles import BUILT_IN_ROLES, Permission, Role, role_key
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
    updated_at: datetime
    version: int
    """Grows with every change of the subscription: its settings, status or secret."""
    role: str = Role.ADMIN.value
    """The role whose field rules its payloads obey: fields it may not read are left out."""


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


@frozen(kw_only=True)
class DeliveryFilter:
    """Which deliveries of the log to list; ``None`` for any."""

    subscription_id: str | None = None
    status: DeliveryStatus | None = None
    event_type: str | None = None


@frozen(kw_only=True)
class SubscriptionPatch:
    """Changes to a subscription's settings; ``None`` leaves a setting as it is."""

    url: str | None = None
    description: str | None = None
    event_types: Sequence[str] | None = None
    role: str | None = None


@frozen
class NewSubscription:
    id: str
    url: str
    description: str
    event_types: tuple[str, ...]
    secret: str
    at: datetime
    role: str = Role.ADMIN.value


class WebhookStore(Protocol):
    def add(self, subscription: NewSubscription) -> None: ...

    def get(self, subscription_id: str) -> WebhookSubscriptionView | None: ...

    def list(self) -> Sequence[WebhookSubscriptionView]: ...

    def set_status(
        self, subscription_id: str, status: SubscriptionStatus, reason: str | None, at: datetime
    ) -> bool: ...

    def set_secret(self, subscription_id: str, secret: str, at: datetime) -> bool: ...

    def delete(self, subscription_id: str) -> bool: ...

    def update(
        self,
        subscription_id: str,
        expected_version: int,
        patch: SubscriptionPatch,
        at: datetime,
    ) -> bool:
        """Apply ``patch`` if the subscription is still at ``expected_version``."""
        ...

    def deliveries(
        self,
        subscription_id: str | None,
        after: int | None,
        limit: int,
        *,
        before: int | None = None,
        from_end: bool = False,
        status: str | None = None,
        event_type: str | None = None,
    ) -> Sequence[WebhookDeliveryView]:
        """Newest first, by id: those older than ``after`` and newer than ``before``;
        ``from_end`` walks from the oldest up (``last``/``before`` pages)."""
        ...

    def count_deliveries(
        self,
        subscription_id: str | None,
        *,
        status: str | None = None,
        event_type: str | None = None,
    ) -> int: ...

    def delivery(self, delivery_id: int) -> WebhookDeliveryView | None: ...

    def replay(self, delivery_id: int, at: datetime) -> WebhookDeliveryView | None:
        """A new pending delivery of the same event to the same subscription."""
        ...


class DeliveryOrder:
    """The delivery log's one order: newest first, by delivery number."""

    name = "webhook_deliveries:id:desc"

    def key_of(self, view: WebhookDeliveryView) -> SortKey:
        return SortKey(view.id, str(view.id))

    def read_cursor_value(self, raw: object) -> SortValue:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ValueError(raw)
        return raw


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
        roles: AccessReader | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
        self._new_secret = new_secret
        self._allow_private = allow_private_targets
        self._known_types = known_types
        self._roles = roles

    def create(
        self,
        principal: Principal,
        url: str,
        event_types: Sequence[str],
        description: str,
        role: str = Role.ADMIN.value,
    ) -> tuple[WebhookSubscriptionView, str]:
        """The new subscription and its secret, which is shown this once."""
        principal.require(Permission.MANAGE_WEBHOOKS)
        role = self._known_role(role)
        check_target(url.strip(), allow_private=self._allow_private)
        self._check_types(event_types)
        _check_description(description)
        secret = self._new_secret()
        subscription = NewSubscription(
            id=self._ids.new_id(),
            url=url.strip(),
            description=description,
            event_types=tuple(dict.fromkeys(event_types)),
            secret=secret,
            at=self._clock.now(),
            role=role,
        )
        self._store.add(subscription)
        return self._found(subscription.id), secret

    def update(
        self,
        principal: Principal,
        subscription_id: str,
        expected_version: int,
        patch: SubscriptionPatch,
    ) -> WebhookSubscriptionView:
        """Change the URL, description or event types of a subscription not changed since
        ``expected_version``."""
        principal.require(Permission.MANAGE_WEBHOOKS)
        if patch.url is not None:
            patch = attrs.evolve(patch, url=patch.url.strip())
            check_target(patch.url or "", allow_private=self._allow_private)
        if patch.event_types is not None:
            self._check_types(patch.event_types)
            patch = attrs.evolve(patch, event_types=tuple(dict.fromkeys(patch.event_types)))
        if patch.description is not None:
            _check_description(patch.description)
        if patch.role is not None:
            patch = attrs.evolve(patch, role=self._known_role(patch.role))
        current = self._found(subscription_id)
        if current.version != expected_version or not self._store.update(
            subscription_id, expected_version, patch, self._clock.now()
        ):
            latest = self._store.get(subscription_id)
            if latest is None:
                raise NotFound("id")
            raise StaleVersion(expected_version, latest.version)
        return self._found(subscription_id)

    def get(self, principal: Principal, subscription_id: str) -> WebhookSubscriptionView | None:
        principal.require(Permission.MANAGE_WEBHOOKS)
        return self._store.get(subscription_id)

    def delivery(self, principal: Principal, delivery_id: int) -> WebhookDeliveryView | None:
        principal.require(Permission.MANAGE_WEBHOOKS)
        return self._store.delivery(delivery_id)

    def list(self, principal: Principal) -> Sequence[WebhookSubscriptionView]:
        principal.require(Permission.MANAGE_WEBHOOKS)
        return self._store.list()

    def pause(self, principal: Principal, subscription_id: str) -> WebhookSubscriptionView:
        return self._set(principal, subscription_id, SubscriptionStatus.PAUSED)

    def resume(self, principal: Principal, subscription_id: str) -> WebhookSubscriptionView:
        return self._set(principal, subscription_id, SubscriptionStatus.ACTIVE)

    def rotate_secret(
        self, principal: Principal, subscription_id: str
    ) -> tuple[WebhookSubscriptionView, str]:
        principal.require(Permission.MANAGE_WEBHOOKS)
        secret = self._new_secret()
        if not self._store.set_secret(subscription_id, secret, self._clock.now()):
            raise NotFound("id")
        return self._found(subscription_id), secret

    def delete(self, principal: Principal, subscription_id: str) -> None:
        principal.require(Permission.MANAGE_WEBHOOKS)
        if not self._store.delete(subscription_id):
            raise NotFound("id")

    def deliveries(
        self, principal: Principal, where: DeliveryFilter, page: PageRequest
    ) -> Page[WebhookDeliveryView]:
        """The delivery log, newest first, a keyset page at a time."""
        principal.require(Permission.MANAGE_WEBHOOKS)

        def slice_of(
            *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
        ) -> Sequence[WebhookDeliveryView]:
            return self._store.deliveries(
                where.subscription_id,
                _number(after),
                limit,
                before=_number(before),
                from_end=from_end,
                status=where.status,
                event_type=where.event_type,
            )

        return keyset_page(page, DeliveryOrder(), slice_of)

    def count_deliveries(self, principal: Principal, where: DeliveryFilter) -> int:
        principal.require(Permission.MANAGE_WEBHOOKS)
        return self._store.count_deliveries(
            where.subscription_id, status=where.status, event_type=where.event_type
        )

    def replay(self, principal: Principal, delivery_id: int) -> WebhookDeliveryView:
        principal.require(Permission.MANAGE_WEBHOOKS)
        replayed = self._store.replay(delivery_id, self._clock.now())
        if replayed is None:
            raise NotFound("deliveryId")
        return replayed

    def _set(
        self, principal: Principal, subscription_id: str, status: SubscriptionStatus
    ) -> WebhookSubscriptionView:
        principal.require(Permission.MANAGE_WEBHOOKS)
        if not self._store.set_status(subscription_id, status, None, self._clock.now()):
            raise NotFound("id")
        return self._found(subscription_id)

    def _known_role(self, raw: str) -> str:
        key = role_key(raw)
        known = RoleCatalogue(self._roles).get(key) if self._roles else BUILT_IN_ROLES.get(key)
        if known is None:
            raise InvalidInput("role", ErrorCode.NOT_FOUND, "no role has this key")
        return key

    def _check_types(self, event_types: Sequence[str]) -> None:
        known = set(self._known_types())
        unknown = [name for name in event_types if name not in known]
        if unknown:
            raise InvalidInput(
                "eventTypes", ErrorCode.INVALID_CHOICE, f"unknown event types: {', '.join(unknown)}"
            )

    def _found(self, subscription_id: str) -> WebhookSubscriptionView:
        view = self._store.get(subscription_id)
        if view is None:
            raise NotFound("id")
        return view


def _check_description(description: str) -> None:
    if len(description) > 500:
        raise InvalidInput("description", ErrorCode.TOO_LONG, "is longer than 500 characters")


def _number(key: SortKey | None) -> int | None:
    return None if key is None else int(key.value)  # type: ignore[arg-type]
