"""Importing orders in batches: every good row stored, every bad row reported, re-runs idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import field, frozen

from application.orders.commands import NewOrder, OrderDraft, draft_order
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.custom_fields import CustomFieldSchema
from domain.customers import Customer, EmailAddress, ExternalId
from domain.errors import DomainError, ErrorCode, Problem
from domain.orders import Order


@frozen(kw_only=True)
class OrderRow:
    """One order from a file; the customer is named by an external id or an email."""

    row: int
    customer_external_id: str | None = None
    customer_email: str | None = None
    order: NewOrder


@frozen
class RowProblem:
    row: int
    problem: Problem


@frozen
class OrderImportResult:
    orders_created: int = 0
    orders_unchanged: int = 0
    customers_created: int = 0
    problems: tuple[RowProblem, ...] = field(factory=tuple)


CustomerKey = ExternalId | EmailAddress


def _customer_key(row: OrderRow) -> CustomerKey:
    if (row.customer_external_id is None) == (row.customer_email is None):
        raise DomainError(
            [
                Problem(
                    "customer", ErrorCode.REQUIRED, "name the customer by external id or by email"
                )
            ]
        )
    if row.customer_external_id is not None:
        return ExternalId.parse(row.customer_external_id)
    return EmailAddress.parse(row.customer_email or "", field_name="customer")


@frozen
class ImportOrders:
    """Store a batch of orders in one transaction.

    An order whose external id is already stored is left as it is, so importing the same
    file twice changes nothing. With ``create_missing_customers`` an unknown customer is
    created from its external id or email (a purchase log defines its customers); without
    it the row is refused.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(
        self, actor: Principal, rows: Sequence[OrderRow], *, create_missing_customers: bool
    ) -> OrderImportResult:
        actor.require(Permission.CREATE_ORDERS)
        actor.require(Permission.UPDATE_CUSTOMERS)
        problems: list[RowProblem] = []
        valid: list[tuple[OrderRow, CustomerKey, OrderDraft]] = []
        for row in rows:
            try:
                key = _customer_key(row)
                draft = draft_order(row.order)
            except DomainError as error:
                problems.extend(RowProblem(row.row, p) for p in error.problems)
                continue
            valid.append((row, key, draft))

        now = self.clock.now()
        with self.uow() as uow:
            stored = uow.orders.external_ids_in_use(
                {d.external_id for _, _, d in valid if d.external_id is not None}
            )
            owners = self._resolve(uow, [key for _, key, _ in valid])
            new_customers: dict[CustomerKey, Customer] = {}
            orders: list[Order] = []
            unchanged = 0
            for row, key, draft in valid:
                if draft.external_id is not None and draft.external_id in stored:
                    unchanged += 1
                    continue
                customer_id = owners.get(key)
                if customer_id is None and key in new_customers:
                    customer_id = new_customers[key].id
                if customer_id is None:
                    if not create_missing_customers:
                        problems.append(
                            RowProblem(
                                row.row,
                                Problem("customer", ErrorCode.NOT_FOUND, f"no customer is {key}"),
                            )
                        )
                        continue
                    customer = self._new_customer(key, actor, now)
                    new_customers[key] = customer
                    customer_id = customer.id
                if draft.external_id is not None:
                    stored.add(draft.external_id)
                orders.append(
                    draft.place(
                        order_id=self.ids.new_id(),
                        customer_id=customer_id,
                        at=now,
                        by=actor.actor_id,
                    )
                )
            uow.customers.add_many(list(new_customers.values()))
            uow.orders.add_many(orders)
            uow.timeline.record([order.timeline_entry() for order in orders])
            uow.commit()
        return OrderImportResult(
            orders_created=len(orders),
            orders_unchanged=unchanged,
            customers_created=len(new_customers),
            problems=tuple(sorted(problems, key=lambda p: p.row)),
        )

    @staticmethod
    def _resolve(uow: UnitOfWork, keys: Sequence[CustomerKey]) -> dict[CustomerKey, str]:
        external = {key for key in keys if isinstance(key, ExternalId)}
        emails = {key for key in keys if isinstance(key, EmailAddress)}
        found: dict[CustomerKey, str] = {}
        for external_id, customer_id in uow.customers.find_by_external_ids(external).items():
            found[external_id] = customer_id
        for email, customer_id in uow.customers.find_by_emails(emails).items():
            found[email] = customer_id
        return found

    def _new_customer(self, key: CustomerKey, actor: Principal, now: datetime) -> Customer:
        return Customer.register(
            id=self.ids.new_id(),
            first_name="",
            last_name="",
            email=key if isinstance(key, EmailAddress) else None,
            phone=None,
            custom_fields={},
            schema=CustomFieldSchema(()),
            owner_id=actor.actor_id,
            at=now,
            by=actor.actor_id,
            external_ids=[key] if isinstance(key, ExternalId) else [],
        )
