"""Companies in the API: the type's own fields, its list, ``Customer.company`` and queries.

Fields that other modules own (``Company.people``, ``Company.orders``, ...) are declared
there and assembled into the public ``Company`` in ``adapters.graphql.types``.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, TypeAlias, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.assembled import Assembled
from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import described_enum, enum_value
from adapters.graphql.customers import AfterArgument, BeforeArgument, FirstArgument, LastArgument
from adapters.graphql.errors import QueryErrors
from adapters.graphql.field_security import Guarded, GuardedCustomFields
from adapters.graphql.listing import ListOrderInput, OwnedRecordFilterInput
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import COMPANY
from application.companies.bundle import Companies
from application.companies.views import (
    CompanyFilter,
    CompanyOrder,
    CompanyOrderField,
    CompanyView,
)
from application.pagination import PageRequest
from application.search import SEARCH_RULE
from domain.access.roles import Resource
from domain.companies import Address, CompanySize

CompanySizeBand = described_enum(
    "CompanySize",
    CompanySize,
    {size.name: f"{size.value.replace('+', ' or more')} people." for size in CompanySize},
    "How many people a company employs: 1-10, 11-50, ..., over 10,000.",
)


@strawberry.type(name="Address", description="A postal address.")
class AddressNode:
    street: str | None = strawberry.field(description="Street and number, one line.")
    city: str | None = strawberry.field(description="City or town.")
    region: str | None = strawberry.field(description="State, county or province.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
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


@strawberry.type(description="An organisation that customers belong to.")
class CompanyBase(Node):
    name: str = strawberry.field(description="The company's name.")
    domain: str | None = strawberry.field(
        description="Lower-case host name, e.g. acme.com; masked or null when the caller's "
        "role may not read it.",
        extensions=[Guarded(Resource.COMPANIES, "domain")],
    )
    industry: str | None = strawberry.field(
        description="The industry it works in; masked or null when the caller's role may "
        "not read it.",
        extensions=[Guarded(Resource.COMPANIES, "industry")],
    )
    size: CompanySizeBand | None = strawberry.field(  # type: ignore[valid-type]
        description="How many people it employs."
    )
    address: AddressNode | None = strawberry.field(description="Where it is, if known.")
    custom_fields: JSON = strawberry.field(
        description="Values of the custom fields defined for companies, by key; those the "
        "caller's role may not read are left out, those it reads masked are masked.",
        extensions=[GuardedCustomFields(Resource.COMPANIES)],
    )
    created_at: datetime = strawberry.field(description="When the company was created.")
    updated_at: datetime = strawberry.field(description="When the company last changed.")
    archived_at: datetime | None = strawberry.field(
        description="When the company was archived; null while active."
    )
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )
    owner_id: strawberry.Private[str]
    local_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: CompanyView) -> CompanyBase:
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


COMPANY_NODE = Assembled(CompanyBase)

if TYPE_CHECKING:
    Company: TypeAlias = CompanyBase
else:
    Company = Annotated["CompanyNode", strawberry.lazy("adapters.graphql.types")]  # noqa: F821
"""The public ``Company`` in annotations: the assembled type, by name so as not to import it."""


def company_node(view: CompanyView) -> CompanyBase:
    return COMPANY_NODE.cls.from_view(view)


async def load_company(info: Info, company_id: str) -> CompanyBase | None:
    view = await info.context.loaders.companies.load(company_id)
    return company_node(view) if view else None


@strawberry.type
class CustomerCompany:
    """``Customer.company``, which this module resolves."""

    company_id: strawberry.Private[str | None]

    @strawberry.field(description="The company this customer belongs to, if any.")
    async def company(self, info: Info) -> Company | None:
        if self.company_id is None:
            return None
        return await load_company(info, self.company_id)


@strawberry.type(name="CompanyConnection", description="A page of companies.")
class CompanyConnection(Connection[Company]):
    where: strawberry.Private[CompanyFilter]

    @strawberry.field(
        description="How many companies match the filter, across all pages.",
        extensions=[QueryErrors()],
    )
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Companies).list.count(context.principal, self.where)


@strawberry.enum(name="CompanyOrderField", description="What a list of companies is ordered by.")
class CompanyOrderFieldInput(Enum):
    CREATED_AT = strawberry.enum_value("created_at", description="When created.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="When last changed.")
    NAME = strawberry.enum_value("name", description="The name, ignoring case.")


@strawberry.input(name="CompanyOrder", description="How a list of companies is ordered.")
class CompanyOrderInput(ListOrderInput):
    field: CompanyOrderFieldInput = strawberry.field(
        default=CompanyOrderFieldInput.CREATED_AT,
        description="What to order by, unless customField is given; ties go by id.",
    )

    def to_order(self) -> CompanyOrder:
        return CompanyOrder(
            CompanyOrderField(enum_value(self.field)),
            descending=self.descending,
            custom_field=self.custom_sort,
        )


@strawberry.input(name="CompanyFilter", description="Conditions that must all hold.")
class CompanyFilterInput(OwnedRecordFilterInput):
    search: str | None = strawberry.field(
        default=None,
        description=f"Part of the name or domain, ignoring case; {SEARCH_RULE}",
    )
    domain: str | None = strawberry.field(
        default=None, description="The company with this host name (or URL's host)."
    )
    sizes: list[CompanySizeBand] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Companies of any of these sizes."
    )

    def to_filter(self) -> CompanyFilter:
        return CompanyFilter(
            search=self.search or None,
            domain=self.domain,
            owner_ids=self.owners,
            sizes=frozenset(CompanySize(enum_value(s)) for s in self.sizes)
            if self.sizes is not None
            else None,
            include_archived=self.include_archived,
            custom_fields=self.conditions,
        )


def fetch_company(info: Info, company_id: str) -> CompanyBase | None:
    """One company for a top-level field, where there is nothing to batch with."""
    context = info.context
    view = context.services.use(Companies).get(context.principal, [company_id]).get(company_id)
    return company_node(view) if view else None


@strawberry.type
class CompanyQuery:
    @strawberry.field(
        description="One company by id; null when there is none.", extensions=[QueryErrors()]
    )
    def company(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The company's global id.")],
    ) -> Company | None:
        return fetch_company(info, local_id(id, COMPANY, field="id"))

    @strawberry.field(description="Companies, a page at a time.", extensions=[QueryErrors()])
    def companies(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
        filter: Annotated[
            CompanyFilterInput | None,
            strawberry.argument(description="Only the companies that match."),
        ] = None,
        order_by: Annotated[
            CompanyOrderInput | None,
            strawberry.argument(description="How to order them; oldest first by default."),
        ] = None,
    ) -> CompanyConnection:
        order = order_by.to_order() if order_by else CompanyOrder()
        where = filter.to_filter() if filter else CompanyFilter()
        context = info.context
        page = context.services.use(Companies).list(
            context.principal, where, order, PageRequest(first, after, last, before)
        )
        return CompanyConnection.from_page(page, company_node, where=where)


PART = SchemaPart(
    queries=(CompanyQuery,),
    customer_fields=(CustomerCompany,),
    nodes={COMPANY: fetch_company},
)
