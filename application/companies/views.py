"""Read models of companies and the ways a list of them can be filtered and ordered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

import attrs
from attrs import frozen

from application.custom_fields.criteria import FieldCondition, FieldSort
from application.pagination import SortKey
from application.records import FieldOrCustomFieldOrder
from application.search import searchable
from domain.companies import Address, Company, CompanySize
from domain.companies.company import company_sort_name
from domain.custom_fields import CustomValue


@frozen
class CompanyView:
    """A company as queries return it: plain values, no behaviour."""

    id: str
    name: str
    domain: str | None
    industry: str | None
    size: CompanySize | None
    address: Address | None
    custom_fields: Mapping[str, CustomValue]
    owner_id: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    version: int

    @classmethod
    def from_company(cls, company: Company) -> CompanyView:
        return cls(
            id=company.id,
            name=company.name,
            domain=company.domain,
            industry=company.industry,
            size=company.size,
            address=company.address,
            custom_fields=dict(company.custom_fields),
            owner_id=company.owner_id,
            created_at=company.created_at,
            updated_at=company.updated_at,
            archived_at=company.archived_at,
            version=company.version,
        )


class CompanyOrderField(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"

    @property
    def is_time(self) -> bool:
        return self is not CompanyOrderField.NAME

    def key_of(self, view: CompanyView) -> SortKey:
        """The sort key of ``view``; every reader adapter orders by exactly this."""
        if self is CompanyOrderField.CREATED_AT:
            return SortKey(view.created_at, view.id)
        if self is CompanyOrderField.UPDATED_AT:
            return SortKey(view.updated_at, view.id)
        return SortKey(company_sort_name(view.name), view.id)


@frozen
class CompanyOrder(FieldOrCustomFieldOrder[CompanyView]):
    """By a field of every company, or by a custom field when ``custom_field`` is given."""

    field: CompanyOrderField = CompanyOrderField.CREATED_AT
    descending: bool = False
    custom_field: FieldSort | None = None


@frozen
class CompanyFilter:
    """Conditions that all hold; ``None`` means no condition on that field."""

    search: str | None = attrs.field(default=None, validator=searchable)
    """Part of the name or domain, ignoring case; see ``application.search``."""
    domain: str | None = None
    owner_ids: frozenset[str] | None = None
    sizes: frozenset[CompanySize] | None = None
    include_archived: bool = False
    custom_fields: tuple[FieldCondition, ...] = ()
