"""Use cases that read companies."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from application.companies.views import CompanyFilter, CompanyOrder, CompanyView
from application.records import GetRecords, ListGuards, ListRecords
from domain.access.roles import Permission, Resource
from domain.custom_fields import ObjectType


@frozen
class GetCompanies(GetRecords[CompanyView]):
    """Companies by id, for lookups and DataLoaders; unknown ids are simply absent."""

    read_permission: ClassVar[Permission] = Permission.READ_COMPANIES
    resource: ClassVar[Resource] = Resource.COMPANIES


@frozen
class ListCompanies(ListRecords[CompanyFilter, CompanyOrder, CompanyView]):
    read_permission: ClassVar[Permission] = Permission.READ_COMPANIES
    resource: ClassVar[Resource] = Resource.COMPANIES
    object_type: ClassVar[ObjectType] = ObjectType.COMPANY
    guards: ClassVar[ListGuards] = ListGuards(
        Resource.COMPANIES, search=("name", "domain"), conditions={"domain": "domain"}
    )
