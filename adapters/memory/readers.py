"""Read-side queries over the in-memory store's committed state."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.memory.querying import walk
from adapters.memory.record_readers import InMemoryRecordReader
from adapters.memory.store import InMemoryStore
from application.access.ports import UserView
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.orders.views import (
    CurrencyTotal,
    OrderFacts,
    OrderFilter,
    OrderSort,
    OrderStats,
    OrderView,
    order_stats,
)
from application.pagination import SortKey
from domain.access.visibility import Visibility
from domain.customers import Customer
from domain.customers.customer import search_text
from domain.customers.matching import email_key
from domain.orders import Order, OrderStatus


class InMemoryCustomerReader(InMemoryRecordReader[Customer, CustomerFilter, CustomerView]):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store.customers, CustomerView.from_customer, _search_text)
        self._store = store

    def ids_matching(self, where: CustomerFilter, *, visible: Visibility) -> set[str]:
        return {view.id for view in self._matching(where, visible)}

    def duplicate_pairs(self, *, visible: Visibility) -> Sequence[tuple[str, str, str]]:
        active = sorted(
            (
                c
                for c in self._store.customers.values()
                if not c.is_archived and visible.admits(c.owner_id, c.id)
            ),
            key=lambda c: c.id,
        )
        pairs: list[tuple[str, str, str]] = []
        for reason, key in (
            ("email", lambda c: email_key(c.email)),
            ("phone", lambda c: c.phone.e164 if c.phone else None),
        ):
            groups: dict[str, list[str]] = {}
            for customer in active:
                value = key(customer)
                if value is not None:
                    groups.setdefault(value, []).append(customer.id)
            pairs.extend(
                (a, b, reason)
                for ids in groups.values()
                for i, a in enumerate(ids)
                for b in ids[i + 1 :]
            )
        return pairs

    def external_ids_of(
        self, ids: Iterable[str], *, visible: Visibility
    ) -> Mapping[str, Sequence[str]]:
        customers = self._store.customers
        return {
            cid: sorted(str(i) for i in customers[cid].external_ids)
            for cid in ids
            if cid in customers
            and customers[cid].external_ids
            and visible.admits(customers[cid].owner_id, cid)
        }

    def first_of_companies(
        self, company_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[CustomerView]]:
        groups = self._by_company(company_ids, visible)
        order = CustomerOrder()
        return {
            company_id: walk(
                views,
                order.key_of,
                descending=order.descending,
                after=None,
                before=None,
                limit=limit,
                from_end=False,
            )
            for company_id, views in groups.items()
        }

    def count_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        return {
            company_id: len(views)
            for company_id, views in self._by_company(company_ids, visible).items()
        }

    def _by_company(
        self, company_ids: Collection[str], visible: Visibility
    ) -> dict[str, list[CustomerView]]:
        groups: dict[str, list[CustomerView]] = {company_id: [] for company_id in company_ids}
        for view in self._matching(CustomerFilter(company_ids=frozenset(groups)), visible):
            groups[view.company_id or ""].append(view)
        return groups

    def _filter(self, where: CustomerFilter) -> Callable[[Customer], bool]:
        email = where.email.strip().lower() if where.email else None
        tagged: dict[str, set[str]] = {}
        if where.tag_ids is not None:
            for customer_id, tag_id in self._store.customer_tags:
                tagged.setdefault(customer_id, set()).add(tag_id)

        members: set[str] = set()
        for segment_id in where.segment_ids or ():
            members |= self._store.segment_members.get(segment_id, set())
        stage = where.lifecycle_stage

        def passes(customer: Customer) -> bool:
            if where.segment_ids is not None and customer.id not in members:
                return False
            if stage is not None:
                current = self._store.customer_stages.get(customer.id, {}).get(stage.track)
                if current is None or current.stage != stage.stage:
                    return False
            if email is not None and (customer.email is None or customer.email.value != email):
                return False
            if where.created_after is not None and customer.created_at < where.created_after:
                return False
            if where.created_before is not None and customer.created_at >= where.created_before:
                return False
            if where.company_ids is not None and customer.company_id not in where.company_ids:
                return False
            return where.tag_ids is None or bool(tagged.get(customer.id, set()) & where.tag_ids)

        return passes


def _search_text(customer: Customer) -> str:
    return search_text(
        customer.first_name,
        customer.last_name,
        customer.email.value if customer.email else None,
        customer.phone.e164 if customer.phone else None,
    )


class InMemoryUserReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str]) -> Mapping[str, UserView]:
        users = self._store.users
        return {uid: UserView.from_user(users[uid]) for uid in ids if uid in users}


class InMemoryOrderReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, OrderView]:
        orders = self._store.orders
        return {
            oid: OrderView.from_order(orders[oid])
            for oid in ids
            if oid in orders and self._seen(orders[oid], visible)
        }

    def _seen(self, order: Order, visible: Visibility) -> bool:
        """Orders follow their customer's visibility."""
        customer = self._store.customers.get(order.customer_id)
        return visible.admits(customer.owner_id if customer else None, order.customer_id)

    def _visible_orders(self, visible: Visibility) -> list[Order]:
        return [o for o in self._store.orders.values() if self._seen(o, visible)]

    def of_customer(
        self,
        customer_id: str,
        *,
        before: tuple[datetime, str] | None,
        limit: int,
        visible: Visibility,
    ) -> Sequence[OrderView]:
        mine = sorted(
            (o for o in self._visible_orders(visible) if o.customer_id == customer_id),
            key=lambda o: (o.placed_at, o.id),
            reverse=True,
        )
        if before is not None:
            mine = [o for o in mine if (o.placed_at, o.id) < before]
        return [OrderView.from_order(o) for o in mine[:limit]]

    def newest_of_customers(
        self, customer_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[OrderView]]:
        return {
            cid: self.of_customer(cid, before=None, limit=limit, visible=visible)
            for cid in customer_ids
        }

    def of_company(
        self,
        company_id: str,
        *,
        before: tuple[datetime, str] | None,
        limit: int,
        visible: Visibility,
    ) -> Sequence[OrderView]:
        mine = sorted(
            (
                o
                for o in self._visible_orders(visible)
                if self._company_of(o.customer_id) == company_id
            ),
            key=lambda o: (o.placed_at, o.id),
            reverse=True,
        )
        if before is not None:
            mine = [o for o in mine if (o.placed_at, o.id) < before]
        return [OrderView.from_order(o) for o in mine[:limit]]

    def _matching(self, where: OrderFilter, visible: Visibility) -> list[OrderView]:
        return [
            view
            for view in map(OrderView.from_order, self._visible_orders(visible))
            if where.matches(view, self._company_of(view.customer_id))
        ]

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
        return walk(
            self._matching(where, visible),
            order.key_of,
            descending=order.descending,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def count(self, where: OrderFilter, *, visible: Visibility) -> int:
        return len(self._matching(where, visible))

    def newest_of_companies(
        self, company_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[OrderView]]:
        return {
            cid: self.of_company(cid, before=None, limit=limit, visible=visible)
            for cid in company_ids
        }

    def count_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        return {cid: self.count_of_company(cid, visible=visible) for cid in company_ids}

    def count_of_company(self, company_id: str, *, visible: Visibility) -> int:
        return sum(
            1
            for o in self._visible_orders(visible)
            if self._company_of(o.customer_id) == company_id
        )

    def _company_of(self, customer_id: str) -> str | None:
        customer = self._store.customers.get(customer_id)
        return customer.company_id if customer else None

    def count_of_customers(
        self, customer_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        wanted = set(customer_ids)
        counts = dict.fromkeys(wanted, 0)
        for order in self._visible_orders(visible):
            if order.customer_id in wanted:
                counts[order.customer_id] += 1
        return counts

    def order_facts(self, *, after_customer: str | None, limit: int) -> Sequence[OrderFacts]:
        facts: dict[str, OrderFacts] = {}
        for order in self._store.orders.values():
            if after_customer is not None and order.customer_id <= after_customer:
                continue
            known = facts.get(order.customer_id) or OrderFacts(order.customer_id, None, False)
            last = known.last_order_at
            if order.status is not OrderStatus.CANCELLED and (
                last is None or order.placed_at > last
            ):
                last = order.placed_at
            paid = known.has_paid_order or order.status in (OrderStatus.PAID, OrderStatus.REFUNDED)
            facts[order.customer_id] = OrderFacts(order.customer_id, last, paid)
        return [facts[customer_id] for customer_id in sorted(facts)[:limit]]

    def _stats(
        self, owner_of: Callable[[Order], str | None], ids: Collection[str], visible: Visibility
    ) -> Mapping[str, OrderStats]:
        wanted = set(ids)
        groups: dict[tuple[str, str], list[Any]] = {}
        for order in self._visible_orders(visible):
            owner = owner_of(order)
            if owner not in wanted or owner is None:
                continue
            group = groups.setdefault((owner, order.currency.code), [0, None, None, 0, Decimal(0)])
            if order.status is not OrderStatus.CANCELLED:
                group[0] += 1
                group[1] = order.placed_at if group[1] is None else min(group[1], order.placed_at)
                group[2] = order.placed_at if group[2] is None else max(group[2], order.placed_at)
            if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
                group[3] += 1
                group[4] += order.total.amount - order.refunded.amount
        rows: dict[str, list[Any]] = {}
        for (owner, code), group in groups.items():
            rows.setdefault(owner, []).append((code, *group))
        return {owner: order_stats(rows.get(owner, ())) for owner in ids}

    def stats_of_customers(
        self, customer_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, OrderStats]:
        return self._stats(lambda order: order.customer_id, customer_ids, visible)

    def stats_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, OrderStats]:
        return self._stats(lambda order: self._company_of(order.customer_id), company_ids, visible)

    def totals(self, *, visible: Visibility) -> Sequence[CurrencyTotal]:
        sums: dict[str, list[Any]] = {}
        for order in self._visible_orders(visible):
            entry = sums.setdefault(order.currency.code, [0, Decimal(0), Decimal(0)])
            entry[0] += 1
            entry[1] += order.total.amount
            entry[2] += order.refunded.amount
        return [CurrencyTotal(code, *entry) for code, entry in sorted(sums.items())]
