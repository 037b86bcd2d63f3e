"""Customers in the API: the type's own fields, its list, queries and mutations.

Fields that other modules own (``Customer.orders``, ``Customer.tags``, ...) are declared
there and assembled into the public ``Customer`` in ``adapters.graphql.types``.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.assembled import Assembled
from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.errors import (
    QueryErrors,
    UserError,
    UserErrors,
    input_error,
    not_an_object,
    query_error,
)
from adapters.graphql.field_security import Guarded, GuardedCustomFields
from adapters.graphql.listing import ListOrderInput, OwnedRecordFilterInput
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, local_ids, to_global_id
from adapters.graphql.type_names import COMPANY, CUSTOMER, SEGMENT, TAG, USER
from application.customers.bundle import Customers
from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.views import (
    CustomerFilter,
    CustomerOrder,
    CustomerOrderField,
    CustomerView,
    StageAt,
)
from application.field_security import readable_text
from application.pagination import PageRequest
from application.search import SEARCH_RULE
from domain.access.roles import Resource
from domain.customers import KEEP
from domain.customers.customer import display_name
from domain.errors import DomainError, ErrorCode


@strawberry.type(description="A person the company has a relationship with.")
class CustomerBase(Node):
    first_name: str = strawberry.field(description="Given name; empty when unknown.")
    last_name: str = strawberry.field(description="Family name; empty when unknown.")
    email: str | None = strawberry.field(
        description="Lower-case email address, if known; masked (j•••@example.com) or null "
        "with a FORBIDDEN_FIELD error when the caller's role may not read it.",
        extensions=[Guarded(Resource.CUSTOMERS, "email")],
    )
    phone: str | None = strawberry.field(
        description="E.164, e.g. +14155550123; masked (+•••••••••23) or null with a "
        "FORBIDDEN_FIELD error when the caller's role may not read it.",
        extensions=[Guarded(Resource.CUSTOMERS, "phone")],
    )
    custom_fields: JSON = strawberry.field(
        description="Values of the custom fields defined for customers, by key; those the "
        "caller's role may not read are left out, those it reads masked are masked.",
        extensions=[GuardedCustomFields(Resource.CUSTOMERS)],
    )
    created_at: datetime = strawberry.field(description="When the customer was created.")
    updated_at: datetime = strawberry.field(description="When the customer last changed.")
    archived_at: datetime | None = strawberry.field(
        description="When the customer was archived (or merged away); null while active."
    )
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )
    owner_id: strawberry.Private[str]
    id_local: strawberry.Private[str]
    company_id: strawberry.Private[str | None]

    @classmethod
    def from_view(cls, view: CustomerView) -> CustomerBase:
        return cls(
            id=strawberry.ID(to_global_id(CUSTOMER, view.id)),
            first_name=view.first_name,
            last_name=view.last_name,
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

    @strawberry.field(
        description="The name to show: the full name, else the email, else the phone, as "
        "the caller's role may read them."
    )
    def display_name(self, info: Info) -> str:
        principal = info.context.principal
        return display_name(
            self.first_name,
            self.last_name,
            readable_text(principal, Resource.CUSTOMERS, "email", self.email),
            readable_text(principal, Resource.CUSTOMERS, "phone", self.phone),
        )

    @strawberry.field(description="The user responsible for this customer.")
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.owner_id)

    @strawberry.field(
        description="The customer's ids in other systems, by system; loaded with the rest "
        "of a list.",
        extensions=[QueryErrors()],
    )
    async def external_ids(self, info: Info) -> list[ExternalIdNode]:
        context = info.context
        loader = context.loaders.batch(
            "customers.external_ids",
            lambda ids: context.services.use(Customers).get.external_ids(context.principal, ids),
        )
        return [ExternalIdNode.parse(text) for text in await loader.load(self.id_local) or ()]


@strawberry.type(name="ExternalId", description="A customer's id in another system.")
class ExternalIdNode:
    source: str = strawberry.field(description='The other system, lower case, e.g. "shopify".')
    value: str = strawberry.field(description="The customer's id there.")

    @classmethod
    def parse(cls, text: str) -> ExternalIdNode:
        source, _, value = text.partition(":")
        return cls(source=source, value=value)


CUSTOMER_NODE = Assembled(CustomerBase)

if TYPE_CHECKING:
    Customer: TypeAlias = CustomerBase
else:
    Customer = Annotated["CustomerNode", strawberry.lazy("adapters.graphql.types")]  # noqa: F821
"""The public ``Customer`` in annotations: the assembled type, by name so as not to import it."""


FirstArgument = Annotated[
    int | None, strawberry.argument(description="At most 100 items; 20 by default.")
]
AfterArgument = Annotated[
    str | None, strawberry.argument(description="The cursor to page forward from.")
]
LastArgument = Annotated[
    int | None, strawberry.argument(description="The last items, at most 100.")
]
BeforeArgument = Annotated[
    str | None, strawberry.argument(description="The cursor to page backward from.")
]
"""The Relay arguments of a list, described once for every list."""


def customer_node(view: CustomerView) -> CustomerBase:
    return CUSTOMER_NODE.cls.from_view(view)


@strawberry.type(name="CustomerConnection", description="A page of customers.")
class CustomerConnection(Connection[Customer]):
    where: strawberry.Private[CustomerFilter]
    company_id: strawberry.Private[str | None] = None
    """The company whose people these are, when counted with other companies' people."""

    @strawberry.field(
        description="How many customers match the filter, across all pages.",
        extensions=[QueryErrors()],
    )
    async def total_count(self, info: Info) -> int:
        context = info.context
        customers = context.services.use(Customers)
        if self.company_id is not None:
            loader = context.loaders.batch(
                "customers.company_counts",
                lambda ids: customers.get.count_of_companies(context.principal, ids),
            )
            return await loader.load(self.company_id) or 0
        return customers.list.count(context.principal, self.where)


