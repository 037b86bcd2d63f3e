"""Sales analytics in the API: the funnel and the weighted forecast of a pipeline."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.errors import QueryErrors
from adapters.graphql.field_security import HIDDEN_AMOUNT, Guarded
from adapters.graphql.money import Money
from adapters.graphql.parts import SchemaPart
from adapters.graphql.pipeline import (
    PipelineNode,
    PipelineStageNode,
    read_pipeline_id,
    stage_node,
)
from adapters.graphql.sales_teams import SalesTeamNode
from application.pipeline.analytics import ForecastGrouping, Period
from application.pipeline.bundle import Sales
from domain.access.roles import Resource


@strawberry.enum(description="How a forecast is bucketed by expected close date.")
class ForecastPeriod(Enum):
    MONTH = strawberry.enum_value("month", description="By calendar month: 2026-03.")
    QUARTER = strawberry.enum_value("quarter", description="By calendar quarter: 2026-Q1.")


@strawberry.enum(description="Who a forecast is broken down by.")
class ForecastGroupBy(Enum):
    NONE = strawberry.enum_value("none", description="No breakdown: one line per period.")
    OWNER = strawberry.enum_value("owner", description="One line per deal owner.")
    TEAM = strawberry.enum_value("team", description="One line per sales team.")


@strawberry.type(description="What entered one stage in the window.")
class FunnelStage:
    entered: int = strawberry.field(description="Deals entering the stage for the first time.")
    values: list[Money] | None = strawberry.field(
        description="Their value when they entered, one sum per currency." + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount", aggregate=True)],
    )
    conversion_to_next: Decimal | None = strawberry.field(
        description="Entries of the next stage over entries of this one, to 4 places."
    )
    median_days_in_stage: Decimal | None = strawberry.field(
        description="Over the stays that began in the window and have ended."
    )
    pipeline_id: strawberry.Private[str]
    stage_id: strawberry.Private[str]

    @strawberry.field(description="The stage.")
    def stage(self, info: Info) -> PipelineStageNode | None:
        return stage_node(info, self.pipeline_id, self.stage_id)


@strawberry.type(description="A pipeline's funnel and outcomes over a time window.")
class SalesFunnel:
    pipeline: PipelineNode | None = strawberry.field(description="The pipeline.")
    from_: datetime = strawberry.field(name="from", description="The window's start, included.")
    to: datetime = strawberry.field(description="The window's end, excluded.")
    stages: list[FunnelStage] = strawberry.field(description="Every stage, in order.")
    won: int = strawberry.field(description="Deals won in the window.")
    lost: int = strawberry.field(description="Deals lost in the window.")
    win_rate: Decimal | None = strawberry.field(description="Won over won and lost, to 4 places.")
    average_deal_sizes: list[Money] | None = strawberry.field(
        description="The mean won deal, per currency." + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount", aggregate=True)],
    )
    average_cycle_days: Decimal | None = strawberry.field(
        description="Mean days from opening to winning, of the deals won."
    )


@strawberry.type(description="Open deals expected to close in one period, in one currency.")
class ForecastLine:
    period: str = strawberry.field(description="2026-03, 2026-Q1, or unscheduled.")
    count: int = strawberry.field(description="How many deals.")
    amount: Money | None = strawberry.field(
        description="Their amounts added up." + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount", aggregate=True)],
    )
    weighted: Money | None = strawberry.field(
        description="Amount times stage probability, exact." + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount", aggregate=True)],
    )
    grouping: strawberry.Private[ForecastGroupBy]
    group_key: strawberry.Private[str | None]
    """The owner's local id or the team's name, as storage groups the line."""

    @strawberry.field(
        description="A label for the line: the owner's name or the team's name (see owner "
        "and team); null on lines without breakdown and for deals of owners on no team."
    )
    async def group(self, info: Info) -> str | None:
        if self.grouping is ForecastGroupBy.OWNER:
            owner = await self.owner(info)
            return owner.name if owner is not None else None
        return self.group_key

    @strawberry.field(description="The deals' owner, on lines broken down by owner.")
    async def owner(self, info: Info) -> UserNode | None:
        if self.grouping is not ForecastGroupBy.OWNER or self.group_key is None:
            return None
        return await load_user(info, self.group_key)

    @strawberry.field(
        description="The owners' sales team, on lines broken down by team; null for owners "
        "on no team."
    )
    def team(self, info: Info) -> SalesTeamNode | None:
        if self.grouping is not ForecastGroupBy.TEAM:
            return None
        context = info.context
        for team in context.services.use(Sales).read_pipeline.teams(context.principal):
            if team.name == self.group_key:
                return SalesTeamNode.from_team(team)
        return None


PipelineArgument = Annotated[
    strawberry.ID, strawberry.argument(description="The pipeline to analyse.")
]


@strawberry.type
class SalesAnalyticsQuery:
    @strawberry.field(
        description="Count, value and conversion per stage; win rate and cycle.",
        extensions=[QueryErrors()],
    )
    def sales_funnel(
        self,
        info: Info,
        pipeline_id: PipelineArgument,
        from_: Annotated[
            datetime, strawberry.argument(name="from", description="The window's start, included.")
        ],
        to: Annotated[datetime, strawberry.argument(description="The window's end, excluded.")],
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
                    values=[Money.of(v) for v in s.values],
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
            average_deal_sizes=[Money.of(v) for v in funnel.average_deal_sizes],
            average_cycle_days=funnel.average_cycle_days,
        )

    @strawberry.field(
        description="Open deals by close period: amount and weighted amount.",
        extensions=[QueryErrors()],
    )
    def sales_forecast(
        self,
        info: Info,
        pipeline_id: PipelineArgument,
        period: Annotated[ForecastPeriod, strawberry.argument(description="Months or quarters.")],
        group_by: Annotated[
            ForecastGroupBy, strawberry.argument(description="A breakdown by owner or team.")
        ] = ForecastGroupBy.NONE,
    ) -> list[ForecastLine]:
        context = info.context
        local = read_pipeline_id(pipeline_id)
        lines = context.services.use(Sales).analytics.forecast(
            context.principal,
            local,
            Period(enum_value(period)),
            ForecastGrouping(enum_value(group_by)),
        )
        return [
            ForecastLine(
                period=line.period,
                group_key=line.group,
                count=line.count,
                amount=Money.in_currency(line.amount, line.currency),
                weighted=Money.in_currency(line.weighted, line.currency),
                grouping=group_by,
            )
            for line in lines
        ]


PART = SchemaPart(
    queries=(SalesAnalyticsQuery,),
)
