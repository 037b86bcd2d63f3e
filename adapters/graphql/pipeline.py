"""Pipelines and opportunities in the API: the types, lists, the board, and deal moves."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.errors import UserError, invalid_id, query_error, user_errors
from adapters.graphql.relay import (
    MalformedId,
    Node,
    PageInfo,
    invalid_id_error,
    local_id,
    to_global_id,
)
from application.pagination import Edge, Page
from application.pipeline.opportunities import NewLineItem, NewOpportunity
from application.pipeline.views import CurrencyAmount, OpportunityFilter, OpportunityView
from domain.errors import DomainError
from domain.pipeline import Opportunity, Outcome, Pipeline, PipelineStage, StageEntry

if TYPE_CHECKING:
    from adapters.graphql.companies import CompanyNode
    from adapters.graphql.customers import CustomerNode

PIPELINE = "Pipeline"
STAGE = "PipelineStage"
OPPORTUNITY = "Opportunity"
USER = "User"
BOARD_PAGE = 20


@strawberry.enum(description="Where a deal stands.")
class OpportunityStatus(Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@strawberry.enum(description="How a deal ended.")
class OpportunityOutcome(Enum):
    WON = "won"
    LOST = "lost"


@strawberry.type(description="A sum in one currency; sums are never converted.")
class MoneyTotal:
    currency: str
    amount: Decimal

    @classmethod
    def of(cls, total: CurrencyAmount) -> MoneyTotal:
        return cls(currency=total.currency, amount=total.amount)


@strawberry.type(name="PipelineStage", description="One step of a pipeline.")
class PipelineStageNode:
    id: strawberry.ID
    key: str
    label: str
    probability: int = strawberry.field(description="Default chance of winning, in percent.")
    required_fields: list[str] = strawberry.field(
        description="Deal fields that must be set before a deal may enter this stage."
    )
    position: int

    @classmethod
    def from_stage(cls, stage: PipelineStage) -> PipelineStageNode:
        return cls(
            id=strawberry.ID(to_global_id(STAGE, stage.id)),
            key=stage.key,
            label=stage.label,
            probability=stage.probability,
            required_fields=sorted(field.api_name for field in stage.required),
            position=stage.position,
        )


@strawberry.type(name="Pipeline", description="A sales process: its stages in order.")
class PipelineNode(Node):
    name: str
    is_default: bool
    stale_after_days: int = strawberry.field(
        description="Open deals without activity for this many days are stale."
    )
    stages: list[PipelineStageNode]

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> PipelineNode:
        return cls(
            id=strawberry.ID(to_global_id(PIPELINE, pipeline.id)),
            name=pipeline.name,
            is_default=pipeline.is_default,
            stale_after_days=pipeline.stale_after_days,
            stages=[PipelineStageNode.from_stage(stage) for stage in pipeline.stages],
        )


def stage_node(info: Info, pipeline_id: str, stage_id: str) -> PipelineStageNode | None:
    pipeline = info.context.loaders.pipelines().get(pipeline_id)
    for stage in pipeline.stages if pipeline else ():
        if stage.id == stage_id:
            return PipelineStageNode.from_stage(stage)
    return None


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
        idle = info.context.services.sales.clock.now() - self.last_activity_at
        return idle.days >= pipeline.stale_after_days

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated[CustomerNode, strawberry.lazy("adapters.graphql.customers")] | None:
        from adapters.graphql.customers import load_customer

        return await load_customer(info, self.view.customer_id)

    @strawberry.field
    async def company(
        self, info: Info
    ) -> Annotated[CompanyNode, strawberry.lazy("adapters.graphql.companies")] | None:
        from adapters.graphql.companies import load_company

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


@strawberry.type(name="OpportunityEdge")
class OpportunityEdge:
    node: OpportunityNode
    edge: strawberry.Private[Edge[OpportunityView]]

    @strawberry.field
    def cursor(self) -> str:
        return self.edge.cursor


@strawberry.type(name="OpportunityConnection")
class OpportunityConnection:
    edges: list[OpportunityEdge]
    page_info: PageInfo
    where: strawberry.Private[OpportunityFilter]

    @strawberry.field(description="How many deals match the filter.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.sales.read_pipeline.count(context.principal, self.where)

    @classmethod
    def from_page(
        cls, page: Page[OpportunityView], where: OpportunityFilter
    ) -> OpportunityConnection:
        return cls(
            edges=[
                OpportunityEdge(node=OpportunityNode.from_view(e.node), edge=e) for e in page.edges
            ],
            page_info=PageInfo.from_page(page),  # type: ignore[arg-type]
            where=where,
        )


@strawberry.input
class OpportunityFilterInput:
    pipeline_id: strawberry.ID | None = None
    stage_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None
    customer_id: strawberry.ID | None = None
    status: OpportunityStatus | None = None

    def resolve(self) -> OpportunityFilter:
        from adapters.graphql.customers import CUSTOMER

        def read(value: strawberry.ID | None, kind: str, field: str) -> str | None:
            try:
                return local_id(value, kind) if value is not None else None
            except MalformedId:
                raise invalid_id_error(f"filter.{field}", kind) from None

        return OpportunityFilter(
            pipeline_id=read(self.pipeline_id, PIPELINE, "pipelineId"),
            stage_id=read(self.stage_id, STAGE, "stageId"),
            owner_id=read(self.owner_id, USER, "ownerId"),
            customer_id=read(self.customer_id, CUSTOMER, "customerId"),
            status=self.status.value if self.status else None,
        )


def opportunity_page(
    info: Info, where: OpportunityFilter, first: int | None, after: str | None
) -> OpportunityConnection:
    context = info.context
    try:
        page = context.services.sales.read_pipeline.opportunities(
            context.principal, where, first=first, after=after
        )
    except DomainError as error:
        raise query_error(error) from None
    return OpportunityConnection.from_page(page, where)


@strawberry.type(description="One column of the kanban board: a stage and its open deals.")
class BoardColumn:
    stage: PipelineStageNode
    count: int
    totals: list[MoneyTotal]
    pipeline_id: strawberry.Private[str]
    stage_id: strawberry.Private[str]

    @strawberry.field(description="The stage's open deals, newest first.")
    def opportunities(
        self, info: Info, first: int | None = BOARD_PAGE, after: str | None = None
    ) -> OpportunityConnection:
        where = OpportunityFilter(
            pipeline_id=self.pipeline_id, stage_id=self.stage_id, status="open"
        )
        return opportunity_page(info, where, first, after)


@strawberry.type(description="Open deals grouped by stage, with totals, for a kanban view.")
class PipelineBoard:
    pipeline: PipelineNode
    columns: list[BoardColumn]
    count: int
    totals: list[MoneyTotal]


def read_pipeline_id(value: strawberry.ID, field: str = "pipelineId") -> str:
    try:
        return local_id(value, PIPELINE)
    except MalformedId:
        raise invalid_id_error(field, PIPELINE) from None


@strawberry.type
class PipelineQuery:
    @strawberry.field(description="Every pipeline, the default first.")
    def pipelines(self, info: Info) -> list[PipelineNode]:
        try:
            found = info.context.loaders.pipelines()
        except DomainError as error:
            raise query_error(error) from None
        return [PipelineNode.from_pipeline(p) for p in found.values()]

    @strawberry.field(description="Deals, newest first, a keyset page at a time.")
    def opportunities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: OpportunityFilterInput | None = None,
    ) -> OpportunityConnection:
        where = filter.resolve() if filter else OpportunityFilter()
        return opportunity_page(info, where, first, after)

    @strawberry.field(description="Open deals of a pipeline grouped by stage, with totals.")
    def pipeline_board(self, info: Info, pipeline_id: strawberry.ID) -> PipelineBoard | None:
        context = info.context
        local = read_pipeline_id(pipeline_id)
        try:
            pipeline = context.loaders.pipelines().get(local)
            if pipeline is None:
                return None
            totals = {
                t.stage_id: t
                for t in context.services.sales.read_pipeline.board_totals(context.principal, local)
            }
        except DomainError as error:
            raise query_error(error) from None
        columns = []
        for stage in pipeline.stages:
            found = totals.get(stage.id)
            columns.append(
                BoardColumn(
                    stage=PipelineStageNode.from_stage(stage),
                    count=found.count if found else 0,
                    totals=[MoneyTotal.of(v) for v in found.values] if found else [],
                    pipeline_id=pipeline.id,
                    stage_id=stage.id,
                )
            )
        overall: dict[str, Decimal] = {}
        for found in totals.values():
            for value in found.values:
                overall[value.currency] = overall.get(value.currency, Decimal(0)) + value.amount
        return PipelineBoard(
            pipeline=PipelineNode.from_pipeline(pipeline),
            columns=columns,
            count=sum(column.count for column in columns),
            totals=[MoneyTotal(currency=c, amount=overall[c]) for c in sorted(overall)],
        )


@strawberry.input
class LineItemInput:
    product: str
    quantity: int
    unit_price: Decimal
    currency: str
    discount: Decimal | None = None


@strawberry.input
class CreateOpportunityInput:
    name: str
    customer_id: strawberry.ID
    currency: str
    pipeline_id: strawberry.ID | None = strawberry.field(
        default=None, description="The default pipeline when left out."
    )
    stage_id: strawberry.ID | None = strawberry.field(
        default=None, description="The pipeline's first stage when left out."
    )
    company_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="You, when left out."
    )
    amount: Decimal | None = None
    expected_close_date: date | None = None
    next_step: str = ""
    line_items: list[LineItemInput] = strawberry.field(default_factory=list)


@strawberry.type
class OpportunityPayload:
    opportunity: OpportunityNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MoveOpportunityInput:
    opportunity_id: strawberry.ID
    stage_id: strawberry.ID


@strawberry.input
class CloseOpportunityInput:
    opportunity_id: strawberry.ID
    outcome: OpportunityOutcome
    reason: str = strawberry.field(default="", description="Required, won or lost.")


def local_ids(values: dict[str, tuple[strawberry.ID | None, str]]) -> dict[str, str | None]:
    """Local ids of the given global ids; raises ``MalformedId`` naming the field."""
    found: dict[str, str | None] = {}
    for field, (value, kind) in values.items():
        try:
            found[field] = local_id(value, kind) if value is not None else None
        except MalformedId:
            raise MalformedId(field) from None
    return found


def new_opportunity(input: CreateOpportunityInput) -> NewOpportunity:
    from adapters.graphql.customers import COMPANY, CUSTOMER

    ids = local_ids(
        {
            "customerId": (input.customer_id, CUSTOMER),
            "pipelineId": (input.pipeline_id, PIPELINE),
            "stageId": (input.stage_id, STAGE),
            "companyId": (input.company_id, COMPANY),
            "ownerId": (input.owner_id, USER),
        }
    )
    return NewOpportunity(
        name=input.name,
        customer_id=ids["customerId"] or "",
        pipeline_id=ids["pipelineId"],
        stage_id=ids["stageId"],
        company_id=ids["companyId"],
        owner_id=ids["ownerId"],
        currency=input.currency,
        amount=str(input.amount) if input.amount is not None else None,
        expected_close_date=input.expected_close_date,
        next_step=input.next_step,
        line_items=[
            NewLineItem(
                product=item.product,
                quantity=item.quantity,
                unit_price=str(item.unit_price),
                currency=item.currency,
                discount=str(item.discount) if item.discount is not None else None,
            )
            for item in input.line_items
        ],
    )


@strawberry.type
class PipelineMutation:
    @strawberry.mutation(description="Open a deal for a customer in a pipeline.")
    def create_opportunity(self, info: Info, input: CreateOpportunityInput) -> OpportunityPayload:
        context = info.context
        try:
            new = new_opportunity(input)
        except MalformedId as bad:
            return OpportunityPayload(user_errors=invalid_id(str(bad)))
        try:
            opportunity = context.services.sales.create_opportunity(context.principal, new)
        except DomainError as error:
            return OpportunityPayload(user_errors=user_errors(error))
        return OpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))

    @strawberry.mutation(description="Move a deal to another stage of its pipeline.")
    def move_opportunity(self, info: Info, input: MoveOpportunityInput) -> OpportunityPayload:
        context = info.context
        try:
            ids = local_ids(
                {
                    "opportunityId": (input.opportunity_id, OPPORTUNITY),
                    "stageId": (input.stage_id, STAGE),
                }
            )
        except MalformedId as bad:
            return OpportunityPayload(user_errors=invalid_id(str(bad)))
        try:
            opportunity = context.services.sales.move_opportunity(
                context.principal, ids["opportunityId"] or "", ids["stageId"] or ""
            )
        except DomainError as error:
            return OpportunityPayload(user_errors=user_errors(error))
        return OpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))

    @strawberry.mutation(description="Close a deal as won or lost; either needs a reason.")
    def close_opportunity(self, info: Info, input: CloseOpportunityInput) -> OpportunityPayload:
        context = info.context
        try:
            opportunity_id = local_id(input.opportunity_id, OPPORTUNITY)
        except MalformedId:
            return OpportunityPayload(user_errors=invalid_id("opportunityId"))
        try:
            opportunity = context.services.sales.close_opportunity(
                context.principal, opportunity_id, Outcome(input.outcome.value), input.reason
            )
        except DomainError as error:
            return OpportunityPayload(user_errors=user_errors(error))
        return OpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))


async def load_opportunity(info: Info, opportunity_id: str) -> OpportunityNode | None:
    view = await info.context.loaders.opportunities.load(opportunity_id)
    return OpportunityNode.from_view(view) if view else None


def fetch_opportunity(info: Info, opportunity_id: str) -> OpportunityNode | None:
    context = info.context
    try:
        view = context.services.sales.read_pipeline.get_many(context.principal, [opportunity_id])
    except DomainError as error:
        raise query_error(error) from None
    found = view.get(opportunity_id)
    return OpportunityNode.from_view(found) if found else None