def list_customers(
    info: Info, where: CustomerFilter, order: CustomerOrder, request: PageRequest
) -> CustomerConnection:
    """One page of the customers ``where`` selects, for every list of customers."""
    context = info.context
    page = context.services.use(Customers).list(context.principal, where, order, request)
    return CustomerConnection.from_page(page, customer_node, where=where)


@strawberry.type
class CompanyPeople:
    """``Company.people``: the company's customers, a list this module owns."""

    local_id: strawberry.Private[str]

    @strawberry.field(
        description="The customers who belong to this company, oldest first.",
        extensions=[QueryErrors()],
    )
    async def people(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> CustomerConnection:
        where = CustomerFilter(company_ids=frozenset({self.local_id}))
        if (after, last, before) != (None, None, None):
            return list_customers(
                info, where, CustomerOrder(), PageRequest(first, after, last, before)
            )
        # The first pages of many companies load together, and so do their counts.
        context = info.context
        get = context.services.use(Customers).get
        loader = context.loaders.batch(
            f"customers.company_first.{first}",
            lambda ids: get.first_pages_of_companies(context.principal, ids, first),
        )
        page = await loader.load(self.local_id)
        assert page is not None, "every company asked for has a page"
        return CustomerConnection.from_page(
            page, customer_node, where=where, company_id=self.local_id
        )


@strawberry.enum(name="CustomerOrderField", description="What a list of customers is ordered by.")
class CustomerOrderFieldInput(Enum):
    CREATED_AT = strawberry.enum_value("created_at", description="When created.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="When last changed.")
    NAME = strawberry.enum_value(
        "name", description="Last name, then first name, then email, ignoring case."
    )
    EMAIL = strawberry.enum_value("email", description="Email address; none sorts first.")


@strawberry.input(name="CustomerOrder", description="How a list of customers is ordered.")
class CustomerOrderInput(ListOrderInput):
    field: CustomerOrderFieldInput = strawberry.field(
        default=CustomerOrderFieldInput.CREATED_AT,
        description="What to order by, unless customField is given; ties go by id.",
    )

    def to_order(self) -> CustomerOrder:
        return CustomerOrder(
            CustomerOrderField(enum_value(self.field)),
            descending=self.descending,
            custom_field=self.custom_sort,
        )


@strawberry.input(name="CustomerFilter", description="Conditions that must all hold.")
class CustomerFilterInput(OwnedRecordFilterInput):
    search: str | None = strawberry.field(
        default=None,
        description=f"Part of the name, email or phone, ignoring case; {SEARCH_RULE}",
    )
    email: str | None = strawberry.field(
        default=None, description="The customer with this email, ignoring case."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Customers created at or after this instant."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Customers created before this instant."
    )
    company_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Customers of any of these companies."
    )
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Customers carrying any of these tags."
    )
    segment_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Members of any of these segments, as of each segment's last refresh.",
    )
    lifecycle_stage: LifecycleStageFilterInput | None = strawberry.field(
        default=None, description="Customers at this stage of this lifecycle track now."
    )

    def to_filter(self) -> CustomerFilter:
        return CustomerFilter(
            search=self.search or None,
            email=self.email,
            owner_ids=self.owners,
            include_archived=self.include_archived,
            created_after=self.created_after,
            created_before=self.created_before,
            company_ids=local_ids(self.company_ids, COMPANY, field="filter.companyIds"),
            custom_fields=self.conditions,
            tag_ids=local_ids(self.tag_ids, TAG, field="filter.tagIds"),
            segment_ids=local_ids(self.segment_ids, SEGMENT, field="filter.segmentIds"),
            lifecycle_stage=StageAt(self.lifecycle_stage.track, self.lifecycle_stage.stage)
            if self.lifecycle_stage is not None
            else None,
        )


