"""Webhook subscriptions and the delivery log in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from adapters.persistence.tables import webhook_deliveries, webhook_subscriptions
from application.events.webhooks import (
    NewSubscription,
    SubscriptionStatus,
    WebhookDeliveryView,
    WebhookSubscriptionView,
)


def subscription_view(row: Any) -> WebhookSubscriptionView:
    return WebhookSubscriptionView(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=tuple(row.event_types),
        status=SubscriptionStatus(row.status),
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
    )


def delivery_view(row: Any) -> WebhookDeliveryView:
    return WebhookDeliveryView(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_latency_ms=row.last_latency_ms,
        last_response=row.last_response,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


class SqlWebhookStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, subscription: NewSubscription) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(webhook_subscriptions).values(
                    id=subscription.id,
                    url=subscription.url,
                    description=subscription.description,
                    event_types=list(subscription.event_types),
                    secret=subscription.secret,
                    status=SubscriptionStatus.ACTIVE.value,
                    created_at=subscription.at,
                    updated_at=subscription.at,
                )
            )

    def get(self, subscription_id: str) -> WebhookSubscriptionView | None:
        query = select(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return subscription_view(row) if row is not None else None

    def list(self) -> Sequence[WebhookSubscriptionView]:
        query = select(webhook_subscriptions).order_by(webhook_subscriptions.c.id)
        with self._engine.connect() as connection:
            return [subscription_view(row) for row in connection.execute(query)]

    def set_status(
        self, subscription_id: str, status: SubscriptionStatus, reason: str | None, at: datetime
    ) -> bool:
        return self._update(
            subscription_id, status=status.value, disabled_reason=reason, updated_at=at
        )

    def set_secret(self, subscription_id: str, secret: str, at: datetime) -> bool:
        return self._update(subscription_id, secret=secret, updated_at=at)

    def delete(self, subscription_id: str) -> bool:
        with self._engine.begin() as connection:
            connection.execute(
                delete(webhook_deliveries).where(
                    webhook_deliveries.c.subscription_id == subscription_id
                )
            )
            result = connection.execute(
                delete(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id)
            )
        return bool(result.rowcount)

    def deliveries(
        self, subscription_id: str | None, after: int | None, limit: int
    ) -> Sequence[WebhookDeliveryView]:
        """Newest first; ``after`` is the id of the last delivery of the previous page."""
        query = select(webhook_deliveries).order_by(webhook_deliveries.c.id.desc()).limit(limit)
        if subscription_id is not None:
            query = query.where(webhook_deliveries.c.subscription_id == subscription_id)
        if after is not None:
            query = query.where(webhook_deliveries.c.id < after)
        with self._engine.connect() as connection:
            return [delivery_view(row) for row in connection.execute(query)]

    def replay(self, delivery_id: int, at: datetime) -> WebhookDeliveryView | None:
        table = webhook_deliveries
        with self._engine.begin() as connection:
            original = connection.execute(select(table).where(table.c.id == delivery_id)).first()
            if original is None:
                return None
            inserted = connection.execute(
                insert(table)
                .values(
                    subscription_id=original.subscription_id,
                    event_id=original.event_id,
                    event_type=original.event_type,
                    aggregate_id=original.aggregate_id,
                    position=original.position,
                    body=original.body,
                    status="pending",
                    attempts=0,
                    next_attempt_at=at,
                    created_at=at,
                )
                .returning(table)
            ).one()
        return delivery_view(inserted)

    def _update(self, subscription_id: str, **values: Any) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(
                update(webhook_subscriptions)
                .where(webhook_subscriptions.c.id == subscription_id)
                .values(**values)
            )
        return bool(result.rowcount)
