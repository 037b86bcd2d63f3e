"""Opening, moving and closing deals through the API; refusals are userErrors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import UserError, UserErrors
from adapters.graphql.opportunities import OpportunityNode, OpportunityOutcome
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import local_id, local_ids_by_field
from adapters.graphql.type_names import COMPANY, CUSTOMER, OPPORTUNITY, PIPELINE, STAGE, USER
from application.pipeline.bundle import Sales
from application.pipeline.opportunities import NewLineItem, NewOpportunity
from domain.pipeline import Outcome


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


def new_opportunity(input: CreateOpportunityInput) -> NewOpportunity:
    ids = local_ids_by_field(
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
class OpportunityMutation:
    @strawberry.mutation(
        description="Open a deal for a customer in a pipeline.", extensions=[UserErrors()]
    )
    def create_opportunity(self, info: Info, input: CreateOpportunityInput) -> OpportunityPayload:
        context = info.context
        new = new_opportunity(input)
        opportunity = context.services.use(Sales).create_opportunity(context.principal, new)
        return OpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))

    @strawberry.mutation(
        description="Move a deal to another stage of its pipeline.", extensions=[UserErrors()]
    )
    def move_opportunity(self, info: Info, input: MoveOpportunityInput) -> OpportunityPayload:
        context = info.context
        ids = local_ids_by_field(
            {
                "opportunityId": (input.opportunity_id, OPPORTUNITY),
                "stageId": (input.stage_id, STAGE),
            }
        )
        opportunity = context.services.use(Sales).move_opportunity(
            context.principal, ids["opportunityId"] or "", ids["stageId"] or ""
        )
        return OpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))

    @strawberry.mutation(
        description="Close a deal as won or lost; either needs a reason.", extensions=[UserErrors()]
    )
    def close_opportunity(self, info: Info, input: CloseOpportunityInput) -> OpportunityPayload:
        context = info.context
        opportunity_id = local_id(input.opportunity_id, OPPORTUNITY, field="opportunityId")
        opportunity = context.services.use(Sales).close_opportunity(
            context.principal, opportunity_id, Outcome(input.outcome.value), input.reason
        )
        return OpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))


PART = SchemaPart(
    mutations=(OpportunityMutation,),
)
