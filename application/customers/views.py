"""Read models of customers and the ways a list of them can be filtered and ordered."""

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
from domain.custom_fields import CustomValue
from domain.customers import Customer
from domain.customers.customer import display_name, sort_name


@frozen
class CustomerView:
    """A customer as queries return it: plain values, no behaviour."""

    id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    custom_fields: Mapping[str, CustomValue]
    owner_id: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    version: int
    company_id: str | None
    merged_into: str | None = None
    """Set on a merged duplicate: the customer it became part of."""

    @classmethod
    def from_customer(cls, customer: Customer) -> CustomerView:
        return cls(
            id=customer.id,
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email.value if customer.email else None,
            phone=customer.phone.e164 if customer.phone else None,
            custom_fields=dict(customer.custom_fields),
            owner_id=customer.owner_id,
            created_at=customer.created_at,
            updated_at=customer.updated_at,
            archived_at=customer.archived_at,
            version=customer.version,
            company_id=customer.company_id,
            merged_into=customer.merged_into,
        )

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.email, self.phone)


class CustomerOrderField(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"
    EMAIL = "email"

    @property
    def is_time(self) -> bool:
        return self in (CustomerOrderField.CREATED_AT, CustomerOrderField.UPDATED_AT)

    def key_of(self, view: CustomerView) -> SortKey:
        """The sort key of ``view``; every reader adapter orders by exactly this."""
        if self is CustomerOrderField.CREATED_AT:
            return SortKey(view.created_at, view.id)
        if self is CustomerOrderField.UPDATED_AT:
            return SortKey(view.updated_at, view.id)
        if self is CustomerOrderField.NAME:
            return SortKey(sort_name(view.first_name, view.last_name, view.email), view.id)
        return SortKey(view.email or "", view.id)


@frozen
class CustomerOrder(FieldOrCustomFieldOrder[CustomerView]):
    """By a field of every customer, or by a custom field when ``custom_field`` is given."""

    field: CustomerOrderField = CustomerOrderField.CREATED_AT
    descending: bool = False
    custom_field: FieldSort | None = None


@frozen
class CustomerFilter:
    """Conditions that all hold; ``None`` means no condition on that field."""

    search: str | None = attrs.field(default=None, validator=searchable)
    """Part of the name, email or phone, ignoring case; see ``application.search``."""
    email: str | None = None
    owner_ids: frozenset[str] | None = None
    include_archived: bool = False
    created_after: datetime | None = None
    created_before: datetime | None = None
    company_ids: frozenset[str] | None = None
    custom_fields: tuple[FieldCondition, ...] = ()
    tag_ids: frozenset[str] | None = None
    """Customers carrying any of these tags."""
    segment_ids: frozenset[str] | None = None
    """Members of any of these segments, as of their last refresh."""
    lifecycle_stage: StageAt | None = None
    """Customers at this stage of this lifecycle track now."""


@frozen
class StageAt:
    """A stage of one lifecycle track, by their keys."""

    track: str
    stage: str
