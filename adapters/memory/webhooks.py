"""Webhook subscriptions in memory: for ``RAPPORT_STORAGE=memory`` and the contract suite.

Nothing relays an in-memory outbox, so the delivery log holds only what ``record`` puts in.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

import attrs

from application.events.webhooks import (
    NewSubscription,
    SubscriptionPatch,
    SubscriptionStatus,
    WebhookDeliveryView,
    WebhookSubscriptionView,
)


class InMemoryWebhookStore:
    def __init__(self) -> None:
        self._subscriptions: dict[str, WebhookSubscriptionView] = {}
        self._secrets: dict[str, str] = {}
        self._deliveries: dict[int, WebhookDeliveryView] = {}
        self._lock = threading.Lock()

    def add(self, subscription: NewSubscription) -> None:
        with self._lock:
            self._subscriptions[subscription.id] = WebhookSubscriptionView(
                id=subscription.id,
                url=subscription.url,
                description=subscription.description,
                event_types=subscription.event_types,
                status=SubscriptionStatus.ACTIVE,
                disabled_reason=None,
                created_at=subscription.at,
                updated_at=subscription.at,
                version=1,
                role=subscription.role,
            )
            self._secrets[subscription.id] = subscription.secret

    def get(self, subscription_id: str) -> WebhookSubscriptionView | None:
        return self._subscriptions.get(subscription_id)

    def list(self) -> Sequence[WebhookSubscriptionView]:
        return [self._subscriptions[key] for key in sorted(self._subscriptions)]

    def set_status(
        self, subscription_id: str, status: SubscriptionStatus, reason: str | None, at: datetime
    ) -> bool:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            if found is None:
                return False
            self._subscriptions[subscription_id] = attrs.evolve(
                found,
                status=status,
                disabled_reason=reason,
                updated_at=at,
                version=found.version + 1,
            )
            return True

    def set_secret(self, subscription_id: str, secret: str, at: datetime) -> bool:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            if found is None:
                return False
            self._secrets[subscription_id] = secret
            self._subscriptions[subscription_id] = attrs.evolve(
                found, updated_at=at, version=found.version + 1
            )
            return True

    def update(
        self,
        subscription_id: str,
        expected_version: int,
        patch: SubscriptionPatch,
        at: datetime,
    ) -> bool:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            if found is None or found.version != expected_version:
                return False
            self._subscriptions[subscription_id] = attrs.evolve(
                found,
                url=found.url if patch.url is None else patch.url,
                description=found.description if patch.description is None else patch.description,
                event_types=found.event_types
                if patch.event_types is None
                else tuple(patch.event_types),
                role=found.role if patch.role is None else patch.role,
                updated_at=at,
                version=found.version + 1,
            )
            return True

    def secret_of(self, subscription_id: str) -> str | None:
        return self._secrets.get(subscription_id)

    def delete(self, subscription_id: str) -> bool:
        with self._lock:
            self._secrets.pop(subscription_id, None)
            for key in [
                k for k, d in self._deliveries.items() if d.subscription_id == subscription_id
            ]:
                del self._deliveries[key]
            return self._subscriptions.pop(subscription_id, None) is not None

    def record(self, delivery: WebhookDeliveryView) -> None:
        with self._lock:
            self._deliveries[delivery.id] = delivery

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
        chosen = [
            d
            for d in sorted(self._deliveries.values(), key=lambda d: d.id if from_end else -d.id)
            if _matches(d, subscription_id, status, event_type)
            and (after is None or d.id < after)
            and (before is None or d.id > before)
        ]
        return chosen[:limit]

    def count_deliveries(
        self,
        subscription_id: str | None,
        *,
        status: str | None = None,
        event_type: str | None = None,
    ) -> int:
        return sum(
            1 for d in self._deliveries.values() if _matches(d, subscription_id, status, event_type)
        )

    def delivery(self, delivery_id: int) -> WebhookDeliveryView | None:
        return self._deliveries.get(delivery_id)

    def replay(self, delivery_id: int, at: datetime) -> WebhookDeliveryView | None:
        with self._lock:
            original = self._deliveries.get(delivery_id)
            if original is None:
                return None
            replayed = attrs.evolve(
                original,
                id=max(self._deliveries) + 1,
                status="pending",
                attempts=0,
                last_status_code=None,
                last_latency_ms=None,
                last_response=None,
                next_attempt_at=at,
                created_at=at,
                delivered_at=None,
            )
            self._deliveries[replayed.id] = replayed
            return replayed


def _matches(
    delivery: WebhookDeliveryView,
    subscription_id: str | None,
    status: str | None,
    event_type: str | None,
) -> bool:
    return (
        (subscription_id is None or delivery.subscription_id == subscription_id)
        and (status is None or delivery.status == status)
        and (event_type is None or delivery.event_type == event_type)
    )
