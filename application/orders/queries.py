"""Use cases that read orders."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from attrs import frozen

from application.errors import InvalidInput
from application.orders.ports import OrderReader
from application.orders.views import CurrencyTotal, OrderFilter, OrderSort, OrderStats, OrderView
from application.pagination import Page, PageRequest, keyset_page
from application.principal import Principal
from domain.access.roles import Permission, Resource
from domain.access.visibility import Visibility
from domain.errors import ErrorCode


def _check(where: OrderFilter) -> None:
    for name, moment in (
        ("placedAfter", where.placed_after),
        ("placedBefore", where.placed_before),
    ):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"filter.{name}", ErrorCode.INVALID, "must include a time zone")


def _seen(actor: Principal) -> Visibility:
    """Orders follow their customer: an actor sees the orders of the customers they see."""
    return actor.visibility(Resource.CUSTOMERS)


@frozen
class ReadOrders:
    """Every read of orders, each checked against the actor's permissions."""

    reader: OrderReader

    def get_many(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, OrderView]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.get_many(ids, visible=_seen(actor))

    def of_customer(
        self, actor: Principal, customer_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> Sequence[OrderView]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.of_customer(
            customer_id, before=before, limit=limit, visible=_seen(actor)
        )

    def newest_of_customers(
        self, actor: Principal, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[OrderView]]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.newest_of_customers(customer_ids, limit, visible=_seen(actor))

    def page(
        self, actor: Principal, where: OrderFilter, order: OrderSort, request: PageRequest
    ) -> Page[OrderView]:
        """One keyset page of the orders ``where`` selects."""
        actor.require(Permission.READ_ORDERS)
        _check(where)
        return keyset_page(
            request,
            order,
            lambda *, after, before, limit, from_end: self.reader.slice(
                where,
                order,
                after=after,
                before=before,
                limit=limit,
                from_end=from_end,
                visible=_seen(actor),
            ),
        )

    def count(self, actor: Principal, where: OrderFilter) -> int:
        actor.require(Permission.READ_ORDERS)
        _check(where)
        return self.reader.count(where, visible=_seen(actor))

    def count_of_customers(
        self, actor: Principal, customer_ids: Collection[str]
    ) -> Mapping[str, int]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.count_of_customers(customer_ids, visible=_seen(actor))

    def of_company(
        self, actor: Principal, company_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> Sequence[OrderView]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.of_company(company_id, before=before, limit=limit, visible=_seen(actor))

    def newest_of_companies(
        self, actor: Principal, company_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[OrderView]]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.newest_of_companies(company_ids, limit, visible=_seen(actor))

    def count_of_companies(
        self, actor: Principal, company_ids: Collection[str]
    ) -> Mapping[str, int]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.count_of_companies(company_ids, visible=_seen(actor))

    def count_of_company(self, actor: Principal, company_id: str) -> int:
        actor.require(Permission.READ_ORDERS)
        return self.reader.count_of_company(company_id, visible=_seen(actor))

    def stats_of_customers(
        self, actor: Principal, customer_ids: Collection[str]
    ) -> Mapping[str, OrderStats]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.stats_of_customers(customer_ids, visible=_seen(actor))

    def stats_of_companies(
        self, actor: Principal, company_ids: Collection[str]
    ) -> Mapping[str, OrderStats]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.stats_of_companies(company_ids, visible=_seen(actor))

    def totals(self, actor: Principal) -> Sequence[CurrencyTotal]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.totals(visible=_seen(actor))
