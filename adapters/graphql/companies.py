"""Companies in the API: the type, its people, its connection, queries and mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import CustomFieldCondition, enum_value, to_conditions
from adapters.graphql.customers import COMPANY, CustomerConnection
from adapters.graphql.errors import query_error
from adapters.graphql.relay import (
    MalformedId,
    Node,
    OrderDirection,
    PageInfo,
    invalid_id_error,
    local_id,
    to_global_id,
)
from application.companies.bundle import Companies
from application.companies.views import (
    CompanyFilter,
    CompanyOrder,
    CompanyOrderField,
    CompanyView,
)
from application.custom_fields.criteria import FieldSort
from application.customers.bundle import Customers
from application.customers.views import CustomerFilter, CustomerOrder
from application.pagination import Edge, Page, PageRequest
from application.search import SEARCH_RULE
from domain.companies import Address, CompanySize
from domain.errors import DomainError

_sizes: type[Enum] = Enum(  # type: ignore[misc]
    "CompanySize", {size.name: size.value for size in CompanySize}
)
CompanySizeBand = strawberry.enum(
    _sizes, description="How many people a company employs: 1-10, 11-50, ..., over 10,000."
)

if TYPE_CHECKING:
    from adapters.graphql.opportunities import OpportunityConnection, OpportunityFilterInput
    from adapters.graphql.orders import OrderConnection
    from adapters.graphql.tasks import TaskConnection, TaskFilterInput


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
            page = context.services.use(Customers).list(
                context.principal, where, CustomerOrder(), PageRequest(first, after, last, before)
            )
        except DomainError as error:
            raise query_error(error) from None
        return CustomerConnection.from_page(page, where)

    @strawberry.field(description="What the company's people bought, newest first.")
    def orders(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Annotated[OrderConnection, strawberry.lazy("adapters.graphql.orders")]:
        from adapters.graphql.orders import orders_of_company

        return orders_of_company(info, self.local_id, first, after)

    @strawberry.field(
        description="The company's deals, newest first; filter: {status: OPEN} for the open ones."
    )
    def opportunities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[OpportunityFilterInput, strawberry.lazy("adapters.graphql.opportunities")]
        | None = None,
    ) -> Annotated[OpportunityConnection, strawberry.lazy("adapters.graphql.opportunities")]:
        from adapters.graphql.opportunities import list_opportunities

        return list_opportunities(info, first, after, filter, company_id=self.local_id)

    @strawberry.field(
        description="Tasks about the company's people or its deals, soonest due first; "
        "filter: {status: OPEN} for the open work."
    )
    def tasks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[TaskFilterInput, strawberry.lazy("adapters.graphql.tasks")] | None = None,
    ) -> Annotated[TaskConnection, strawberry.lazy("adapters.graphql.tasks")]:
        from adapters.graphql.tasks import list_tasks

        return list_tasks(info, first, after, filter, company_id=self.local_id)


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
            return context.services.use(Companies).list.count(context.principal, self.where)
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
        default=None,
        description=f"Part of the name or domain, ignoring case; {SEARCH_RULE}",
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
        view = context.services.use(Companies).get(context.principal, [company_id]).get(company_id)
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
        order = order_by.to_order() if order_by else CompanyOrder()
        context = info.context
        try:
            where = filter.to_filter() if filter else CompanyFilter()
            page = context.services.use(Companies).list(
                context.principal, where, order, PageRequest(first, after, last, before)
            )
        except DomainError as error:
            raise query_error(error) from None
        return CompanyConnection.from_page(page, where)
