"""Companies in the API: the type, its people, its connection, queries and mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import CustomFieldCondition, enum_value, to_conditions
from adapters.graphql.customers import COMPANY, CustomerConnection
from adapters.graphql.errors import UserError, input_error, invalid_id, query_error, user_errors
from adapters.graphql.relay import (
    MalformedId,
    Node,
    OrderDirection,
    PageInfo,
    invalid_id_error,
    local_id,
    to_global_id,
)
from application.companies.commands import CompanyPatch, NewCompany
from application.companies.views import (
    CompanyFilter,
    CompanyOrder,
    CompanyOrderField,
    CompanyView,
)
from application.custom_fields.criteria import FieldSort
from application.customers.views import CustomerFilter, CustomerOrder
from application.pagination import Edge, Page, PageRequest
from domain.changes import KEEP
from domain.companies import Address, CompanySize
from domain.errors import DomainError, ErrorCode, InvalidValue

_sizes: type[Enum] = Enum(  # type: ignore[misc]
    "CompanySize", {size.name: size.value for size in CompanySize}
)
CompanySizeBand = strawberry.enum(
    _sizes, description="How many people a company employs: 1-10, 11-50, ..., over 10,000."
)


@strawberry.type(name="Address", description="A postal address.")
class AddressNode:
    street: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2, e.g. GB.")

    @classmethod
    def from_address(cls, address: Address) -> AddressNode:
        return cls(
            street=address.street,
            city=address.city,
            region=address.region,
            postal_code=address.postal_code,
            country=address.country,
        )


@strawberry.type(name="Company", description="An organisation that customers belong to.")
class CompanyNode(Node):
    name: str
    domain: str | None = strawberry.field(description="Lower-case host name, e.g. acme.com.")
    industry: str | None
    size: CompanySizeBand | None  # type: ignore[valid-type]
    address: AddressNode | None
    custom_fields: JSON = strawberry.field(
        description="Values of the custom fields defined for companies, by key."
    )
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )
    owner_id: strawberry.Private[str]
    local_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: CompanyView) -> CompanyNode:
        return cls(
            id=strawberry.ID(to_global_id(COMPANY, view.id)),
            name=view.name,
            domain=view.domain,
            industry=view.industry,
            size=CompanySizeBand[view.size.name] if view.size else None,
            address=AddressNode.from_address(view.address) if view.address else None,
            custom_fields=cast(JSON, view.custom_fields),
            created_at=view.created_at,
            updated_at=view.updated_at,
            archived_at=view.archived_at,
            version=view.version,
            owner_id=view.owner_id,
            local_id=view.id,
        )

    @strawberry.field(description="The user responsible for this company.")
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.owner_id)

    @strawberry.field(description="The customers who belong to this company, oldest first.")
    def people(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CustomerConnection:
        where = CustomerFilter(company_ids=frozenset({self.local_id}))
        context = info.context
        try:
            page = context.services.list_customers(
                context.principal, where, CustomerOrder(), PageRequest(first, after, last, before)
            )
        except DomainError as error:
            raise query_error(error) from None
        return CustomerConnection.from_page(page, where)


async def load_company(info: Info, company_id: str) -> CompanyNode | None:
    view = await info.context.loaders.companies.load(company_id)
    return CompanyNode.from_view(view) if view else None


@strawberry.type(name="CompanyEdge")
class CompanyEdge:
    node: CompanyNode
    edge: strawberry.Private[Edge[CompanyView]]

    @strawberry.field(description="Where this company stands in the list, for after/before.")
    def cursor(self) -> str:
        return self.edge.cursor


@strawberry.type(name="CompanyConnection")
class CompanyConnection:
    edges: list[CompanyEdge]
    page_info: PageInfo
    where: strawberry.Private[CompanyFilter]

    @strawberry.field(description="How many companies match the filter, across all pages.")
    def total_count(self, info: Info) -> int:
        context = info.context
        try:
            return context.services.list_companies.count(context.principal, self.where)
        except DomainError as error:
            raise query_error(error) from None

    @classmethod
    def from_page(cls, page: Page[CompanyView], where: CompanyFilter) -> CompanyConnection:
        return cls(
            edges=[CompanyEdge(node=CompanyNode.from_view(e.node), edge=e) for e in page.edges],
            page_info=PageInfo.from_page(page),  # type: ignore[arg-type]
            where=where,
        )


@strawberry.enum(name="CompanyOrderField")
class CompanyOrderFieldInput(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"


@strawberry.input(name="CompanyOrder")
class CompanyOrderInput:
    field: CompanyOrderFieldInput = CompanyOrderFieldInput.CREATED_AT
    direction: OrderDirection = OrderDirection.ASC
    custom_field: str | None = strawberry.field(
        default=None,
        description="Order by this custom field instead of field; companies without a value "
        "come last in either direction.",
    )

    def to_order(self) -> CompanyOrder:
        return CompanyOrder(
            CompanyOrderField(self.field.value),
            descending=self.direction is OrderDirection.DESC,
            custom_field=FieldSort(self.custom_field) if self.custom_field else None,
        )


@strawberry.input(name="CompanyFilter", description="Conditions that must all hold.")
class CompanyFilterInput:
    search: str | None = strawberry.field(
        default=None, description="Part of the name or domain, ignoring case."
    )
    domain: str | None = None
    owner_ids: list[strawberry.ID] | None = None
    sizes: list[CompanySizeBand] | None = None  # type: ignore[valid-type]
    include_archived: bool = False
    custom_fields: list[CustomFieldCondition] | None = strawberry.field(
        default=None, description="Conditions on custom field values; all must hold."
    )

    def to_filter(self) -> CompanyFilter:
        try:
            owners = (
                frozenset(local_id(owner, "User") for owner in self.owner_ids)
                if self.owner_ids is not None
                else None
            )
        except MalformedId:
            raise invalid_id_error("filter.ownerIds", "User") from None
        return CompanyFilter(
            search=self.search or None,
            domain=self.domain,
            owner_ids=owners,
            sizes=frozenset(CompanySize(enum_value(s)) for s in self.sizes)
            if self.sizes is not None
            else None,
            include_archived=self.include_archived,
            custom_fields=to_conditions(self.custom_fields),
        )


def fetch_company(info: Info, company_id: str) -> CompanyNode | None:
    """One company for a top-level field, where there is nothing to batch with."""
    context = info.context
    try:
        view = context.services.get_companies(context.principal, [company_id]).get(company_id)
    except DomainError as error:
        raise query_error(error) from None
    return CompanyNode.from_view(view) if view else None


@strawberry.type
class CompanyQuery:
    @strawberry.field(description="One company by id; null when there is none.")
    def company(self, info: Info, id: strawberry.ID) -> CompanyNode | None:
        try:
            company_id = local_id(id, COMPANY)
        except MalformedId:
            raise invalid_id_error("id", COMPANY) from None
        return fetch_company(info, company_id)

    @strawberry.field(description="Companies, a page at a time.")
    def companies(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CompanyFilterInput | None = None,
        order_by: CompanyOrderInput | None = None,
    ) -> CompanyConnection:
        where = filter.to_filter() if filter else CompanyFilter()
        order = order_by.to_order() if order_by else CompanyOrder()
        context = info.context
        try:
            page = context.services.list_companies(
                context.principal, where, order, PageRequest(first, after, last, before)
            )
        except DomainError as error:
            raise query_error(error) from None
        return CompanyConnection.from_page(page, where)


@strawberry.input
class AddressInput:
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")

    def to_address(self) -> Address:
        return Address.parse(
            street=self.street,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
        )


@strawberry.input
class CreateCompanyInput:
    name: str
    domain: str | None = strawberry.field(
        default=None, description="A host name or URL; stored as the lower-case host name."
    )
    industry: str | None = None
    size: CompanySizeBand | None = None  # type: ignore[valid-type]
    address: AddressInput | None = None
    custom_fields: JSON | None = strawberry.field(
        default=None, description="Values of defined custom fields, by key."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the acting user."
    )


@strawberry.input
class UpdateCompanyInput:
    id: strawberry.ID
    version: int = strawberry.field(description="The version you read; a newer one is a conflict.")
    name: str | None = strawberry.UNSET
    domain: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    industry: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    size: CompanySizeBand | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="null clears it."
    )
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the whole address; null clears it."
    )
    custom_fields: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Merged into the current values; a null value removes a key.",
    )
    owner_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class ArchiveCompanyInput:
    id: strawberry.ID
    version: int | None = None


@strawberry.type
class CreateCompanyPayload:
    company: CompanyNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateCompanyPayload:
    company: CompanyNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ArchiveCompanyPayload:
    company: CompanyNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _size(value: Any) -> CompanySize | None:
    return CompanySize(enum_value(value)) if value is not None else None


def _patch(input: UpdateCompanyInput, company_id: str) -> CompanyPatch:
    """The patch for ``input``; raises ``DomainError`` for a bad address or owner id."""
    unset = strawberry.UNSET
    if input.name is None:
        raise InvalidValue("name", ErrorCode.REQUIRED, "cannot be null; a company needs a name")
    address: Any = KEEP
    if input.address is not unset:
        address = input.address.to_address() if input.address is not None else None
    return CompanyPatch(
        company_id=company_id,
        expected_version=input.version,
        name=KEEP if input.name is unset else input.name,
        domain=KEEP if input.domain is unset else input.domain,
        industry=KEEP if input.industry is unset else input.industry,
        size=KEEP if input.size is unset else _size(input.size),
        address=address,
        custom_fields=KEEP
        if input.custom_fields is unset
        else cast(dict[str, Any], input.custom_fields),
        owner_id=(
            KEEP
            if input.owner_id is unset or input.owner_id is None
            else local_id(input.owner_id, "User")
        ),
    )


def _not_an_object(field: str) -> list[UserError]:
    return input_error(field, ErrorCode.INVALID, "must be a JSON object")


@strawberry.type
class CompanyMutation:
    @strawberry.mutation
    def create_company(self, info: Info, input: CreateCompanyInput) -> CreateCompanyPayload:
        context = info.context
        try:
            owner = local_id(input.owner_id, "User") if input.owner_id else None
        except MalformedId:
            return CreateCompanyPayload(user_errors=invalid_id("ownerId"))
        if input.custom_fields is not None and not isinstance(input.custom_fields, dict):
            return CreateCompanyPayload(user_errors=_not_an_object("customFields"))
        try:
            new = NewCompany(
                name=input.name,
                domain=input.domain,
                industry=input.industry,
                size=_size(input.size),
                address=input.address.to_address() if input.address else None,
                custom_fields=input.custom_fields or {},
                owner_id=owner,
            )
            view = context.services.create_company(context.principal, new)
        except DomainError as error:
            return CreateCompanyPayload(user_errors=user_errors(error))
        return CreateCompanyPayload(company=CompanyNode.from_view(view))

    @strawberry.mutation
    def update_company(self, info: Info, input: UpdateCompanyInput) -> UpdateCompanyPayload:
        context = info.context
        try:
            company_id = local_id(input.id, COMPANY)
        except MalformedId:
            return UpdateCompanyPayload(user_errors=invalid_id("id"))
        custom_fields = input.custom_fields
        if custom_fields is not strawberry.UNSET and not isinstance(custom_fields, dict):
            return UpdateCompanyPayload(user_errors=_not_an_object("customFields"))
        try:
            patch = _patch(input, company_id)
        except MalformedId:
            return UpdateCompanyPayload(user_errors=invalid_id("ownerId"))
        except DomainError as error:
            return UpdateCompanyPayload(user_errors=user_errors(error))
        try:
            view = context.services.update_company(context.principal, patch)
        except DomainError as error:
            return UpdateCompanyPayload(user_errors=user_errors(error))
        return UpdateCompanyPayload(company=CompanyNode.from_view(view))

    @strawberry.mutation
    def archive_company(self, info: Info, input: ArchiveCompanyInput) -> ArchiveCompanyPayload:
        context = info.context
        try:
            company_id = local_id(input.id, COMPANY)
        except MalformedId:
            return ArchiveCompanyPayload(user_errors=invalid_id("id"))
        try:
            view = context.services.archive_company(context.principal, company_id, input.version)
        except DomainError as error:
            return ArchiveCompanyPayload(user_errors=user_errors(error))
        return ArchiveCompanyPayload(company=CompanyNode.from_view(view))
