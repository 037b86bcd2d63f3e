"""Read models of orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import frozen

from domain.orders import Order


@frozen
class OrderLineView:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


@frozen
class OrderView:
    id: str
    customer_id: str
    external_id: str | None
    placed_at: datetime
    status: str
    currency: str
    total: Decimal
    refunded: Decimal
    lines: tuple[OrderLineView, ...]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_order(cls, order: Order) -> OrderView:
        return cls(
            id=order.id,
            customer_id=order.customer_id,
            external_id=order.external_id,
            placed_at=order.placed_at,
            status=order.status.value,
            currency=order.currency.code,
            total=order.total.amount,
            refunded=order.refunded.amount,
            lines=tuple(
                OrderLineView(line.sku, line.name, line.quantity, line.unit_price.amount)
                for line in order.lines
            ),
            created_at=order.created_at,
            updated_at=order.updated_at,
            version=order.version,
        )

    @property
    def net_total(self) -> Decimal:
        return self.total - self.refunded


@frozen
class CurrencyTotal:
    """All orders in one currency: how many, charged and refunded."""

    currency: str
    orders: int
    total: Decimal
    refunded: Decimal


@frozen
class OrderFacts:
    """What the lifecycle rules observe of one customer's orders."""

    customer_id: str
    last_order_at: datetime | None
    """When the newest order not cancelled was placed."""
    has_paid_order: bool
