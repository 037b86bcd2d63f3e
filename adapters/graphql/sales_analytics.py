"""Sales analytics in the API: the funnel and the weighted forecast of a pipeline."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.pipeline import (
    MoneyTotal,
    PipelineNode,
    PipelineStageNode,
    read_pipeline_id,
    stage_node,
)
from application.pipeline.analytics import ForecastGrouping, Period
from application.pipeline.bundle import Sales


@strawberry.enum(description="How a forecast is bucketed by expected close date.")
class ForecastPeriod(Enum):
    MONTH = "month"
    QUARTER = "quarter"


@strawberry.enum(description="Who a forecast is broken down by.")
class ForecastGroupBy(Enum):
    NONE = "none"
    OWNER = "owner"
    TEAM = "team"


@strawberry.type(description="What entered one stage in the window.")
class FunnelStage:
    entered: int = strawberry.field(description="Deals entering the stage for the first time.")
    values: list[MoneyTotal] = strawberry.field(description="Their value when they entered.")
    conversion_to_next: Decimal | None = strawberry.field(
        description="Entries of the next stage over entries of this one, to 4 places."
    )
    median_days_in_stage: Decimal | None = strawberry.field(
        description="Over the stays that began in the window and have ended."
    )
    pipeline_id: strawberry.Private[str]
    stage_id: strawberry.Private[str]

    @strawberry.field
    def stage(self, info: Info) -> PipelineStageNode | None:
        return stage_node(info, self.pipeline_id, self.stage_id)


@strawberry.type(description="A pipeline's funnel and outcomes over a time window.")
class SalesFunnel:
    pipeline: PipelineNode | None
    from_: datetime = strawberry.field(name="from")
    to: datetime
    stages: list[FunnelStage]
    won: int = strawberry.field(description="Deals won in the window.")
    lost: int
    win_rate: Decimal | None = strawberry.field(description="Won over won and lost, to 4 places.")
    average_deal_sizes: list[MoneyTotal] = strawberry.field(
        description="The mean won deal, per currency."
    )
    average_cycle_days: Decimal | None = strawberry.field(
        description="Mean days from opening to winning, of the deals won."
    )


@strawberry.type(description="Open deals expected to close in one period.")
class ForecastLine:
    period: str = strawberry.field(description="2026-03, 2026-Q1, or unscheduled.")
    group: str | None = strawberry.field(description="The owner's user id or the team's name.")
    currency: str
    count: int
    amount: Decimal
    weighted: Decimal = strawberry.field(description="Amount times stage probability, exact.")


@strawberry.type
class SalesAnalyticsQuery:
    @strawberry.field(
        description="Count, value and conversion per stage; win rate and cycle.",
        extensions=[QueryErrors()],
    )
    def sales_funnel(
        self,
        info: Info,
        pipeline_id: strawberry.ID,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> SalesFunnel:
        context = info.context
        local = read_pipeline_id(pipeline_id)
        funnel = context.services.use(Sales).analytics.funnel(context.principal, local, from_, to)
        pipeline = context.loaders.pipelines().get(local)
        return SalesFunnel(
            pipeline=PipelineNode.from_pipeline(pipeline) if pipeline else None,
            from_=funnel.start,
            to=funnel.end,
            stages=[
                FunnelStage(
                    entered=s.entered,
                    values=[MoneyTotal.of(v) for v in s.values],
                    conversion_to_next=s.conversion_to_next,
                    median_days_in_stage=s.median_days_in_stage,
                    pipeline_id=local,
                    stage_id=s.stage_id,
                )
                for s in funnel.stages
            ],
            won=funnel.won,
            lost=funnel.lost,
            win_rate=funnel.win_rate,
            average_deal_sizes=[MoneyTotal.of(v) for v in funnel.average_deal_sizes],
            average_cycle_days=funnel.average_cycle_days,
        )

    @strawberry.field(
        description="Open deals by close period: amount and weighted amount.",
        extensions=[QueryErrors()],
    )
    def sales_forecast(
        self,
        info: Info,
        pipeline_id: strawberry.ID,
        period: ForecastPeriod,
        group_by: ForecastGroupBy = ForecastGroupBy.NONE,
    ) -> list[ForecastLine]:
        context = info.context
        local = read_pipeline_id(pipeline_id)
        lines = context.services.use(Sales).analytics.forecast(
            context.principal, local, Period(period.value), ForecastGrouping(group_by.value)
        )
        return [
            ForecastLine(
                period=line.period,
                group=line.group,
                currency=line.currency,
                count=line.count,
                amount=line.amount,
                weighted=line.weighted,
            )
            for line in lines
        ]


PART = SchemaPart(
    queries=(SalesAnalyticsQuery,),
)
