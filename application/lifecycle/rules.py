"""Rules at work: after an order, in the order's own transaction, and in the daily sweep.

Order-triggered rules (a paid order, an order after dormancy) run inside the use case that
records or pays the order, so the stage change commits, or not, with the order and its
events land in the outbox in order. Inactivity cannot be observed at any event: the daily
sweep evaluates every rule for every customer with orders, a page of customers at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from application.customers.lookup import CustomerStatus
from application.lifecycle.views import SweepReport
from application.orders.ports import OrderReader
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.lifecycle import CustomerFacts, RuleTrigger, StageChange
from domain.orders import Order, OrderStatus

ORDER_TRIGGERS = frozenset({RuleTrigger.PAID_ORDER, RuleTrigger.ORDER_AFTER_STAGE})
PAID = frozenset({OrderStatus.PAID, OrderStatus.REFUNDED})
SWEEP_BATCH = 500


def apply_order_rules(
    uow: UnitOfWork, order: Order, *, new_id: Callable[[], str], by: str
) -> list[StageChange]:
    """Apply the rules an order can trigger to its customer, in ``uow``'s transaction."""
    if order.status is OrderStatus.CANCELLED:
        return []
    facts = CustomerFacts(
        now=order.updated_at, has_paid_order=order.status in PAID, last_order_at=order.placed_at
    )
    lifecycle = uow.lifecycle.get_many([order.customer_id])[order.customer_id]
    changes = lifecycle.apply_rules(
        uow.lifecycle.catalogue(), facts, new_id=new_id, by=by, triggers=ORDER_TRIGGERS
    )
    uow.timeline.record([change.timeline_entry() for change in changes])
    return changes


@frozen
class RunLifecycleSweep:
    """Evaluate every rule for every active customer with orders; running it twice in a row
    changes nothing the second time.

    Reads the order facts a page of customers at a time (one query per page), then loads
    and saves that page's lifecycles in one transaction.
    """

    uow: UnitOfWorkFactory
    orders: OrderReader
    clock: Clock
    ids: IdGenerator

    def __call__(
        self,
        actor: Principal,
        *,
        batch_size: int = SWEEP_BATCH,
        on_batch: Callable[[int], None] | None = None,
    ) -> SweepReport:
        actor.require(Permission.MANAGE_LIFECYCLE)
        now = self.clock.now()
        after: str | None = None
        customers = changes = 0
        while True:
            page = self.orders.order_facts(after_customer=after, limit=batch_size)
            if not page:
                break
            after = page[-1].customer_id
            with self.uow() as uow:
                statuses = uow.customer_lookup.statuses([f.customer_id for f in page])
                active = [f for f in page if statuses.get(f.customer_id) == CustomerStatus.ACTIVE]
                catalogue = uow.lifecycle.catalogue()
                lifecycles = uow.lifecycle.get_many([f.customer_id for f in active])
                made: list[StageChange] = []
                for found in active:
                    made += lifecycles[found.customer_id].apply_rules(
                        catalogue,
                        CustomerFacts(
                            now=now,
                            has_paid_order=found.has_paid_order,
                            last_order_at=found.last_order_at,
                        ),
                        new_id=self.ids.new_id,
                        by=actor.actor_id,
                    )
                uow.timeline.record([change.timeline_entry() for change in made])
                uow.commit()
            customers += len(active)
            changes += len(made)
            if on_batch is not None:
                on_batch(len(page))
            if len(page) < batch_size:
                break
        return SweepReport(customers=customers, changes=changes)
