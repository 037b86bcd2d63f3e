"""Use cases that read companies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial

from attrs import evolve, frozen

from application.companies.ports import CompanyReader
from application.companies.views import CompanyFilter, CompanyOrder, CompanyView
from application.custom_fields.criteria import (
    definitions_by_key,
    resolve_conditions,
    resolve_sort,
)
from application.custom_fields.ports import CustomFieldDefinitionReader
from application.pagination import Page, PageRequest, keyset_page
from application.principal import Principal
from domain.access.roles import Permission
from domain.custom_fields import ObjectType


@frozen
class GetCompanies:
    """Companies by id, for lookups and DataLoaders; unknown ids are simply absent."""

    reader: CompanyReader

    def __call__(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, CompanyView]:
        actor.require(Permission.READ_COMPANIES)
        return self.reader.get_many(ids)


@frozen
class ListCompanies:
    reader: CompanyReader
    definitions: CustomFieldDefinitionReader

    def __call__(
        self, actor: Principal, where: CompanyFilter, order: CompanyOrder, page: PageRequest
    ) -> Page[CompanyView]:
        actor.require(Permission.READ_COMPANIES)
        where, order = self._resolve(where, order)
        return keyset_page(page, order, partial(self.reader.slice, where, order))

    def count(self, actor: Principal, where: CompanyFilter) -> int:
        actor.require(Permission.READ_COMPANIES)
        where, _order = self._resolve(where, CompanyOrder())
        return self.reader.count(where)

    def _resolve(
        self, where: CompanyFilter, order: CompanyOrder
    ) -> tuple[CompanyFilter, CompanyOrder]:
        if not where.custom_fields and order.custom_field is None:
            return where, order
        definitions = definitions_by_key(self.definitions.for_object(ObjectType.COMPANY))
        conditions = resolve_conditions(where.custom_fields, definitions)
        sort = order.custom_field and resolve_sort(order.custom_field, definitions)
        return evolve(where, custom_fields=conditions), evolve(order, custom_field=sort)
