"""What can happen to an order, as versioned domain events."""

from __future__ import annotations

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class OrderPlaced(DomainEvent):
    event_type = "rapport.order.placed.v1"
    aggregate_type = "order"

    customer_id: str
    status: str
    currency: str
    total: str
    placed_at: str


@frozen(kw_only=True)
class OrderPaid(DomainEvent):
    event_type = "rapport.order.paid.v1"
    aggregate_type = "order"

    customer_id: str


@frozen(kw_only=True)
class OrderRefunded(DomainEvent):
    event_type = "rapport.order.refunded.v1"
    aggregate_type = "order"

    customer_id: str
    amount: str
    refunded_total: str
    reason: str


@frozen(kw_only=True)
class OrderCancelled(DomainEvent):
    event_type = "rapport.order.cancelled.v1"
    aggregate_type = "order"

    customer_id: str
