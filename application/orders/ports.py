"""What the order use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from application.orders.views import (
    CurrencyTotal,
    OrderFacts,
    OrderFilter,
    OrderSort,
    OrderStats,
    OrderView,
)
from application.pagination import SortKey
from domain.access.visibility import Visibility
from domain.orders import Order


class OrderRepository(Protocol):
    def add(self, order: Order) -> None: ...

    def add_many(self, orders: Sequence[Order]) -> None:
        """Store new orders in bulk; the caller has checked them already."""
        ...

    def get(self, order_id: str) -> Order | None: ...

    def external_ids_in_use(self, external_ids: Collection[str]) -> set[str]: ...

    def reassign(self, from_customer_ids: Collection[str], to_customer_id: str) -> int:
        """Move every order of some customers to another (a merge); returns how many moved."""
        ...


class OrderReader(Protocol):
    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, OrderView]:
        """Orders by id, of customers ``visible`` admits: orders follow their customer."""
        ...

    def of_customer(
        self,
        customer_id: str,
        *,
        before: tuple[datetime, str] | None,
        limit: int,
        visible: Visibility,
    ) -> Sequence[OrderView]:
        """Newest first, strictly before ``(placed_at, id)`` when given."""
        ...

    def newest_of_customers(
        self, customer_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[OrderView]]:
        """The ``limit`` newest orders of each customer, in one query for all of them."""
        ...

    def count_of_customers(
        self, customer_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]: ...

    def slice(
        self,
        where: OrderFilter,
        order: OrderSort,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[OrderView]:
        """Up to ``limit`` orders matching ``where`` strictly between the keys, in ``order``
        (walked from its end when ``from_end``)."""
        ...

    def count(self, where: OrderFilter, *, visible: Visibility) -> int: ...

    def of_company(
        self,
        company_id: str,
        *,
        before: tuple[datetime, str] | None,
        limit: int,
        visible: Visibility,
    ) -> Sequence[OrderView]:
        """Orders of the company's people, newest first, strictly before ``(placed_at, id)``."""
        ...

    def count_of_company(self, company_id: str, *, visible: Visibility) -> int: ...

    def newest_of_companies(
        self, company_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[OrderView]]:
        """The ``limit`` newest orders of each company's people, in one query for all."""
        ...

    def count_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]: ...

    def stats_of_customers(
        self, customer_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, OrderStats]:
        """Each customer's order summary, in one query for all of them; an empty summary
        for a customer without orders."""
        ...

    def stats_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, OrderStats]:
        """The order summary of each company's people together, in one query."""
        ...

    def totals(self, *, visible: Visibility) -> Sequence[CurrencyTotal]:
        """Every visible order, summed per currency."""
        ...

    def order_facts(self, *, after_customer: str | None, limit: int) -> Sequence[OrderFacts]:
        """Per customer with orders, ordered by customer id (by code point), strictly after
        ``after_customer``: one query per page, for the lifecycle sweep."""
        ...
