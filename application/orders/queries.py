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
from domain.access.roles import Permission
from domain.errors import ErrorCode


def _check(where: OrderFilter) -> None:
    for name, moment in (
        ("placedAfter", where.placed_after),
        ("placedBefore", where.placed_before),
    ):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"filter.{name}", ErrorCode.INVALID, "must include a time zone")


@frozen
class ReadOrders:
    """Every read of orders, each checked against the actor's permissions."""

    reader: OrderReader

    def get_many(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, OrderView]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.get_many(ids)

    def of_customer(
        self, actor: Principal, customer_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> Sequence[OrderView]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.of_customer(customer_id, before=before, limit=limit)

    def newest_of_customers(
        self, actor: Principal, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[OrderView]]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.newest_of_customers(customer_ids, limit)

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
                where, order, after=after, before=before, limit=limit, from_end=from_end
            ),
        )

    def count(self, actor: Principal, where: OrderFilter) -> int:
        actor.require(Permission.READ_ORDERS)
        _check(where)
        return self.reader.count(where)

    def count_of_customers(
        self, actor: Principal, customer_ids: Collection[str]
    ) -> Mapping[str, int]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.count_of_customers(customer_ids)

    def of_company(
        self, actor: Principal, company_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> Sequence[OrderView]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.of_company(company_id, before=before, limit=limit)

    def newest_of_companies(
        self, actor: Principal, company_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[OrderView]]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.newest_of_companies(company_ids, limit)

    def count_of_companies(
        self, actor: Principal, company_ids: Collection[str]
    ) -> Mapping[str, int]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.count_of_companies(company_ids)

    def count_of_company(self, actor: Principal, company_id: str) -> int:
        actor.require(Permission.READ_ORDERS)
        return self.reader.count_of_company(company_id)

    def stats_of_customers(
        self, actor: Principal, customer_ids: Collection[str]
    ) -> Mapping[str, OrderStats]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.stats_of_customers(customer_ids)

    def stats_of_companies(
        self, actor: Principal, company_ids: Collection[str]
    ) -> Mapping[str, OrderStats]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.stats_of_companies(company_ids)

    def totals(self, actor: Principal) -> Sequence[CurrencyTotal]:
        actor.require(Permission.READ_ORDERS)
        return self.reader.totals()
