"""Customers in the API: the type, its connection, queries and mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import CustomFieldCondition, to_conditions
from adapters.graphql.errors import (
    UserError,
    input_error,
    invalid_id,
    not_an_object,
    query_error,
    user_errors,
)
from adapters.graphql.relay import (
    MalformedId,
    Node,
    OrderDirection,
    PageInfo,
    invalid_id_error,
    local_id,
    to_global_id,
)
from adapters.graphql.tags import TAG, TagChangeNode, TagNode, tag_history_of, tags_of_customer
from adapters.graphql.timeline import TimelineConnection, customer_timeline
from adapters.graphql.timeline_kinds import TimelineKind
from application.custom_fields.criteria import FieldSort
from application.customers.bundle import Customers
from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.views import (
    CustomerFilter,
    CustomerOrder,
    CustomerOrderField,
    CustomerView,
)
from application.pagination import Edge, Page, PageRequest
from application.search import SEARCH_RULE
from domain.customers import KEEP
from domain.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from adapters.graphql.companies import CompanyNode
    from adapters.graphql.lifecycle import LifecycleStageNode, StageChangeConnection
    from adapters.graphql.orders import OrderConnection
    from adapters.graphql.segments import Rfm, SegmentNode

CUSTOMER = "Customer"
COMPANY = "Company"


@strawberry.type(name="Customer", description="A person the company has a relationship with.")
class CustomerNode(Node):
    first_name: str
    last_name: str
    display_name: str
    email: str | None
    phone: str | None = strawberry.field(description="E.164, e.g. +14155550123.")
    custom_fields: JSON = strawberry.field(
        description="Values of the custom fields defined for customers, by key."
    )
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )
    owner_id: strawberry.Private[str]
    id_local: strawberry.Private[str]
    company_id: strawberry.Private[str | None]

    @classmethod
    def from_view(cls, view: CustomerView) -> CustomerNode:
        return cls(
            id=strawberry.ID(to_global_id(CUSTOMER, view.id)),
            first_name=view.first_name,
            last_name=view.last_name,
            display_name=view.display_name,
            email=view.email,
            phone=view.phone,
            custom_fields=cast(JSON, view.custom_fields),
            created_at=view.created_at,
            updated_at=view.updated_at,
            archived_at=view.archived_at,
            version=view.version,
            owner_id=view.owner_id,
            id_local=view.id,
            company_id=view.company_id,
        )

    @strawberry.field(description="The user responsible for this customer.")
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.owner_id)

    @strawberry.field(description="What the customer bought, newest first.")
    async def orders(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Annotated[OrderConnection, strawberry.lazy("adapters.graphql.orders")]:
        from adapters.graphql.orders import orders_of

        return await orders_of(info, self.id_local, first, after)

    @strawberry.field(description="The company this customer belongs to, if any.")
    async def company(
        self, info: Info
    ) -> Annotated[CompanyNode, strawberry.lazy("adapters.graphql.companies")] | None:
        # Imported here: the companies module builds on this one (Company.people).
        from adapters.graphql.companies import load_company

        if self.company_id is None:
            return None
        return await load_company(info, self.company_id)

    @strawberry.field(description="The tags the customer carries, by name.")
    async def tags(self, info: Info) -> list[TagNode]:
        return await tags_of_customer(info, self.id_local)

    @strawberry.field(
        description="Tags put on and taken off this customer, newest first (at most 100)."
    )
    def tag_history(self, info: Info, first: int = 20) -> list[TagChangeNode]:
        return tag_history_of(info, self.id_local, first)

    @strawberry.field(
        description="What happened with this customer, from every module, newest first."
    )
    async def timeline(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[TimelineKind] | None = None,  # type: ignore[valid-type]
    ) -> TimelineConnection:
        return await customer_timeline(info, self.id_local, first=first, after=after, kinds=kinds)

    @strawberry.field(description="The customer's stage on each lifecycle track.")
    async def lifecycle(
        self, info: Info
    ) -> list[Annotated[LifecycleStageNode, strawberry.lazy("adapters.graphql.lifecycle")]]:
        from adapters.graphql.lifecycle import stages_of

        return await stages_of(info, self.id_local)

    @strawberry.field(description="The segments the customer is a member of, by name.")
    async def segments(
        self, info: Info
    ) -> list[Annotated[SegmentNode, strawberry.lazy("adapters.graphql.segments")]]:
        from adapters.graphql.segments import segments_of

        return await segments_of(info, self.id_local)

    @strawberry.field(description="RFM scores and class from the latest run; null if unscored.")
    async def rfm(
        self, info: Info
    ) -> Annotated[Rfm, strawberry.lazy("adapters.graphql.segments")] | None:
        from adapters.graphql.segments import rfm_of

        return await rfm_of(info, self.id_local)

    @strawberry.field(description="Every change of the customer's stages, newest first.")
    def stage_history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[StageChangeConnection, strawberry.lazy("adapters.graphql.lifecycle")]:
        from adapters.graphql.lifecycle import stage_history

        return stage_history(info, self.id_local, first=first, after=after)


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
        try:
            return context.services.use(Customers).list.count(context.principal, self.where)
        except DomainError as error:
            raise query_error(error) from None

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


@strawberry.input(name="CustomerOrder")
class CustomerOrderInput:
    field: CustomerOrderFieldInput = CustomerOrderFieldInput.CREATED_AT
    direction: OrderDirection = OrderDirection.ASC
    custom_field: str | None = strawberry.field(
        default=None,
        description="Order by this custom field instead of field; customers without a value "
        "come last in either direction.",
    )

    def to_order(self) -> CustomerOrder:
        return CustomerOrder(
            CustomerOrderField(self.field.value),
            descending=self.direction is OrderDirection.DESC,
            custom_field=FieldSort(self.custom_field) if self.custom_field else None,
        )


@strawberry.input(name="CustomerFilter", description="Conditions that must all hold.")
class CustomerFilterInput:
    search: str | None = strawberry.field(
        default=None,
        description=f"Part of the name, email or phone, ignoring case; {SEARCH_RULE}",
    )
    email: str | None = None
    owner_ids: list[strawberry.ID] | None = None
    include_archived: bool = False
    created_after: datetime | None = None
    created_before: datetime | None = None
    company_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Customers of any of these companies."
    )
    custom_fields: list[CustomFieldCondition] | None = strawberry.field(
        default=None, description="Conditions on custom field values; all must hold."
    )
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Customers carrying any of these tags."
    )

    def to_filter(self) -> CustomerFilter:
        try:
            owners = (
                frozenset(local_id(owner, "User") for owner in self.owner_ids)
                if self.owner_ids is not None
                else None
            )
        except MalformedId:
            raise invalid_id_error("filter.ownerIds", "User") from None
        try:
            companies = (
                frozenset(local_id(company, COMPANY) for company in self.company_ids)
                if self.company_ids is not None
                else None
            )
        except MalformedId:
            raise invalid_id_error("filter.companyIds", COMPANY) from None
        try:
            tags = (
                frozenset(local_id(tag, TAG) for tag in self.tag_ids)
                if self.tag_ids is not None
                else None
            )
        except MalformedId:
            raise invalid_id_error("filter.tagIds", TAG) from None
        return CustomerFilter(
            search=self.search or None,
            email=self.email,
            owner_ids=owners,
            include_archived=self.include_archived,
            created_after=self.created_after,
            created_before=self.created_before,
            company_ids=companies,
            custom_fields=to_conditions(self.custom_fields),
            tag_ids=tags,
        )


MAX_MERGE_HOPS = 8


def fetch_customer(info: Info, customer_id: str) -> CustomerNode | None:
    """One customer for a top-level field; a merged id resolves to the customer it became."""
    context = info.context
    try:
        view = (
            context.services.use(Customers).get(context.principal, [customer_id]).get(customer_id)
        )
        hops = 0
        while view is not None and view.merged_into is not None and hops < MAX_MERGE_HOPS:
            view = (
                context.services.use(Customers)
                .get(context.principal, [view.merged_into])
                .get(view.merged_into)
            )
            hops += 1
    except DomainError as error:
        raise query_error(error) from None
    return CustomerNode.from_view(view) if view else None


async def load_customer(info: Info, customer_id: str) -> CustomerNode | None:
    """One customer through the request's DataLoader, for relations of listed objects."""
    view = await info.context.loaders.customers.load(customer_id)
    if view is not None and view.merged_into is not None:
        return fetch_customer(info, view.merged_into)
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
        order = order_by.to_order() if order_by else CustomerOrder()
        context = info.context
        try:
            where = filter.to_filter() if filter else CustomerFilter()
            page = context.services.use(Customers).list(
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
    custom_fields: JSON | None = strawberry.field(
        default=None, description="Values of defined custom fields, by key."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the acting user."
    )
    company_id: strawberry.ID | None = None


@strawberry.input
class UpdateCustomerInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you read; a newer one is a conflict.")
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    custom_fields: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Merged into the current values; a null value removes a key.",
    )
    owner_id: strawberry.ID | None = strawberry.UNSET
    company_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="null takes the customer out of its company."
    )


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


