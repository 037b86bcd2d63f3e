"""Use cases that read customers."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import ClassVar

from attrs import frozen

from application.customers.ports import CustomerReader
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.pagination import Page, PageRequest, build_page, encode_cursor
from application.principal import Principal
from application.records import GetRecords, ListGuards, ListRecords
from domain.access.roles import Permission, Resource
from domain.custom_fields import ObjectType


@frozen
class GetCustomers(GetRecords[CustomerView]):
    """Customers by id, for lookups and DataLoaders; unknown ids are simply absent."""

    reader: CustomerReader
    read_permission: ClassVar[Permission] = Permission.READ_CUSTOMERS
    resource: ClassVar[Resource] = Resource.CUSTOMERS

    def external_ids(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, Sequence[str]]:
        actor.require(self.read_permission)
        visible = actor.visibility(Resource.CUSTOMERS)
        return self.reader.external_ids_of(ids, visible=visible)

    def first_pages_of_companies(
        self, actor: Principal, company_ids: Collection[str], first: int | None
    ) -> Mapping[str, Page[CustomerView]]:
        """The first page of each company's active customers, oldest first (the page
        ``ListCustomers`` gives for ``CustomerFilter(company_ids={id})`` and
        ``CustomerOrder()``), for many companies in one query."""
        actor.require(self.read_permission)
        request = PageRequest(first=first)
        size = request.size
        order = CustomerOrder()
        fetched = self.reader.first_of_companies(
            company_ids, size + 1, visible=actor.visibility(Resource.CUSTOMERS)
        )

        def cursor_of(view: CustomerView) -> str:
            return encode_cursor(order.name, order.key_of(view))

        return {
            company_id: build_page(request, fetched.get(company_id, ()), size, cursor_of)
            for company_id in company_ids
        }

    def count_of_companies(
        self, actor: Principal, company_ids: Collection[str]
    ) -> Mapping[str, int]:
        """How many active customers each company has that the actor may see, in one query."""
        actor.require(self.read_permission)
        return self.reader.count_of_companies(
            company_ids, visible=actor.visibility(Resource.CUSTOMERS)
        )


@frozen
class ListCustomers(ListRecords[CustomerFilter, CustomerOrder, CustomerView]):
    read_permission: ClassVar[Permission] = Permission.READ_CUSTOMERS
    resource: ClassVar[Resource] = Resource.CUSTOMERS
    object_type: ClassVar[ObjectType] = ObjectType.CUSTOMER
    # A name sort falls back on the email for customers without a name.
    guards: ClassVar[ListGuards] = ListGuards(
        Resource.CUSTOMERS,
        search=("first_name", "last_name", "email", "phone"),
        conditions={"email": "email"},
        orders={"name": ("first_name", "last_name", "email")},
    )
