"""Opening, editing, moving and closing deals through the API; refusals are userErrors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.errors import UserError, UserErrors
from adapters.graphql.money import CurrencyCode, MoneyInput
from adapters.graphql.opportunities import OpportunityNode, OpportunityOutcome
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import local_id, local_ids_by_field
from adapters.graphql.type_names import COMPANY, CUSTOMER, OPPORTUNITY, PIPELINE, STAGE, USER
from application.pipeline.bundle import Sales
from application.pipeline.opportunities import NewLineItem, NewOpportunity, OpportunityPatch
from domain.changes import KEEP
from domain.errors import ErrorCode, InvalidValue
from domain.pipeline import Outcome


@strawberry.input(description="A product on a deal.")
class LineItemInput:
    product: str = strawberry.field(description="What is sold; up to 120 characters.")
    quantity: int = strawberry.field(description="How many, at least 1.")
    unit_price: MoneyInput = strawberry.field(
        description="The price of one, in the deal's currency."
    )
    discount: Decimal | None = strawberry.field(
        default=None,
        description="Taken off the line, in the unit price's currency; none when left out.",
    )


def _line_items(items: list[LineItemInput]) -> list[NewLineItem]:
    return [
        NewLineItem(
            product=item.product,
            quantity=item.quantity,
            unit_price=str(item.unit_price.amount),
            currency=item.unit_price.currency,
            discount=str(item.discount) if item.discount is not None else None,
        )
        for item in items
    ]


@strawberry.input(description="A new deal.")
class CreateOpportunityInput:
    name: str = strawberry.field(description="What the deal is called; up to 200 characters.")
    customer_id: strawberry.ID = strawberry.field(description="The customer the deal is with.")
    currency: CurrencyCode = strawberry.field(
        description="The deal's currency: its amount and line items must be in it."
    )
    pipeline_id: strawberry.ID | None = strawberry.field(
        default=None, description="The default pipeline when left out."
    )
    stage_id: strawberry.ID | None = strawberry.field(
        default=None, description="The pipeline's first stage when left out."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="The company the deal is with, if any."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="You, when left out."
    )
    amount: MoneyInput | None = strawberry.field(
        default=None,
        description="What the deal is worth, in its currency; the sum of the line items "
        "when left out.",
    )
    expected_close_date: date | None = strawberry.field(
        default=None, description="When the deal is expected to close."
    )
    next_step: str = strawberry.field(default="", description="What happens next.")
    line_items: list[LineItemInput] = strawberry.field(
        default_factory=list, description="The products on the deal."
    )


@strawberry.type(description="The deal opened, or why it was not.")
class CreateOpportunityPayload:
    opportunity: OpportunityNode | None = strawberry.field(
        default=None, description="The new deal; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the deal was not opened; empty on success."
    )


@strawberry.input(
    description="Changes to an open deal: fields left out stay as they are; null clears a "
    "field that may be empty."
)
class UpdateOpportunityInput:
    id: strawberry.ID = strawberry.field(description="The deal to change.")
    version: int = strawberry.field(
        description="The version you read; a deal changed since is refused with STALE_VERSION "
        "and nothing changes."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    amount: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="What the deal is worth; the deal takes its currency. Null clears it "
        "(the line items' sum, if any, takes its place).",
    )
    expected_close_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="When the deal should close; null clears it."
    )
    next_step: str | None = strawberry.field(
        default=strawberry.UNSET, description="What happens next; null or empty clears it."
    )
    line_items: list[LineItemInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The products on the deal, all of them; null or empty removes them.",
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The rep who owns the deal from now on."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The company the deal is with; null unlinks it."
    )


@strawberry.type(description="The deal as changed, or why it was not.")
class UpdateOpportunityPayload:
    opportunity: OpportunityNode | None = strawberry.field(
        default=None, description="The deal after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="A deal dragged to another stage.")
class MoveOpportunityInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The deal to move.")
    stage_id: strawberry.ID = strawberry.field(description="A stage of the deal's pipeline.")
    version: int = strawberry.field(
        description="The version of the card you dragged; when someone else moved or changed "
        "the deal since, the move is refused with STALE_VERSION and nothing moves."
    )


@strawberry.type(description="The deal at its new stage, or why it did not move.")
class MoveOpportunityPayload:
    opportunity: OpportunityNode | None = strawberry.field(
        default=None, description="The deal after the move; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the deal did not move; empty on success."
    )


@strawberry.input(description="A deal won or lost.")
class CloseOpportunityInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The deal to close.")
    outcome: OpportunityOutcome = strawberry.field(description="Won or lost.")
    reason: str = strawberry.field(default="", description="Required, won or lost.")
    version: int | None = strawberry.field(
        default=None,
        description="The version you read; when given, a deal changed since is refused with "
        "STALE_VERSION.",
    )


@strawberry.type(description="The closed deal, or why it was not closed.")
class CloseOpportunityPayload:
    opportunity: OpportunityNode | None = strawberry.field(
        default=None, description="The deal after closing; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the deal was not closed; empty on success."
    )


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
        amount=str(input.amount.amount) if input.amount is not None else None,
        amount_currency=input.amount.currency if input.amount is not None else None,
        expected_close_date=input.expected_close_date,
        next_step=input.next_step,
        line_items=_line_items(input.line_items),
    )


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


def opportunity_patch(input: UpdateOpportunityInput) -> OpportunityPatch:
    """The patch for ``input``; ``MalformedId`` for a bad id, ``DomainError`` for a null
    where a deal needs a value."""
    if input.name is None:
        raise InvalidValue("name", ErrorCode.REQUIRED, "cannot be null; a deal needs a name")
    if input.owner_id is None:
        raise InvalidValue("ownerId", ErrorCode.REQUIRED, "cannot be null; a deal has an owner")
    amount: Any = KEEP
    if _given(input.amount):
        amount = (
            (str(input.amount.amount), str(input.amount.currency))
            if input.amount is not None
            else None
        )
    company: Any = KEEP
    if _given(input.company_id):
        company = (
            local_id(input.company_id, COMPANY, field="companyId")
            if input.company_id is not None
            else None
        )
    return OpportunityPatch(
        opportunity_id=local_id(input.id, OPPORTUNITY, field="id"),
        expected_version=input.version,
        name=input.name if _given(input.name) else KEEP,
        amount=amount,
        expected_close_date=input.expected_close_date
        if _given(input.expected_close_date)
        else KEEP,
        next_step=(input.next_step or "") if _given(input.next_step) else KEEP,
        line_items=_line_items(input.line_items or []) if _given(input.line_items) else KEEP,
        owner_id=local_id(input.owner_id, USER, field="ownerId")
        if _given(input.owner_id)
        else KEEP,
        company_id=company,
    )


@strawberry.type
class OpportunityMutation:
    @strawberry.mutation(
        description="Open a deal for a customer in a pipeline.", extensions=[UserErrors()]
    )
    def create_opportunity(
        self,
        info: Info,
        input: Annotated[
            CreateOpportunityInput, strawberry.argument(description="The deal to open.")
        ],
    ) -> CreateOpportunityPayload:
        context = info.context
        new = new_opportunity(input)
        opportunity = context.services.use(Sales).create_opportunity(context.principal, new)
        return CreateOpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))

    @strawberry.mutation(
        description="Edit an open deal: name, amount, dates, next step, line items, owner or "
        "company. What its stage requires must stay filled.",
        extensions=[UserErrors()],
    )
    def update_opportunity(
        self,
        info: Info,
        input: Annotated[
            UpdateOpportunityInput,
            strawberry.argument(description="The deal, the version read, and the changes."),
        ],
    ) -> UpdateOpportunityPayload:
        context = info.context
        patch = opportunity_patch(input)
        opportunity = context.services.use(Sales).update_opportunity(context.principal, patch)
        return UpdateOpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))

    @strawberry.mutation(
        description="Move a deal to another stage of its pipeline, if it is at the version "
        "the mover saw.",
        extensions=[UserErrors()],
    )
    def move_opportunity(
        self,
        info: Info,
        input: Annotated[
            MoveOpportunityInput,
            strawberry.argument(description="The deal, the stage, and the version the mover saw."),
        ],
    ) -> MoveOpportunityPayload:
        context = info.context
        ids = local_ids_by_field(
            {
                "opportunityId": (input.opportunity_id, OPPORTUNITY),
                "stageId": (input.stage_id, STAGE),
            }
        )
        opportunity = context.services.use(Sales).move_opportunity(
            context.principal, ids["opportunityId"] or "", ids["stageId"] or "", input.version
        )
        return MoveOpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))

    @strawberry.mutation(
        description="Close a deal as won or lost; either needs a reason.", extensions=[UserErrors()]
    )
    def close_opportunity(
        self,
        info: Info,
        input: Annotated[
            CloseOpportunityInput, strawberry.argument(description="The deal and how it ended.")
        ],
    ) -> CloseOpportunityPayload:
        context = info.context
        opportunity_id = local_id(input.opportunity_id, OPPORTUNITY, field="opportunityId")
        opportunity = context.services.use(Sales).close_opportunity(
            context.principal,
            opportunity_id,
            Outcome(enum_value(input.outcome)),
            input.reason,
            expected_version=input.version,
        )
        return CloseOpportunityPayload(opportunity=OpportunityNode.from_opportunity(opportunity))


PART = SchemaPart(
    mutations=(OpportunityMutation,),
)
