"""The kanban board: a pipeline's open deals grouped by stage, with totals."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.opportunities import OpportunityConnection, opportunity_page
from adapters.graphql.parts import SchemaPart
from adapters.graphql.pipeline import (
    MoneyTotal,
    PipelineNode,
    PipelineStageNode,
    read_pipeline_id,
)
from application.pipeline.bundle import Sales
from application.pipeline.views import OpportunityFilter

BOARD_PAGE = 20


@strawberry.type(description="One column of the kanban board: a stage and its open deals.")
class BoardColumn:
    stage: PipelineStageNode
    count: int
    totals: list[MoneyTotal]
    pipeline_id: strawberry.Private[str]
    stage_id: strawberry.Private[str]

    @strawberry.field(
        description="The stage's open deals, newest first.", extensions=[QueryErrors()]
    )
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


@strawberry.type
class BoardQuery:
    @strawberry.field(
        description="Open deals of a pipeline grouped by stage, with totals.",
        extensions=[QueryErrors()],
    )
    def pipeline_board(self, info: Info, pipeline_id: strawberry.ID) -> PipelineBoard | None:
        context = info.context
        local = read_pipeline_id(pipeline_id)
        pipeline = context.loaders.pipelines().get(local)
        if pipeline is None:
            return None
        totals = {
            t.stage_id: t
            for t in context.services.use(Sales).read_pipeline.board_totals(
                context.principal, local
            )
        }
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


PART = SchemaPart(
    queries=(BoardQuery,),
)