@strawberry.type
class CustomerMutation:
    @strawberry.mutation
    def create_customer(self, info: Info, input: CreateCustomerInput) -> CreateCustomerPayload:
        context = info.context
        try:
            owner = local_id(input.owner_id, "User") if input.owner_id else None
        except MalformedId:
            return CreateCustomerPayload(user_errors=invalid_id("ownerId"))
        try:
            company = local_id(input.company_id, COMPANY) if input.company_id else None
        except MalformedId:
            return CreateCustomerPayload(user_errors=invalid_id("companyId"))
        if input.custom_fields is not None and not isinstance(input.custom_fields, dict):
            return CreateCustomerPayload(user_errors=not_an_object("customFields"))
        new = NewCustomer(
            first_name=input.first_name,
            last_name=input.last_name,
            email=input.email,
            phone=input.phone,
            custom_fields=input.custom_fields or {},
            owner_id=owner,
            company_id=company,
        )
        try:
            view = context.services.use(Customers).create(context.principal, new)
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
        try:
            company = input.company_id
            company_id = (
                company
                if company is strawberry.UNSET or company is None
                else local_id(company, COMPANY)
            )
        except MalformedId:
            return UpdateCustomerPayload(user_errors=invalid_id("companyId"))
        custom_fields = input.custom_fields
        if custom_fields is not strawberry.UNSET and not isinstance(custom_fields, dict):
            return UpdateCustomerPayload(user_errors=not_an_object("customFields"))
        if null_errors := _null_fields(input):
            return UpdateCustomerPayload(user_errors=null_errors)
        patch = CustomerPatch(
            customer_id=customer_id,
            expected_version=input.version,
            first_name=_keep_unset(input.first_name),
            last_name=_keep_unset(input.last_name),
            email=_keep_unset(input.email),
            phone=_keep_unset(input.phone),
            custom_fields=_keep_unset(custom_fields),
            owner_id=owner_id,
            company_id=_keep_unset(company_id),
        )
        try:
            view = context.services.use(Customers).update(context.principal, patch)
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
            view = context.services.use(Customers).archive(
                context.principal, customer_id, input.version
            )
        except DomainError as error:
            return ArchiveCustomerPayload(user_errors=user_errors(error))
        return ArchiveCustomerPayload(customer=CustomerNode.from_view(view))