@strawberry.input(
    name="LifecycleStageFilter", description="A stage of one lifecycle track, by their keys."
)
class LifecycleStageFilterInput:
    track: str = strawberry.field(description='The key of the track, e.g. "acquisition".')
    stage: str = strawberry.field(description='The key of the stage on it, e.g. "lead".')


MAX_MERGE_HOPS = 8


def fetch_customer(info: Info, customer_id: str) -> CustomerBase | None:
    """One customer for a top-level field; a merged id resolves to the customer it became.

    Its errors are query errors wherever it is asked from, a mutation's payload too.
    """
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
    return customer_node(view) if view else None


async def load_customer(info: Info, customer_id: str) -> CustomerBase | None:
    """One customer through the request's DataLoader, for relations of listed objects."""
    view = await info.context.loaders.customers.load(customer_id)
    if view is not None and view.merged_into is not None:
        return fetch_customer(info, view.merged_into)
    return customer_node(view) if view else None


@strawberry.type
class CustomerQuery:
    @strawberry.field(
        description="One customer by id; null when there is none.", extensions=[QueryErrors()]
    )
    def customer(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The customer's global id.")],
    ) -> Customer | None:
        return fetch_customer(info, local_id(id, CUSTOMER, field="id"))

    @strawberry.field(description="Customers, a page at a time.", extensions=[QueryErrors()])
    def customers(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
        filter: Annotated[
            CustomerFilterInput | None,
            strawberry.argument(description="Only the customers that match."),
        ] = None,
        order_by: Annotated[
            CustomerOrderInput | None,
            strawberry.argument(description="How to order them; oldest first by default."),
        ] = None,
    ) -> CustomerConnection:
        order = order_by.to_order() if order_by else CustomerOrder()
        where = filter.to_filter() if filter else CustomerFilter()
        return list_customers(info, where, order, PageRequest(first, after, last, before))


@strawberry.input(description="A new customer; it needs a name, an email or a phone.")
class CreateCustomerInput:
    first_name: str = strawberry.field(default="", description="Given name.")
    last_name: str = strawberry.field(default="", description="Family name.")
    email: str | None = strawberry.field(
        default=None, description="Unique among active customers, ignoring case."
    )
    phone: str | None = strawberry.field(
        default=None, description="Any common format; without a + it is read in the default region."
    )
    custom_fields: JSON | None = strawberry.field(
        default=None, description="Values of defined custom fields, by key."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the acting user."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="The company the customer belongs to, if any."
    )


