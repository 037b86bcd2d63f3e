"""Read models of orders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Final

from attrs import frozen

from application.pagination import SortKey, SortValue, read_time
from domain.orders import Currency, Order


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


AMOUNT_SCALE: Final = 4
"""Totals sort by their amount in ten-thousandths of the major unit: exact in any currency."""


def sortable_amount(amount: Decimal) -> int:
    return int(amount.scaleb(AMOUNT_SCALE))


class OrderSortField(StrEnum):
    PLACED_AT = "placed_at"
    TOTAL = "total"


@frozen
class OrderSort:
    """How a list of orders is ordered; ties are broken by id."""

    field: OrderSortField = OrderSortField.PLACED_AT
    descending: bool = True

    @property
    def name(self) -> str:
        return f"orders:{self.field.value}:{'desc' if self.descending else 'asc'}"

    def key_of(self, view: OrderView) -> SortKey:
        if self.field is OrderSortField.TOTAL:
            return SortKey(sortable_amount(view.total), view.id)
        return SortKey(view.placed_at, view.id)

    def read_cursor_value(self, raw: object) -> SortValue:
        if self.field is OrderSortField.TOTAL:
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise ValueError(raw)
            return raw
        return read_time(raw)


@frozen
class OrderFilter:
    """Conditions that all hold; ``None`` means no condition."""

    customer_id: str | None = None
    company_id: str | None = None
    """Orders of the company's people."""
    statuses: frozenset[str] | None = None
    placed_after: datetime | None = None
    """At or after."""
    placed_before: datetime | None = None
    """Strictly before."""

    def matches(self, view: OrderView, company_of: str | None) -> bool:
        return (
            (self.customer_id is None or view.customer_id == self.customer_id)
            and (self.company_id is None or company_of == self.company_id)
            and (self.statuses is None or view.status in self.statuses)
            and (self.placed_after is None or view.placed_at >= self.placed_after)
            and (self.placed_before is None or view.placed_at < self.placed_before)
        )


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


@frozen
class CurrencyRevenue:
    """What one customer's (or company's) paid orders in one currency brought in."""

    currency: str
    paid_orders: int
    """Orders paid at some point: status paid, or refunded since."""
    revenue: Decimal
    """Their totals minus everything refunded on them."""

    @property
    def average(self) -> Decimal:
        """The revenue per paid order, in the currency's minor units (half to even)."""
        if not self.paid_orders:
            return Decimal(0)
        quantum = Currency(self.currency).quantum
        return (self.revenue / self.paid_orders).quantize(quantum, rounding=ROUND_HALF_EVEN)


@frozen
class OrderStats:
    """A summary of someone's orders: how many, when, and the revenue per currency."""

    orders: int = 0
    """Orders not cancelled."""
    first_order_at: datetime | None = None
    """When the oldest order not cancelled was placed."""
    last_order_at: datetime | None = None
    """When the newest order not cancelled was placed."""
    revenue: tuple[CurrencyRevenue, ...] = ()
    """Per currency that has paid orders, by currency code."""


def order_stats(
    rows: Iterable[tuple[str, int, datetime | None, datetime | None, int, Decimal]],
) -> OrderStats:
    """One summary from per-currency rows of ``(currency, orders not cancelled, first, last,
    paid orders, net revenue)``: how every reader adapter folds its groups."""
    orders = 0
    first: datetime | None = None
    last: datetime | None = None
    revenue: list[CurrencyRevenue] = []
    for currency, count, oldest, newest, paid, net in sorted(rows, key=lambda row: row[0]):
        orders += count
        if oldest is not None and (first is None or oldest < first):
            first = oldest
        if newest is not None and (last is None or newest > last):
            last = newest
        if paid:
            revenue.append(CurrencyRevenue(currency, paid, net))
    return OrderStats(orders, first, last, tuple(revenue))
