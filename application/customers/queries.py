"""Use cases that read customers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from attrs import frozen

from application.customers.ports import CustomerReader
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.pagination import Page, PageRequest, build_page, decode_cursor, encode_cursor
from application.principal import Principal
from domain.access.roles import Permission


@frozen
class GetCustomers:
    """Customers by id, for lookups and DataLoaders; unknown ids are simply absent."""

    reader: CustomerReader

    def __call__(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, CustomerView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids)

    def external_ids(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, Sequence[str]]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.external_ids_of(ids)


@frozen
class ListCustomers:
    reader: CustomerReader

    def __call__(
        self,
        actor: Principal,
        where: CustomerFilter,
        order: CustomerOrder,
        page: PageRequest,
    ) -> Page[CustomerView]:
        actor.require(Permission.READ_CUSTOMERS)
        size = page.size
        is_time = order.field.is_time
        after = page.after and decode_cursor(page.after, order.name, field="after", is_time=is_time)
        before = page.before and decode_cursor(
            page.before, order.name, field="before", is_time=is_time
        )
        fetched = self.reader.slice(
            where,
            order,
            after=after or None,
            before=before or None,
            limit=size + 1,
            from_end=page.from_end,
        )
        return build_page(
            page, fetched, size, lambda view: encode_cursor(order.name, order.field.key_of(view))
        )

    def count(self, actor: Principal, where: CustomerFilter) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(where)