@strawberry.input(description="Changes to a customer; fields left out are kept.")
class UpdateCustomerInput:
    id: strawberry.ID = strawberry.field(description="The customer's global id.")
    version: int = strawberry.field(description="The version you read; a newer one is a conflict.")
    first_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Send an empty string to clear it."
    )
    last_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Send an empty string to clear it."
    )
    email: str | None = strawberry.field(default=strawberry.UNSET, description="A null clears it.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="A null clears it.")
    custom_fields: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Merged into the current values; a null value removes a key.",
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The new owner; null keeps the current one."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A null takes the customer out of its company."
    )


@strawberry.input(description="The customer to archive.")
class ArchiveCustomerInput:
    id: strawberry.ID = strawberry.field(description="The customer's global id.")
    version: int | None = strawberry.field(
        default=None, description="The version you read, if you want a conflict on a newer one."
    )


@strawberry.type(description="The result of createCustomer.")
class CreateCustomerPayload:
    customer: Customer | None = strawberry.field(
        default=None, description="The customer created; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type(description="The result of updateCustomer.")
class UpdateCustomerPayload:
    customer: Customer | None = strawberry.field(
        default=None, description="The customer as changed; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the input was refused; a newer version is a STALE_VERSION.",
    )


@strawberry.type(description="The result of archiveCustomer.")
class ArchiveCustomerPayload:
    customer: Customer | None = strawberry.field(
        default=None, description="The customer, archived; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


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
    @strawberry.mutation(description="Create a customer.", extensions=[UserErrors()])
    def create_customer(
        self,
        info: Info,
        input: Annotated[CreateCustomerInput, strawberry.argument(description="The customer.")],
    ) -> CreateCustomerPayload:
        context = info.context
        owner = local_id(input.owner_id, USER, field="ownerId") if input.owner_id else None
        company = (
            local_id(input.company_id, COMPANY, field="companyId") if input.company_id else None
        )
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
        view = context.services.use(Customers).create(context.principal, new)
        return CreateCustomerPayload(customer=customer_node(view))

    @strawberry.mutation(
        description="Change a customer, if nobody changed it since you read it.",
        extensions=[UserErrors()],
    )
    def update_customer(
        self,
        info: Info,
        input: Annotated[UpdateCustomerInput, strawberry.argument(description="The changes.")],
    ) -> UpdateCustomerPayload:
        context = info.context
        customer_id = local_id(input.id, CUSTOMER, field="id")
        owner = input.owner_id
        owner_id = (
            KEEP
            if owner is strawberry.UNSET or owner is None
            else local_id(owner, USER, field="ownerId")
        )
        company = input.company_id
        company_id = (
            company
            if company is strawberry.UNSET or company is None
            else local_id(company, COMPANY, field="companyId")
        )
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
        view = context.services.use(Customers).update(context.principal, patch)
        return UpdateCustomerPayload(customer=customer_node(view))

    @strawberry.mutation(
        description="Archive a customer: hidden from lists, kept for history.",
        extensions=[UserErrors()],
    )
    def archive_customer(
        self,
        info: Info,
        input: Annotated[ArchiveCustomerInput, strawberry.argument(description="The customer.")],
    ) -> ArchiveCustomerPayload:
        context = info.context
        customer_id = local_id(input.id, CUSTOMER, field="id")
        view = context.services.use(Customers).archive(
            context.principal, customer_id, input.version
        )
        return ArchiveCustomerPayload(customer=customer_node(view))


PART = SchemaPart(
    queries=(CustomerQuery,),
    mutations=(CustomerMutation,),
    company_fields=(CompanyPeople,),
    nodes={CUSTOMER: fetch_customer},
)
