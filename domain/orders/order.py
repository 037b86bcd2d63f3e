"""The order aggregate: one purchase by one customer, with its lines and refunds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from attrs import define, field, frozen

from domain.errors import DomainError, ErrorCode, InvalidValue, Problem, RuleViolated
from domain.events import DomainEvent
from domain.orders.events import OrderCancelled, OrderPaid, OrderPlaced, OrderRefunded
from domain.orders.money import Currency, Money
from domain.text import clean_line
from domain.timeline import TimelineEntry

MAX_LINES = 500
TIMELINE_KIND = "order"


class OrderStatus(StrEnum):
    PLACED = "placed"
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


@frozen
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: Money

    @classmethod
    def of(cls, *, sku: str, name: str, quantity: int, unit_price: Money, index: int) -> OrderLine:
        path = f"lines.{index}"
        problems: list[Problem] = []
        try:
            sku = clean_line(sku, field=f"{path}.sku", max_length=64)
            name = clean_line(name, field=f"{path}.name", max_length=200)
        except DomainError as error:
            problems.extend(error.problems)
        if quantity <= 0:
            problems.append(Problem(f"{path}.quantity", ErrorCode.INVALID, "must be at least 1"))
        if unit_price.is_negative:
            problems.append(Problem(f"{path}.unitPrice", ErrorCode.INVALID, "must not be negative"))
        if problems:
            raise DomainError(problems)
        return cls(sku, name, quantity, unit_price)

    @property
    def total(self) -> Money:
        return self.unit_price.times(self.quantity)


@define(slots=False, eq=False)
class Order:
    """``total`` is what the customer was charged; ``refunded`` what was given back."""

    id: str
    customer_id: str
    external_id: str | None
    placed_at: datetime
    status: OrderStatus
    currency: Currency
    lines: tuple[OrderLine, ...]
    total: Money
    refunded: Money
    created_at: datetime
    updated_at: datetime
    version: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def place(
        cls,
        *,
        id: str,
        customer_id: str,
        placed_at: datetime,
        currency: Currency,
        lines: Sequence[OrderLine],
        total: Money | None = None,
        paid: bool = False,
        external_id: str | None = None,
        at: datetime,
        by: str,
    ) -> Order:
        """Record a purchase; without an explicit total, the lines add up to it.

        An explicit total may differ from the lines (discounts, tax, shipping, rounding).
        """
        if len(lines) > MAX_LINES:
            raise InvalidValue(
                "lines", ErrorCode.INVALID, f"an order has at most {MAX_LINES} lines"
            )
        for line in lines:
            if line.unit_price.currency != currency:
                raise InvalidValue(
                    "currency", ErrorCode.INVALID, "every line is in the order's currency"
                )
        if total is None:
            total = sum((line.total for line in lines), Money.zero(currency))
        if total.currency != currency:
            raise InvalidValue("total", ErrorCode.INVALID, "the total is in the order's currency")
        if total.is_negative:
            raise InvalidValue("total", ErrorCode.INVALID, "must not be negative")
        status = OrderStatus.PAID if paid else OrderStatus.PLACED
        order = cls(
            id=id,
            customer_id=customer_id,
            external_id=external_id,
            placed_at=placed_at,
            status=status,
            currency=currency,
            lines=tuple(lines),
            total=total,
            refunded=Money.zero(currency),
            created_at=at,
            updated_at=at,
        )
        order.events.append(
            OrderPlaced(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                customer_id=customer_id,
                status=status.value,
                currency=currency.code,
                total=str(total.amount),
                placed_at=placed_at.isoformat(),
            )
        )
        return order

    @property
    def net_total(self) -> Money:
        return self.total - self.refunded

    def mark_paid(self, *, at: datetime, by: str) -> None:
        self._require(OrderStatus.PLACED, "only a placed order can be paid")
        self.status = OrderStatus.PAID
        self._touch(at)
        self.events.append(
            OrderPaid(
                aggregate_id=self.id, occurred_at=at, actor_id=by, customer_id=self.customer_id
            )
        )

    def refund(self, amount: Money, *, reason: str, at: datetime, by: str) -> None:
        """Give back part or all of a paid order; the order is refunded once all is back."""
        self._require(OrderStatus.PAID, "only a paid order can be refunded")
        if amount.currency != self.currency or amount.amount <= 0:
            raise InvalidValue(
                "amount", ErrorCode.INVALID, "must be positive, in the order's currency"
            )
        if (self.refunded + amount) > self.total:
            raise RuleViolated(
                "amount", ErrorCode.INVALID, f"at most {self.net_total} is left to refund"
            )
        self.refunded = self.refunded + amount
        if self.refunded == self.total:
            self.status = OrderStatus.REFUNDED
        self._touch(at)
        self.events.append(
            OrderRefunded(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                customer_id=self.customer_id,
                amount=str(amount.amount),
                refunded_total=str(self.refunded.amount),
                reason=clean_line(reason, field="reason", max_length=500),
            )
        )

    def cancel(self, *, at: datetime, by: str) -> None:
        self._require(OrderStatus.PLACED, "only an order not yet paid can be cancelled")
        self.status = OrderStatus.CANCELLED
        self._touch(at)
        self.events.append(
            OrderCancelled(
                aggregate_id=self.id, occurred_at=at, actor_id=by, customer_id=self.customer_id
            )
        )

    def timeline_entry(self) -> TimelineEntry:
        """The order on its customer's timeline; redrawn whenever its status changes."""
        return TimelineEntry(
            id=self.id,
            customer_id=self.customer_id,
            kind=TIMELINE_KIND,
            occurred_at=self.placed_at,
            subject_type="Order",
            subject_id=self.id,
            title=f"Order {self.status.value}: {self.total}",
            summary=", ".join(f"{line.quantity} x {line.name}" for line in self.lines[:5]) or None,
            data={
                "status": self.status.value,
                "currency": self.currency.code,
                "total": str(self.total.amount),
                "refunded": str(self.refunded.amount),
                "externalId": self.external_id,
            },
        )

    def _require(self, status: OrderStatus, message: str) -> None:
        if self.status is not status:
            raise RuleViolated("status", ErrorCode.INVALID, f"{message}; this one is {self.status}")

    def _touch(self, at: datetime) -> None:
        self.updated_at = at
        self.version += 1
