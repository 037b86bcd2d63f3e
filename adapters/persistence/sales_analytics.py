"""Sales analytics in SQL: a few grouped queries over covering indexes, whatever the volume."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    func,
    select,
)

from adapters.persistence.pipeline_reads import OPEN, currency_sums, money, visible_deals
from adapters.persistence.tables import (
    opportunities,
    opportunity_stage_entries,
)
from application.pipeline.views import (
    ClosedDeals,
    CurrencyTotal,
    OpenDealSlice,
    StageFlow,
)
from domain.access.visibility import Visibility
from domain.pipeline import OpportunityStatus


def _of_visible_deals(
    opportunity_id: ColumnElement[Any], visible: Visibility
) -> list[ColumnElement[bool]]:
    """Stays in stages of the deals ``visible`` admits; none when it admits every deal."""
    deals = visible_deals(visible)
    if not deals:
        return []
    return [opportunity_id.in_(select(opportunities.c.id).where(*deals))]


class SqlSalesAnalyticsReader:
    """Each figure is one grouped query over a covering index; medians are computed by the
    database too (see ``_medians``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _all(self, query: Select[Any]) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(query))

    def stage_flows(
        self, pipeline_id: str, start: datetime, end: datetime, *, visible: Visibility
    ) -> Sequence[StageFlow]:
        e = opportunity_stage_entries.c
        window = and_(
            e.pipeline_id == pipeline_id,
            e.entered_at >= start,
            e.entered_at < end,
            *_of_visible_deals(e.opportunity_id, visible),
        )
        entered = (
            select(e.stage_id, e.currency, func.count(), func.sum(e.amount_minor))
            .where(window, e.first_entry.is_(True))
            .group_by(e.stage_id, e.currency)
        )
        counts: dict[str, int] = defaultdict(int)
        sums: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
        for stage_id, currency, count, total in self._all(entered):
            counts[stage_id] += count
            sums[stage_id].append((currency, total))
        median = self._medians(and_(window, e.seconds.is_not(None)))
        return [
            StageFlow(
                stage_id=stage,
                entered=counts.get(stage, 0),
                values=currency_sums(sums.get(stage, [])),
                median_seconds=median.get(stage),
            )
            for stage in sorted(set(counts) | set(median))
        ]

    def _medians(self, stays: ColumnElement[bool]) -> dict[str, float]:
        """The median seconds in stage of each stage's ``stays``.

        PostgreSQL computes it as an ordered-set aggregate; SQLite has none, so each stage's
        middle one or two stays are read by offset, which sorts only up to the middle.
        """
        e = opportunity_stage_entries.c
        if self._engine.dialect.name == "postgresql":
            query = (
                select(e.stage_id, func.percentile_cont(0.5).within_group(e.seconds))
                .where(stays)
                .group_by(e.stage_id)
            )
            return {stage: float(seconds) for stage, seconds in self._all(query)}
        counts = self._all(select(e.stage_id, func.count()).where(stays).group_by(e.stage_id))
        found = {}
        for stage, count in counts:
            middle = (
                select(e.seconds)
                .where(stays, e.stage_id == stage)
                .order_by(e.seconds)
                .offset((count - 1) // 2)
                .limit(2 - count % 2)
            )
            values = [row.seconds for row in self._all(middle)]
            found[stage] = sum(values) / len(values)
        return found

    def closed_deals(
        self, pipeline_id: str, start: datetime, end: datetime, *, visible: Visibility
    ) -> ClosedDeals:
        c = opportunities.c
        query = (
            select(
                c.status,
                c.currency,
                func.count(),
                func.count(c.amount_minor),
                func.sum(c.amount_minor),
                func.sum(c.cycle_seconds),
            )
            .where(
                c.pipeline_id == pipeline_id,
                c.closed_at >= start,
                c.closed_at < end,
                *visible_deals(visible),
            )
            .group_by(c.status, c.currency)
        )
        won = lost = cycle = 0
        values: list[CurrencyTotal] = []
        for status, currency, count, priced, total, seconds in self._all(query):
            if status == OpportunityStatus.WON.value:
                won += count
                cycle += int(seconds or 0)
                if priced:
                    values.append(
                        CurrencyTotal(currency, priced, money(total, currency) or Decimal(0))
                    )
            elif status == OpportunityStatus.LOST.value:
                lost += count
        return ClosedDeals(
            won=won,
            lost=lost,
            won_values=tuple(sorted(values, key=lambda v: v.currency)),
            won_cycle_seconds=cycle,
        )

    def open_deal_slices(self, pipeline_id: str, *, visible: Visibility) -> Sequence[OpenDealSlice]:
        c = opportunities.c
        query = (
            select(
                c.close_month,
                c.owner_id,
                c.stage_id,
                c.currency,
                func.count(),
                func.sum(c.amount_minor),
            )
            .where(c.pipeline_id == pipeline_id, c.status == OPEN, *visible_deals(visible))
            .group_by(c.close_month, c.owner_id, c.stage_id, c.currency)
        )
        return [
            OpenDealSlice(
                close_month=month,
                owner_id=owner,
                stage_id=stage,
                currency=currency,
                count=count,
                amount=money(total, currency) or Decimal(0),
            )
            for month, owner, stage, currency, count, total in self._all(query)
        ]
