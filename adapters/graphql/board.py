"""The kanban board: a pipeline's open deals grouped by stage, with totals.

A board costs the same few queries however many columns it has: the totals in one grouped
query, and the page of every column in one windowed query.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Annotated

import attrs
import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.field_security import HIDDEN_AMOUNT, Guarded
from adapters.graphql.money import Money
from adapters.graphql.opportunities import (
    OpportunityConnection,
    OrderArgument,
    grouped_opportunity_page,
    to_order,
)
from adapters.graphql.parts import SchemaPart
from adapters.graphql.pipeline import (
    PipelineNode,
    PipelineStageNode,
    read_pipeline_id,
)
from adapters.graphql.relay import local_id, local_ids
from adapters.graphql.sales_args import After, Before, First, Last, page_request
from adapters.graphql.type_names import TEAM, USER
from application.pipeline.bundle import Sales
from application.pipeline.views import OpportunityFilter, OpportunityOrder
from domain.access.roles import Resource


@strawberry.type(description="One column of the kanban board: a stage and its open deals.")
class BoardColumn:
    stage: PipelineStageNode = strawberry.field(description="The stage the column shows.")
    count: int = strawberry.field(description="How many open deals the column holds.")
    totals: list[Money] | None = strawberry.field(
        description="The sum of the column's deals, one per currency; never converted."
        + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount", aggregate=True)],
    )
    where: strawberry.Private[OpportunityFilter]
    stage_id: strawberry.Private[str]
    order: strawberry.Private[OpportunityOrder]

    @strawberry.field(
        description="The column's open deals, newest first unless the board is ordered "
        "otherwise, 20 unless asked for more; each column pages on its own.",
        extensions=[QueryErrors()],
    )
    async def opportunities(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> OpportunityConnection:
        return await grouped_opportunity_page(
            info,
            self.where,
            page_request(first, after, last, before),
            self.order,
            by="stage_id",
            key=self.stage_id,
            known_total=self.count,
        )


@strawberry.type(description="Open deals grouped by stage, with totals, for a kanban view.")
class PipelineBoard:
    pipeline: PipelineNode = strawberry.field(description="The pipeline on the board.")
    columns: list[BoardColumn] = strawberry.field(
        description="One column per stage, in the pipeline's order."
    )
    count: int = strawberry.field(description="How many open deals the board holds.")
    totals: list[Money] | None = strawberry.field(
        description="The sum of all the board's deals, one per currency; never converted."
        + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount", aggregate=True)],
    )


@strawberry.input(description="Which open deals a board shows; all must hold.")
class BoardFilter:
    owner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only deals one of these users owns."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only deals a member of this sales team owns."
    )


def _money(sums: dict[str, Decimal]) -> list[Money]:
    return [Money.in_currency(sums[code], code) for code in sorted(sums)]


@strawberry.type
class BoardQuery:
    @strawberry.field(
        description="Open deals of a pipeline grouped by stage, with totals.",
        extensions=[QueryErrors()],
    )
    def pipeline_board(
        self,
        info: Info,
        pipeline_id: Annotated[
            strawberry.ID, strawberry.argument(description="The pipeline to show.")
        ],
        filter: Annotated[
            BoardFilter | None, strawberry.argument(description="Whose deals to show.")
        ] = None,
        order_by: OrderArgument = None,
    ) -> PipelineBoard | None:
        context = info.context
        local = read_pipeline_id(pipeline_id)
        where = OpportunityFilter(pipeline_id=local, status="open")
        read = context.services.use(Sales).read_pipeline
        if filter is not None:
            where = attrs.evolve(
                where, owner_ids=local_ids(filter.owner_ids, USER, field="filter.ownerIds")
            )
            if filter.team_id is not None:
                team = local_id(filter.team_id, TEAM, field="filter.teamId")
                where = read.of_team(context.principal, where, team)
        pipeline = context.loaders.pipelines().get(local)
        if pipeline is None:
            return None
        totals = {t.stage_id: t for t in read.board_totals(context.principal, where)}
        order = to_order(order_by)
        columns = []
        overall: dict[str, Decimal] = defaultdict(Decimal)
        for stage in pipeline.stages:
            found = totals.get(stage.id)
            sums: dict[str, Decimal] = {}
            for value in found.values if found else ():
                sums[value.currency] = value.amount
                overall[value.currency] += value.amount
            columns.append(
                BoardColumn(
                    stage=PipelineStageNode.from_stage(stage),
                    count=found.count if found else 0,
                    totals=_money(sums),
                    where=where,
                    stage_id=stage.id,
                    order=order,
                )
            )
        return PipelineBoard(
            pipeline=PipelineNode.from_pipeline(pipeline),
            columns=columns,
            count=sum(column.count for column in columns),
            totals=_money(overall),
        )


PART = SchemaPart(
    queries=(BoardQuery,),
)
