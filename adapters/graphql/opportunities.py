"""Opportunities in the API: the deal type with its stays in stages, and the list."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import attrs
import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.companies import Company, load_company
from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, load_customer
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.pipeline import (
    PipelineNode,
    PipelineStageNode,
    stage_node,
)
from adapters.graphql.relay import Node, local_ids_by_field, to_global_id
from adapters.graphql.type_names import COMPANY, CUSTOMER, OPPORTUNITY, PIPELINE, STAGE, USER
from application.pipeline.bundle import Sales
from application.pipeline.views import OpportunityFilter, OpportunityView
from domain.pipeline import Opportunity, StageEntry


@strawberry.enum(description="Where a deal stands.")
class OpportunityStatus(Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@strawberry.enum(description="How a deal ended.")
class OpportunityOutcome(Enum):
    WON = "won"
    LOST = "lost"


@strawberry.type(name="OpportunityLineItem")
class LineItemNode:
    product: str
    quantity: int
    unit_price: Decimal
    discount: Decimal

    @strawberry.field(description="Quantity times unit price, less the discount.")
    def total(self) -> Decimal:
        return self.unit_price * self.quantity - self.discount


@strawberry.type(name="OpportunityStageEntry", description="One stay of a deal in a stage.")
class StageEntryNode:
    entered_at: datetime
    left_at: datetime | None
    first_entry: bool = strawberry.field(description="False when the deal had been here before.")
    seconds_in_stage: int | None = strawberry.field(description="Once left.")
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

    @strawberry.field
    def stage(self, info: Info) -> PipelineStageNode | None:
        return stage_node(info, self.pipeline_id, self.stage_id)

    @strawberry.field(description="Who moved the deal here.")
    async def actor(self, info: Info) -> UserNode | None:
        return await load_user(info, self.actor_id)


@strawberry.type(name="Opportunity", description="A deal moving through a pipeline.")
class OpportunityNode(Node):
    name: str
    currency: str
    amount: Decimal | None
    expected_close_date: date | None
    next_step: str
    line_items: list[LineItemNode]
    status: OpportunityStatus
    close_reason: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    version: int
    view: strawberry.Private[OpportunityView]

    @classmethod
    def from_view(cls, view: OpportunityView) -> OpportunityNode:
        return cls(
            id=strawberry.ID(to_global_id(OPPORTUNITY, view.id)),
            name=view.name,
            currency=view.currency,
            amount=view.amount,
            expected_close_date=view.expected_close_date,
            next_step=view.next_step,
            line_items=[
                LineItemNode(
                    product=i.product,
                    quantity=i.quantity,
                    unit_price=i.unit_price,
                    discount=i.discount,
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

    @strawberry.field
    def pipeline(self, info: Info) -> PipelineNode | None:
        found = info.context.loaders.pipelines().get(self.view.pipeline_id)
        return PipelineNode.from_pipeline(found) if found else None

    @strawberry.field
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

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.view.customer_id)

    @strawberry.field
    async def company(self, info: Info) -> Company | None:
        if self.view.company_id is None:
            return None
        return await load_company(info, self.view.company_id)

    @strawberry.field
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.view.owner_id)

    @strawberry.field(description="Every stay in a stage, oldest first.")
    async def stage_history(self, info: Info) -> list[StageEntryNode]:
        entries = await info.context.loaders.stage_histories.load(self.view.id)
        return [StageEntryNode.from_entry(entry) for entry in entries or ()]


@strawberry.type(name="OpportunityConnection")
class OpportunityConnection(Connection[OpportunityNode]):
    where: strawberry.Private[OpportunityFilter]

    @strawberry.field(description="How many deals match the filter.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Sales).read_pipeline.count(context.principal, self.where)


@strawberry.input
class OpportunityFilterInput:
    pipeline_id: strawberry.ID | None = None
    stage_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None
    customer_id: strawberry.ID | None = None
    company_id: strawberry.ID | None = None
    status: OpportunityStatus | None = None
    stale: bool = strawberry.field(
        default=False,
        description="Only open deals without activity for their pipeline's staleAfterDays.",
    )

    def resolve(self) -> OpportunityFilter:
        ids = local_ids_by_field(
            {
                "pipelineId": (self.pipeline_id, PIPELINE),
                "stageId": (self.stage_id, STAGE),
                "ownerId": (self.owner_id, USER),
                "customerId": (self.customer_id, CUSTOMER),
                "companyId": (self.company_id, COMPANY),
            },
            within="filter.",
        )
        return OpportunityFilter(
            pipeline_id=ids["pipelineId"],
            stage_id=ids["stageId"],
            owner_id=ids["ownerId"],
            customer_id=ids["customerId"],
            company_id=ids["companyId"],
            status=self.status.value if self.status else None,
        )


def opportunity_page(
    info: Info, where: OpportunityFilter, first: int | None, after: str | None
) -> OpportunityConnection:
    context = info.context
    page = context.services.use(Sales).read_pipeline.opportunities(
        context.principal, where, first=first, after=after
    )
    return OpportunityConnection.from_page(page, OpportunityNode.from_view, where=where)


@strawberry.type
class OpportunityQuery:
    @strawberry.field(
        description="Deals, newest first, a keyset page at a time.", extensions=[QueryErrors()]
    )
    def opportunities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: OpportunityFilterInput | None = None,
    ) -> OpportunityConnection:
        return list_opportunities(info, first, after, filter)


def list_opportunities(
    info: Info,
    first: int | None,
    after: str | None,
    filter: OpportunityFilterInput | None,
    *,
    company_id: str | None = None,
) -> OpportunityConnection:
    """``opportunities(first, after, filter)``, or a company's deals given ``company_id``."""
    where = filter.resolve() if filter else OpportunityFilter()
    if company_id is not None:
        where = attrs.evolve(where, company_id=company_id)
    if filter and filter.stale:
        context = info.context
        where = context.services.use(Sales).read_pipeline.stale(context.principal, where)
    return opportunity_page(info, where, first, after)


@strawberry.type
class CompanyOpportunities:
    """``Company.opportunities``."""

    local_id: strawberry.Private[str]

    @strawberry.field(
        description="The company's deals, newest first; filter: {status: OPEN} for the open ones.",
        extensions=[QueryErrors()],
    )
    def opportunities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: OpportunityFilterInput | None = None,
    ) -> OpportunityConnection:
        return list_opportunities(info, first, after, filter, company_id=self.local_id)


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
    nodes={OPPORTUNITY: fetch_opportunity},
)
