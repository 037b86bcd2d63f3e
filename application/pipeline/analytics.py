"""Sales analytics: the funnel, win rate, deal size, cycle length and weighted forecast.

Storage aggregates (a few grouped queries); this module turns the sums into ratios, with
Decimal arithmetic so that figures are exact and the same on every adapter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from attrs import frozen

from application.errors import InvalidInput, NotFound
from application.pipeline.ports import PipelineReader, SalesAnalyticsReader
from application.pipeline.views import (
    CurrencyAmount,
    ForecastLine,
    Funnel,
    FunnelStage,
    OpenDealSlice,
)
from application.principal import Principal
from domain.access.roles import Permission, Resource
from domain.errors import ErrorCode
from domain.orders.money import Currency
from domain.pipeline import Pipeline

RATIO = Decimal("0.0001")
DAYS = Decimal("0.01")
SECONDS_PER_DAY = Decimal(86_400)
NO_DATE = "unscheduled"
NO_TEAM = "no team"


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class ForecastGrouping(StrEnum):
    NONE = "none"
    OWNER = "owner"
    TEAM = "team"


def ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(RATIO, ROUND_HALF_EVEN) if whole else None


def days(seconds: float | Decimal | None, count: int = 1) -> Decimal | None:
    if seconds is None or count == 0:
        return None
    return (Decimal(seconds) / count / SECONDS_PER_DAY).quantize(DAYS, ROUND_HALF_EVEN)


def period_of(close_month: date | None, period: Period) -> str:
    if close_month is None:
        return NO_DATE
    if period is Period.MONTH:
        return f"{close_month.year}-{close_month.month:02d}"
    return f"{close_month.year}-Q{(close_month.month - 1) // 3 + 1}"


@frozen
class SalesAnalytics:
    reader: SalesAnalyticsReader
    pipelines: PipelineReader

    def funnel(self, actor: Principal, pipeline_id: str, start: datetime, end: datetime) -> Funnel:
        """Count and value entering each stage in ``[start, end)``, stage-to-stage
        conversion, median days in stage; and of the deals closed in the window, the win
        rate, the average won deal per currency and the average won cycle in days. Only
        the deals the actor may see count: a rep's funnel is their own."""
        actor.require(Permission.READ_DEALS)
        pipeline = self._pipeline(pipeline_id)
        if end <= start:
            raise InvalidInput("to", ErrorCode.INVALID, "must be after from")
        visible = actor.visibility(Resource.DEALS)
        flows = {
            flow.stage_id: flow
            for flow in self.reader.stage_flows(pipeline.id, start, end, visible=visible)
        }
        entered = [flows[s.id].entered if s.id in flows else 0 for s in pipeline.stages]
        stages = []
        for index, stage in enumerate(pipeline.stages):
            flow = flows.get(stage.id)
            following = entered[index + 1] if index + 1 < len(entered) else None
            stages.append(
                FunnelStage(
                    stage_id=stage.id,
                    entered=entered[index],
                    values=flow.values if flow else (),
                    conversion_to_next=(
                        ratio(following, entered[index]) if following is not None else None
                    ),
                    median_days_in_stage=days(flow.median_seconds) if flow else None,
                )
            )
        closed = self.reader.closed_deals(pipeline.id, start, end, visible=visible)
        return Funnel(
            pipeline_id=pipeline.id,
            start=start,
            end=end,
            stages=tuple(stages),
            won=closed.won,
            lost=closed.lost,
            win_rate=ratio(closed.won, closed.won + closed.lost),
            average_deal_sizes=tuple(
                CurrencyAmount(
                    total.currency,
                    (total.amount / total.count).quantize(
                        Currency(total.currency).quantum, ROUND_HALF_EVEN
                    ),
                )
                for total in closed.won_values
                if total.count
            ),
            average_cycle_days=days(closed.won_cycle_seconds, closed.won),
        )

    def forecast(
        self,
        actor: Principal,
        pipeline_id: str,
        period: Period,
        grouping: ForecastGrouping = ForecastGrouping.NONE,
    ) -> Sequence[ForecastLine]:
        """Open deals by expected close period (and owner or team), with the amount and
        the amount weighted by the stage's win probability, per currency. Exact: the
        weighted sums keep every digit. Only the deals the actor may see count: a rep's
        forecast is their own pipeline, a manager's their team's."""
        actor.require(Permission.READ_DEALS)
        pipeline = self._pipeline(pipeline_id)
        probability = {stage.id: stage.probability for stage in pipeline.stages}
        group_of = self._grouping(grouping)
        sums: dict[tuple[str, str | None, str], list[Decimal]] = defaultdict(
            lambda: [Decimal(0), Decimal(0), Decimal(0)]
        )
        for row in self.reader.open_deal_slices(
            pipeline.id, visible=actor.visibility(Resource.DEALS)
        ):
            key = (period_of(row.close_month, period), group_of(row), row.currency)
            line = sums[key]
            line[0] += row.count
            line[1] += row.amount
            line[2] += row.amount * probability.get(row.stage_id, 0) / 100
        return [
            ForecastLine(
                period=period_name,
                group=group,
                currency=currency,
                count=int(count),
                amount=amount,
                weighted=weighted,
            )
            for (period_name, group, currency), (count, amount, weighted) in sorted(
                sums.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2])
            )
        ]

    def _grouping(self, grouping: ForecastGrouping) -> Callable[[OpenDealSlice], str | None]:
        if grouping is ForecastGrouping.OWNER:
            return lambda row: row.owner_id
        if grouping is ForecastGrouping.TEAM:
            team_of: dict[str, str] = {}
            for team in sorted(self.pipelines.teams(), key=lambda t: t.name):
                for member in team.members:
                    team_of.setdefault(member.user_id, team.name)
            return lambda row: team_of.get(row.owner_id, NO_TEAM)
        return lambda row: None

    def _pipeline(self, pipeline_id: str) -> Pipeline:
        for pipeline in self.pipelines.pipelines():
            if pipeline.id == pipeline_id:
                return pipeline
        raise NotFound("pipelineId", "no pipeline has this id")
