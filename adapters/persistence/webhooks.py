"""Webhook subscriptions and the delivery log in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.sql import Select

from adapters.persistence.tables import webhook_deliveries, webhook_subscriptions
from application.events.webhooks import (
    NewSubscription,
    SubscriptionPatch,
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
        updated_at=row.updated_at,
        version=row.version,
        role=row.role,
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
                    version=1,
                    role=subscription.role,
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
            subscription_id,
            status=status.value,
            disabled_reason=reason,
            updated_at=at,
            version=webhook_subscriptions.c.version + 1,
        )

    def set_secret(self, subscription_id: str, secret: str, at: datetime) -> bool:
        return self._update(
            subscription_id,
            secret=secret,
            updated_at=at,
            version=webhook_subscriptions.c.version + 1,
        )

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

    def update(
        self,
        subscription_id: str,
        expected_version: int,
        patch: SubscriptionPatch,
        at: datetime,
    ) -> bool:
        table = webhook_subscriptions
        values: dict[str, Any] = {"updated_at": at, "version": table.c.version + 1}
        if patch.url is not None:
            values["url"] = patch.url
        if patch.description is not None:
            values["description"] = patch.description
        if patch.event_types is not None:
            values["event_types"] = list(patch.event_types)
        if patch.role is not None:
            values["role"] = patch.role
        with self._engine.begin() as connection:
            result = connection.execute(
                update(table)
                .where(table.c.id == subscription_id, table.c.version == expected_version)
                .values(**values)
            )
        return bool(result.rowcount)

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
        """Newest first; ``after`` is the id of the last delivery of the previous page."""
        table = webhook_deliveries
        order = table.c.id.asc() if from_end else table.c.id.desc()
        query = _filtered(select(table), subscription_id, status, event_type)
        query = query.order_by(order).limit(limit)
        if after is not None:
            query = query.where(table.c.id < after)
        if before is not None:
            query = query.where(table.c.id > before)
        with self._engine.connect() as connection:
            return [delivery_view(row) for row in connection.execute(query)]

    def count_deliveries(
        self,
        subscription_id: str | None,
        *,
        status: str | None = None,
        event_type: str | None = None,
    ) -> int:
        query = _filtered(
            select(func.count()).select_from(webhook_deliveries),
            subscription_id,
            status,
            event_type,
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def delivery(self, delivery_id: int) -> WebhookDeliveryView | None:
        query = select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return delivery_view(row) if row is not None else None

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


def _filtered(
    query: Select[Any], subscription_id: str | None, status: str | None, event_type: str | None
) -> Select[Any]:
    table = webhook_deliveries
    if subscription_id is not None:
        query = query.where(table.c.subscription_id == subscription_id)
    if status is not None:
        query = query.where(table.c.status == status)
    if event_type is not None:
        query = query.where(table.c.event_type == event_type)
    return query
