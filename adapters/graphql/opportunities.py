"""Opportunities in the API: the deal type with its stays in stages, and the lists."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import attrs
import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.companies import Company, load_company
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.customers import Customer, load_customer
from adapters.graphql.errors import QueryErrors
from adapters.graphql.field_security import HIDDEN_AMOUNT, Guarded
from adapters.graphql.listing import DirectionInput
from adapters.graphql.money import CurrencyCode, Money
from adapters.graphql.parts import SchemaPart
from adapters.graphql.pipeline import (
    PipelineNode,
    PipelineStageNode,
    stage_node,
)
from adapters.graphql.relay import (
    Node,
    local_id,
    local_ids,
    local_ids_by_field,
    to_global_id,
)
from adapters.graphql.sales_args import After, Before, First, Last, page_request
from adapters.graphql.type_names import (
    COMPANY,
    CUSTOMER,
    OPPORTUNITY,
    PIPELINE,
    STAGE,
    TEAM,
    USER,
)
from application.pagination import PageRequest
from application.pipeline.bundle import Sales
from application.pipeline.queries import history_page
from application.pipeline.views import (
    OpportunityFilter,
    OpportunityGroup,
    OpportunityOrder,
    OpportunitySort,
    OpportunityView,
)
from domain.access.roles import Resource
from domain.pipeline import Opportunity, StageEntry


@strawberry.enum(description="Where a deal stands.")
class OpportunityStatus(Enum):
    OPEN = strawberry.enum_value("open", description="Still moving through its pipeline.")
    WON = strawberry.enum_value("won", description="Closed as won.")
    LOST = strawberry.enum_value("lost", description="Closed as lost.")


@strawberry.enum(description="How a deal ended.")
class OpportunityOutcome(Enum):
    WON = strawberry.enum_value("won", description="The customer signed.")
    LOST = strawberry.enum_value("lost", description="The deal fell through.")


@strawberry.type(name="OpportunityLineItem", description="A product on a deal.")
class LineItemNode:
    product: str = strawberry.field(description="What is sold, as the seller names it.")
    quantity: int = strawberry.field(description="How many, at least 1.")
    unit_price: Money = strawberry.field(description="The price of one.")
    discount: Money = strawberry.field(description="Taken off the line; zero when none.")

    @strawberry.field(description="Quantity times unit price, less the discount.")
    def total(self) -> Money:
        return Money.in_currency(
            self.unit_price.amount * self.quantity - self.discount.amount,
            self.unit_price.currency,
        )


@strawberry.type(name="OpportunityStageEntry", description="One stay of a deal in a stage.")
class StageEntryNode:
    entered_at: datetime = strawberry.field(description="When the deal entered the stage.")
    left_at: datetime | None = strawberry.field(description="When it left; null while it is there.")
    first_entry: bool = strawberry.field(description="False when the deal had been here before.")
    seconds_in_stage: int | None = strawberry.field(
        description="How long the stay lasted, once left."
    )
    pipeline_id: strawberry.Private[str]
    stage_id: strawberry.Private[str]
    actor_id: strawberry.Private[str]

    @classmethod
    def from_entry(cls, entry: StageEntry) -> StageEntryNode:
        return cls(
            entered_at=entry.entered_at,
            left_at=entry.left_at,
            first_entry=entry.first_entry,
            seconds_in_stage=entry.seconds,
            pipeline_id=entry.pipeline_id,
            stage_id=entry.stage_id,
            actor_id=entry.actor_id,
        )

    @strawberry.field(description="The stage of the stay.")
    def stage(self, info: Info) -> PipelineStageNode | None:
        return stage_node(info, self.pipeline_id, self.stage_id)

    @strawberry.field(description="Who moved the deal here.")
    async def actor(self, info: Info) -> UserNode | None:
        return await load_user(info, self.actor_id)


@strawberry.type(
    name="OpportunityStageEntryEdge", description="One stay of a deal in a stage, with its cursor."
)
class OpportunityStageEntryEdge(Edge[StageEntryNode]):
    pass


@strawberry.type(
    name="OpportunityStageEntryConnection",
    description="A page of a deal's stays in stages, oldest first.",
)
class StageEntryConnection(Connection[StageEntryNode]):
    edges: list[OpportunityStageEntryEdge] = strawberry.field(  # type: ignore[assignment]
        description="The stays of this page, in order."
    )
    edge_type = OpportunityStageEntryEdge
    total_count: int = strawberry.field(description="How many stays the deal has had.")


@strawberry.type(name="Opportunity", description="A deal moving through a pipeline.")
class OpportunityNode(Node):
    name: str = strawberry.field(description="What the deal is called.")
    currency: CurrencyCode = strawberry.field(
        description="The deal's currency: that of its amount and of every line item."
    )
    amount: Money | None = strawberry.field(
        description="What the deal is worth; the sum of its line items when none was given."
        + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount")],
    )
    expected_close_date: date | None = strawberry.field(
        description="When the deal is expected to close."
    )
    next_step: str = strawberry.field(description="What happens next; empty when unknown.")
    line_items: list[LineItemNode] | None = strawberry.field(
        description="The products on the deal, with their prices." + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount", aggregate=True)],
    )
    status: OpportunityStatus = strawberry.field(description="Open, won or lost.")
    close_reason: str | None = strawberry.field(description="Why it was won or lost, once closed.")
    closed_at: datetime | None = strawberry.field(description="When it was won or lost.")
    created_at: datetime = strawberry.field(description="When the deal was opened.")
    updated_at: datetime = strawberry.field(description="When the deal last changed.")
    last_activity_at: datetime = strawberry.field(
        description="When the deal last moved or changed: what staleness counts from."
    )
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update or a move so no "
        "change is lost."
    )
    view: strawberry.Private[OpportunityView]

    @classmethod
    def from_view(cls, view: OpportunityView) -> OpportunityNode:
        currency = CurrencyCode(view.currency)
        return cls(
            id=strawberry.ID(to_global_id(OPPORTUNITY, view.id)),
            name=view.name,
            currency=currency,
            amount=Money.in_currency(view.amount, currency) if view.amount is not None else None,
            expected_close_date=view.expected_close_date,
            next_step=view.next_step,
            line_items=[
                LineItemNode(
                    product=i.product,
                    quantity=i.quantity,
                    unit_price=Money.in_currency(i.unit_price, currency),
                    discount=Money.in_currency(i.discount, currency),
                )
                for i in view.line_items
            ],
            status=OpportunityStatus(view.status),
            close_reason=view.close_reason,
            closed_at=view.closed_at,
            created_at=view.created_at,
            updated_at=view.updated_at,
            last_activity_at=view.last_activity_at,
            version=view.version,
            view=view,
        )

    @classmethod
    def from_opportunity(cls, opportunity: Opportunity) -> OpportunityNode:
        return cls.from_view(OpportunityView.from_opportunity(opportunity))

    @strawberry.field(description="The pipeline the deal moves through.")
    def pipeline(self, info: Info) -> PipelineNode | None:
        found = info.context.loaders.pipelines().get(self.view.pipeline_id)
        return PipelineNode.from_pipeline(found) if found else None

    @strawberry.field(description="The stage the deal is at, or was at when it closed.")
    def stage(self, info: Info) -> PipelineStageNode | None:
        return stage_node(info, self.view.pipeline_id, self.view.stage_id)

    @strawberry.field(description="The stage's default probability; 100 when won, 0 when lost.")
    def probability(self, info: Info) -> int:
        if self.status is not OpportunityStatus.OPEN:
            return 100 if self.status is OpportunityStatus.WON else 0
        stage = stage_node(info, self.view.pipeline_id, self.view.stage_id)
        return stage.probability if stage else 0

    @strawberry.field(description="Open, with no activity for the pipeline's stale days.")
    def is_stale(self, info: Info) -> bool:
        pipeline = info.context.loaders.pipelines().get(self.view.pipeline_id)
        if pipeline is None or self.status is not OpportunityStatus.OPEN:
            return False
        idle = info.context.services.use(Sales).clock.now() - self.last_activity_at
        return idle.days >= pipeline.stale_after_days

    @strawberry.field(description="The customer the deal is with.")
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.view.customer_id)

    @strawberry.field(description="The company the deal is with, if any.")
    async def company(self, info: Info) -> Company | None:
        if self.view.company_id is None:
            return None
        return await load_company(info, self.view.company_id)

    @strawberry.field(description="The rep who owns the deal.")
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.view.owner_id)

    @strawberry.field(
        description="Every stay in a stage, oldest first; read together for a page of deals.",
        extensions=[QueryErrors()],
    )
    async def stage_history(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> StageEntryConnection:
        entries = list(await info.context.loaders.stage_histories.load(self.view.id) or ())
        page = history_page(entries, page_request(first, after, last, before))
        return StageEntryConnection.from_page(
            page, StageEntryNode.from_entry, total_count=len(entries)
        )


@strawberry.type(name="OpportunityEdge", description="One deal in a list, with its cursor.")
class OpportunityEdge(Edge[OpportunityNode]):
    pass


@strawberry.type(name="OpportunityConnection", description="A page of deals.")
class OpportunityConnection(Connection[OpportunityNode]):
    edges: list[OpportunityEdge] = strawberry.field(  # type: ignore[assignment]
        description="The deals of this page, in order."
    )
    edge_type = OpportunityEdge
    where: strawberry.Private[OpportunityFilter]
    group: strawberry.Private[tuple[OpportunityGroup, str] | None] = None
    known_total: strawberry.Private[int | None] = None

    @strawberry.field(description="How many deals match the filter.")
    async def total_count(self, info: Info) -> int:
        if self.known_total is not None:
            return self.known_total
        context = info.context
        if self.group is not None:
            by, key = self.group
            return await context.loaders.sales.opportunity_counts.load((by, self.where), key)
        return context.services.use(Sales).read_pipeline.count(context.principal, self.where)


@strawberry.enum(description="What a list of deals can be sorted by; ties go by id.")
class OpportunityOrderField(Enum):
    CREATED_AT = strawberry.enum_value(
        OpportunitySort.CREATED_AT.value, description="When the deal was opened."
    )
    UPDATED_AT = strawberry.enum_value(
        OpportunitySort.UPDATED_AT.value, description="When the deal last changed."
    )
    AMOUNT = strawberry.enum_value(
        OpportunitySort.AMOUNT.value,
        description="The amount in the currency's minor units, never converted between "
        "currencies; deals without one come last.",
    )
    EXPECTED_CLOSE_DATE = strawberry.enum_value(
        OpportunitySort.EXPECTED_CLOSE_DATE.value,
        description="The expected close date; deals without one come last.",
    )
    NAME = strawberry.enum_value(
        OpportunitySort.NAME.value, description="The deal's name, by code point."
    )


@strawberry.input(name="OpportunityOrder", description="The order of a list of deals.")
class OpportunityOrderInput(DirectionInput):
    field: OpportunityOrderField = strawberry.field(description="What to sort by.")

    def to_order(self) -> OpportunityOrder:
        return OpportunityOrder(
            OpportunitySort(enum_value(self.field)),
            descending=self.descending,
        )


def to_order(given: OpportunityOrderInput | None) -> OpportunityOrder:
    """The order asked for; newest first when none is."""
    return given.to_order() if given else OpportunityOrder()


@strawberry.input(name="OpportunityFilter", description="Which deals a list holds; all must hold.")
class OpportunityFilterInput:
    pipeline_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only deals in this pipeline."
    )
    stage_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only deals at this stage."
    )
    owner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only deals one of these users owns."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only deals a member of this sales team owns."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this customer's deals."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only deals with this company."
    )
    status: OpportunityStatus | None = strawberry.field(
        default=None, description="Only open, won or lost deals."
    )
    stale: bool = strawberry.field(
        default=False,
        description="Only open deals without activity for their pipeline's staleAfterDays.",
    )


def to_filter(
    info: Info, given: OpportunityFilterInput | None, **fixed: str | None
) -> OpportunityFilter:
    """The filter asked for, with ``fixed`` fields (a company's list's ``company_id``)."""
    if given is None:
        return OpportunityFilter(**fixed)  # type: ignore[arg-type]
    ids = local_ids_by_field(
        {
            "pipelineId": (given.pipeline_id, PIPELINE),
            "stageId": (given.stage_id, STAGE),
            "customerId": (given.customer_id, CUSTOMER),
            "companyId": (given.company_id, COMPANY),
            "teamId": (given.team_id, TEAM),
        },
        within="filter.",
    )
    where = OpportunityFilter(
        pipeline_id=ids["pipelineId"],
        stage_id=ids["stageId"],
        owner_ids=local_ids(given.owner_ids, USER, field="filter.ownerIds"),
        customer_id=ids["customerId"],
        company_id=ids["companyId"],
        status=enum_value(given.status) if given.status else None,
    )
    where = attrs.evolve(where, **fixed)  # type: ignore[arg-type]
    context = info.context
    read = context.services.use(Sales).read_pipeline
    if ids["teamId"] is not None:
        where = read.of_team(context.principal, where, ids["teamId"])
    if given.stale:
        where = read.stale(context.principal, where)
    return where


def opportunity_page(
    info: Info, where: OpportunityFilter, page: PageRequest, order: OpportunityOrder
) -> OpportunityConnection:
    context = info.context
    found = context.services.use(Sales).read_pipeline.opportunities(
        context.principal, where, page, order
    )
    return OpportunityConnection.from_page(found, OpportunityNode.from_view, where=where)


async def grouped_opportunity_page(
    info: Info,
    where: OpportunityFilter,
    page: PageRequest,
    order: OpportunityOrder,
    *,
    by: OpportunityGroup,
    key: str,
    known_total: int | None = None,
) -> OpportunityConnection:
    """One of many lists asked for together (each customer's, each column's): their pages
    and counts are read in one query each."""
    where = attrs.evolve(where, **{by: None})
    found = await info.context.loaders.sales.opportunity_pages.load((by, where, order, page), key)
    return OpportunityConnection.from_page(
        found, OpportunityNode.from_view, where=where, group=(by, key), known_total=known_total
    )


FilterArgument = Annotated[
    OpportunityFilterInput | None, strawberry.argument(description="Which deals to list.")
]
OrderArgument = Annotated[
    OpportunityOrderInput | None,
    strawberry.argument(description="The order; newest first when left out."),
]


@strawberry.type
class OpportunityQuery:
    @strawberry.field(
        description="Deals, newest first unless ordered otherwise, a keyset page at a time.",
        extensions=[QueryErrors()],
    )
    def opportunities(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> OpportunityConnection:
        return opportunity_page(
            info,
            to_filter(info, filter),
            page_request(first, after, last, before),
            to_order(order_by),
        )

    @strawberry.field(
        description="One deal by id; null when there is none.", extensions=[QueryErrors()]
    )
    def opportunity(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The deal's id.")],
    ) -> OpportunityNode | None:
        return fetch_opportunity(info, local_id(id, OPPORTUNITY, field="id"))


@strawberry.type
class CompanyOpportunities:
    """``Company.opportunities``."""

    local_id: strawberry.Private[str]

    @strawberry.field(
        description="The company's deals, newest first unless ordered otherwise; filter: "
        "{status: OPEN} for the open ones. For a page of companies, read in one query.",
        extensions=[QueryErrors()],
    )
    async def opportunities(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> OpportunityConnection:
        return await grouped_opportunity_page(
            info,
            to_filter(info, filter),
            page_request(first, after, last, before),
            to_order(order_by),
            by="company_id",
            key=self.local_id,
        )


@strawberry.type
class CustomerOpportunities:
    """``Customer.opportunities``: read together for a page of customers."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The customer's deals, newest first unless ordered otherwise; for a page "
        "of customers, every customer's page is read in one query.",
        extensions=[QueryErrors()],
    )
    async def opportunities(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> OpportunityConnection:
        return await grouped_opportunity_page(
            info,
            to_filter(info, filter),
            page_request(first, after, last, before),
            to_order(order_by),
            by="customer_id",
            key=self.id_local,
        )


async def load_opportunity(info: Info, opportunity_id: str) -> OpportunityNode | None:
    view = await info.context.loaders.opportunities.load(opportunity_id)
    return OpportunityNode.from_view(view) if view else None


def fetch_opportunity(info: Info, opportunity_id: str) -> OpportunityNode | None:
    context = info.context
    view = context.services.use(Sales).read_pipeline.get_many(context.principal, [opportunity_id])
    found = view.get(opportunity_id)
    return OpportunityNode.from_view(found) if found else None


PART = SchemaPart(
    queries=(OpportunityQuery,),
    company_fields=(CompanyOpportunities,),
    customer_fields=(CustomerOpportunities,),
    nodes={OPPORTUNITY: fetch_opportunity},
)
