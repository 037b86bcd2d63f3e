"""Use cases that read customers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from attrs import frozen

from application.customers.ports import CustomerReader
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.principal import Principal
from application.records import GetRecords, ListRecords
from domain.access.roles import Permission
from domain.custom_fields import ObjectType


@frozen
class GetCustomers(GetRecords[CustomerView]):
    """Customers by id, for lookups and DataLoaders; unknown ids are simply absent."""

    reader: CustomerReader
    read_permission: ClassVar[Permission] = Permission.READ_CUSTOMERS

    def external_ids(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, Sequence[str]]:
        actor.require(self.read_permission)
        return self.reader.external_ids_of(ids)


@frozen
class ListCustomers(ListRecords[CustomerFilter, CustomerOrder, CustomerView]):
    read_permission: ClassVar[Permission] = Permission.READ_CUSTOMERS
    object_type: ClassVar[ObjectType] = ObjectType.CUSTOMER
