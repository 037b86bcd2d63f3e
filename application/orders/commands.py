"""Use cases that record and change orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import cast

from attrs import frozen

from application.errors import AlreadyTaken, NotFound
from application.lifecycle.rules import apply_order_rules
from application.orders.views import OrderView
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import require_live_customer, sees_customer
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.errors import ErrorCode, Problem, ProblemCollector
from domain.orders import Currency, Money, Order, OrderLine


@frozen(kw_only=True)
class NewOrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: str


@frozen(kw_only=True)
class NewOrder:
    """An order as a client or a file sends it: amounts as written, checked by the use case."""

    customer_id: str
    placed_at: datetime
    currency: str
    lines: Sequence[NewOrderLine] = ()
    total: str | None = None
    paid: bool = False
    external_id: str | None = None


@frozen(kw_only=True)
class OrderDraft:
    """An order whose every field has been checked, not yet given an id or a customer."""

    placed_at: datetime
    currency: Currency
    lines: tuple[OrderLine, ...]
    total: Money | None
    paid: bool
    external_id: str | None

    def place(self, *, order_id: str, customer_id: str, at: datetime, by: str) -> Order:
        return Order.place(
            id=order_id,
            customer_id=customer_id,
            placed_at=self.placed_at,
            currency=self.currency,
            lines=self.lines,
            total=self.total,
            paid=self.paid,
            external_id=self.external_id,
            at=at,
            by=by,
        )


def _line(raw: NewOrderLine, index: int, currency: Currency) -> OrderLine:
    price = Money.of(raw.unit_price, currency, field_name=f"lines.{index}.unitPrice")
    return OrderLine.of(
        sku=raw.sku, name=raw.name, quantity=raw.quantity, unit_price=price, index=index
    )


def draft_order(new: NewOrder) -> OrderDraft:
    """Check every field of ``new`` and report all problems at once."""
    problems = ProblemCollector()
    currency = problems.check(lambda: Currency.parse(new.currency))
    problems.raise_if_any()
    currency = cast(Currency, currency)
    lines = [
        line
        for index, raw in enumerate(new.lines)
        if (line := problems.check(partial(_line, raw, index, currency))) is not None
    ]
    total = None
    if new.total is not None:
        written = new.total
        total = problems.check(lambda: Money.of(written, currency, field_name="total"))
    if new.external_id is not None and not 0 < len(new.external_id) <= 200:
        problems.problems.append(
            Problem("externalId", ErrorCode.INVALID, "must be 1 to 200 characters")
        )
    problems.raise_if_any()
    draft = OrderDraft(
        placed_at=new.placed_at,
        currency=currency,
        lines=tuple(lines),
        total=total,
        paid=new.paid,
        external_id=new.external_id,
    )
    # Placing checks the rules that span fields (currencies agree, total not negative).
    draft.place(order_id="draft", customer_id="draft", at=new.placed_at, by="draft")
    return draft


@frozen
class RecordOrder:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewOrder) -> OrderView:
        actor.require(Permission.CREATE_ORDERS)
        order = draft_order(new).place(
            order_id=self.ids.new_id(),
            customer_id=new.customer_id,
            at=self.clock.now(),
            by=actor.actor_id,
        )
        with self.uow() as uow:
            require_live_customer(uow, new.customer_id, actor=actor)
            if order.external_id and uow.orders.external_ids_in_use([order.external_id]):
                raise AlreadyTaken("externalId", "another order has this external id")
            uow.orders.add(order)
            uow.timeline.record([order.timeline_entry()])
            apply_order_rules(uow, order, new_id=self.ids.new_id, by=actor.actor_id)
            uow.commit()
        return OrderView.from_order(order)


def _load(uow: UnitOfWork, actor: Principal, order_id: str) -> Order:
    order = uow.orders.get(order_id)
    # An order follows its customer's visibility.
    if order is None or not sees_customer(uow, actor, order.customer_id):
        raise NotFound("id", "no order has this id")
    return order


@frozen
class MarkOrderPaid:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, order_id: str) -> OrderView:
        actor.require(Permission.UPDATE_ORDERS)
        with self.uow() as uow:
            order = _load(uow, actor, order_id)
            order.mark_paid(at=self.clock.now(), by=actor.actor_id)
            uow.timeline.record([order.timeline_entry()])
            apply_order_rules(uow, order, new_id=self.ids.new_id, by=actor.actor_id)
            uow.commit()
        return OrderView.from_order(order)


@frozen
class RefundOrder:
    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, order_id: str, amount: str, reason: str = "") -> OrderView:
        actor.require(Permission.UPDATE_ORDERS)
        with self.uow() as uow:
            order = _load(uow, actor, order_id)
            money = Money.of(amount, order.currency)
            order.refund(money, reason=reason, at=self.clock.now(), by=actor.actor_id)
            uow.timeline.record([order.timeline_entry()])
            uow.commit()
        return OrderView.from_order(order)


@frozen
class CancelOrder:
    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, order_id: str) -> OrderView:
        actor.require(Permission.UPDATE_ORDERS)
        with self.uow() as uow:
            order = _load(uow, actor, order_id)
            order.cancel(at=self.clock.now(), by=actor.actor_id)
            uow.timeline.record([order.timeline_entry()])
            uow.commit()
        return OrderView.from_order(order)
