"""Customers in the API: the type, its connection, queries and mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.errors import UserError, input_error, invalid_id, query_error, user_errors
from adapters.graphql.relay import (
    MalformedId,
    Node,
    PageInfo,
    invalid_id_error,
    local_id,
    to_global_id,
)
from adapters.graphql.timeline import TimelineConnection, customer_timeline
from adapters.graphql.timeline_kinds import TimelineKind
from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.views import (
    CustomerFilter,
    CustomerOrder,
    CustomerOrderField,
    CustomerView,
)
from application.pagination import Edge, Page, PageRequest
from domain.customers import KEEP
from domain.errors import DomainError, ErrorCode

CUSTOMER = "Customer"


@strawberry.type(name="Customer", description="A person the company has a relationship with.")
class CustomerNode(Node):
    first_name: str
    last_name: str
    display_name: str
    email: str | None
    phone: str | None = strawberry.field(description="E.164, e.g. +14155550123.")
    attributes: JSON
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )
    owner_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: CustomerView) -> CustomerNode:
        return cls(
            id=strawberry.ID(to_global_id(CUSTOMER, view.id)),
            first_name=view.first_name,
            last_name=view.last_name,
            display_name=view.display_name,
            email=view.email,
            phone=view.phone,
            attributes=cast(JSON, view.attributes),
            created_at=view.created_at,
            updated_at=view.updated_at,
            archived_at=view.archived_at,
            version=view.version,
            owner_id=view.owner_id,
        )

    @strawberry.field(description="The user responsible for this customer.")
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.owner_id)

    @strawberry.field(
        description="What happened with this customer, from every module, newest first."
    )
    def timeline(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[TimelineKind] | None = None,  # type: ignore[valid-type]
    ) -> TimelineConnection:
        return customer_timeline(
            info, local_id(self.id, CUSTOMER), first=first, after=after, kinds=kinds
        )


@strawberry.type(name="CustomerEdge")
class CustomerEdge:
    node: CustomerNode
    edge: strawberry.Private[Edge[CustomerView]]

    @strawberry.field(description="Where this customer stands in the list, for after/before.")
    def cursor(self) -> str:
        return self.edge.cursor


@strawberry.type(name="CustomerConnection")
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo
    where: strawberry.Private[CustomerFilter]

    @strawberry.field(description="How many customers match the filter, across all pages.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.list_customers.count(context.principal, self.where)

    @classmethod
    def from_page(cls, page: Page[CustomerView], where: CustomerFilter) -> CustomerConnection:
        return cls(
            edges=[CustomerEdge(node=CustomerNode.from_view(e.node), edge=e) for e in page.edges],
            page_info=PageInfo.from_page(page),  # type: ignore[arg-type]
            where=where,
        )


@strawberry.enum(name="CustomerOrderField")
class CustomerOrderFieldInput(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"
    EMAIL = "email"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(name="CustomerOrder")
class CustomerOrderInput:
    field: CustomerOrderFieldInput = CustomerOrderFieldInput.CREATED_AT
    direction: OrderDirection = OrderDirection.ASC

    def to_order(self) -> CustomerOrder:
        return CustomerOrder(
            CustomerOrderField(self.field.value), descending=self.direction is OrderDirection.DESC
        )


@strawberry.input(name="CustomerFilter", description="Conditions that must all hold.")
class CustomerFilterInput:
    search: str | None = strawberry.field(
        default=None, description="Part of the name, email or phone, ignoring case."
    )
    email: str | None = None
    owner_ids: list[strawberry.ID] | None = None
    include_archived: bool = False
    created_after: datetime | None = None
    created_before: datetime | None = None

    def to_filter(self) -> CustomerFilter:
        try:
            owners = (
                frozenset(local_id(owner, "User") for owner in self.owner_ids)
                if self.owner_ids is not None
                else None
            )
        except MalformedId:
            raise invalid_id_error("filter.ownerIds", "User") from None
        return CustomerFilter(
            search=self.search or None,
            email=self.email,
            owner_ids=owners,
            include_archived=self.include_archived,
            created_after=self.created_after,
            created_before=self.created_before,
        )


def fetch_customer(info: Info, customer_id: str) -> CustomerNode | None:
    """One customer for a top-level field, where there is nothing to batch with."""
    context = info.context
    try:
        view = context.services.get_customers(context.principal, [customer_id]).get(customer_id)
    except DomainError as error:
        raise query_error(error) from None
    return CustomerNode.from_view(view) if view else None


@strawberry.type
class CustomerQuery:
    @strawberry.field(description="One customer by id; null when there is none.")
    def customer(self, info: Info, id: strawberry.ID) -> CustomerNode | None:
        try:
            customer_id = local_id(id, CUSTOMER)
        except MalformedId:
            raise invalid_id_error("id", CUSTOMER) from None
        return fetch_customer(info, customer_id)

    @strawberry.field(description="Customers, a page at a time.")
    def customers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CustomerFilterInput | None = None,
        order_by: CustomerOrderInput | None = None,
    ) -> CustomerConnection:
        where = filter.to_filter() if filter else CustomerFilter()
        order = order_by.to_order() if order_by else CustomerOrder()
        context = info.context
        try:
            page = context.services.list_customers(
                context.principal, where, order, PageRequest(first, after, last, before)
            )
        except DomainError as error:
            raise query_error(error) from None
        return CustomerConnection.from_page(page, where)


@strawberry.input
class CreateCustomerInput:
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="Any common format; without a + it is read in the default region."
    )
    attributes: JSON | None = None
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the acting user."
    )


@strawberry.input
class UpdateCustomerInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you read; a newer one is a conflict.")
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Merged into the current ones; a null value removes a key.",
    )
    owner_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class ArchiveCustomerInput:
    id: strawberry.ID
    version: int | None = None


@strawberry.type
class CreateCustomerPayload:
    customer: CustomerNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateCustomerPayload:
    customer: CustomerNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ArchiveCustomerPayload:
    customer: CustomerNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _keep_unset(value: Any) -> Any:
    return KEEP if value is strawberry.UNSET else value


def _null_fields(input: UpdateCustomerInput) -> list[UserError]:
    return [
        error
        for name, value in (("firstName", input.first_name), ("lastName", input.last_name))
        if value is None
        for error in input_error(
            name, ErrorCode.INVALID, "cannot be null; send an empty string to clear it"
        )
    ]


def _not_an_object(field: str) -> list[UserError]:
    return input_error(field, ErrorCode.INVALID, "must be a JSON object")


@strawberry.type
class CustomerMutation:
    @strawberry.mutation
    def create_customer(self, info: Info, input: CreateCustomerInput) -> CreateCustomerPayload:
        context = info.context
        try:
            owner = local_id(input.owner_id, "User") if input.owner_id else None
        except MalformedId:
            return CreateCustomerPayload(user_errors=invalid_id("ownerId"))
        if input.attributes is not None and not isinstance(input.attributes, dict):
            return CreateCustomerPayload(user_errors=_not_an_object("attributes"))
        new = NewCustomer(
            first_name=input.first_name,
            last_name=input.last_name,
            email=input.email,
            phone=input.phone,
            attributes=input.attributes or {},
            owner_id=owner,
        )
        try:
            view = context.services.create_customer(context.principal, new)
        except DomainError as error:
            return CreateCustomerPayload(user_errors=user_errors(error))
        return CreateCustomerPayload(customer=CustomerNode.from_view(view))

    @strawberry.mutation
    def update_customer(self, info: Info, input: UpdateCustomerInput) -> UpdateCustomerPayload:
        context = info.context
        try:
            customer_id = local_id(input.id, CUSTOMER)
            owner = input.owner_id
            owner_id = (
                KEEP if owner is strawberry.UNSET or owner is None else local_id(owner, "User")
            )
        except MalformedId as error:
            field = "id" if str(error) == input.id else "ownerId"
            return UpdateCustomerPayload(user_errors=invalid_id(field))
        attributes = input.attributes
        if attributes is not strawberry.UNSET and not isinstance(attributes, dict):
            return UpdateCustomerPayload(user_errors=_not_an_object("attributes"))
        if null_errors := _null_fields(input):
            return UpdateCustomerPayload(user_errors=null_errors)
        patch = CustomerPatch(
            customer_id=customer_id,
            expected_version=input.version,
            first_name=_keep_unset(input.first_name),
            last_name=_keep_unset(input.last_name),
            email=_keep_unset(input.email),
            phone=_keep_unset(input.phone),
            attributes=_keep_unset(attributes),
            owner_id=owner_id,
        )
        try:
            view = context.services.update_customer(context.principal, patch)
        except DomainError as error:
            return UpdateCustomerPayload(user_errors=user_errors(error))
        return UpdateCustomerPayload(customer=CustomerNode.from_view(view))

    @strawberry.mutation
    def archive_customer(self, info: Info, input: ArchiveCustomerInput) -> ArchiveCustomerPayload:
        context = info.context
        try:
            customer_id = local_id(input.id, CUSTOMER)
        except MalformedId:
            return ArchiveCustomerPayload(user_errors=invalid_id("id"))
        try:
            view = context.services.archive_customer(context.principal, customer_id, input.version)
        except DomainError as error:
            return ArchiveCustomerPayload(user_errors=user_errors(error))
        return ArchiveCustomerPayload(customer=CustomerNode.from_view(view))
