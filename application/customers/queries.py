"""Use cases that read customers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial

from attrs import evolve, frozen

from application.custom_fields.criteria import (
    definitions_by_key,
    resolve_conditions,
    resolve_sort,
)
from application.custom_fields.ports import CustomFieldDefinitionReader
from application.customers.ports import CustomerReader
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.pagination import Page, PageRequest, keyset_page
from application.principal import Principal
from domain.access.roles import Permission
from domain.custom_fields import ObjectType


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
    definitions: CustomFieldDefinitionReader

    def __call__(
        self,
        actor: Principal,
        where: CustomerFilter,
        order: CustomerOrder,
        page: PageRequest,
    ) -> Page[CustomerView]:
        actor.require(Permission.READ_CUSTOMERS)
        where, order = self._resolve(where, order)
        return keyset_page(page, order, partial(self.reader.slice, where, order))

    def count(self, actor: Principal, where: CustomerFilter) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        where, _order = self._resolve(where, CustomerOrder())
        return self.reader.count(where)

    def _resolve(
        self, where: CustomerFilter, order: CustomerOrder
    ) -> tuple[CustomerFilter, CustomerOrder]:
        """Give custom field conditions and orders their types; plain lists read nothing."""
        if not where.custom_fields and order.custom_field is None:
            return where, order
        definitions = definitions_by_key(self.definitions.for_object(ObjectType.CUSTOMER))
        conditions = resolve_conditions(where.custom_fields, definitions)
        sort = order.custom_field and resolve_sort(order.custom_field, definitions)
        return evolve(where, custom_fields=conditions), evolve(order, custom_field=sort)
