"""Reading the pipeline in SQL: lists by keyset, the board, and the analytics' aggregates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    Table,
    bindparam,
    func,
    or_,
    select,
    tuple_,
)

from adapters.persistence.pipeline_rows import (
    entry_of,
    lead_of,
    opportunity_of,
    pipeline_of,
    task_of,
    team_of,
)
from adapters.persistence.tables import (
    customers,
    event_daily_counts,
    leads,
    opportunities,
    opportunity_stage_entries,
    pipelines,
    sales_teams,
    tasks,
)
from application.pagination import SortKey
from application.pipeline.views import (
    BoardColumnTotals,
    CurrencyAmount,
    LeadFilter,
    LeadView,
    OpportunityFilter,
    OpportunityView,
    TaskFilter,
    TaskView,
)
from domain.orders.money import Currency
from domain.pipeline import OpportunityStatus, Pipeline, SalesTeam, StageEntry

CHUNK = 5000
OPEN = OpportunityStatus.OPEN.value


def money(minor: int | None, currency: str) -> Decimal | None:
    if minor is None:
        return None
    return Decimal(minor).scaleb(-Currency(currency).minor_units)


def _before(table: Table, column: str, after: SortKey, *, descending: bool) -> ColumnElement[bool]:
    position = tuple_(table.c[column], table.c.id)
    bound = tuple_(
        bindparam(None, after.value, type_=table.c[column].type),
        bindparam(None, after.id, type_=table.c.id.type),
    )
    return position < bound if descending else position > bound


def _opportunity_conditions(where: OpportunityFilter) -> list[ColumnElement[bool]]:
    c = opportunities.c
    wanted = (
        (c.pipeline_id, where.pipeline_id),
        (c.stage_id, where.stage_id),
        (c.owner_id, where.owner_id),
        (c.customer_id, where.customer_id),
        (c.company_id, where.company_id),
        (c.status, where.status),
    )
    found = [column == value for column, value in wanted if value is not None]
    if where.inactive_since is not None:
        found.append(c.last_activity_at <= where.inactive_since)
    return found


def currency_sums(rows: Iterable[tuple[str, int | None]]) -> tuple[CurrencyAmount, ...]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, minor in rows:
        if minor is not None:
            totals[currency] += money(minor, currency) or Decimal(0)
    return tuple(CurrencyAmount(c, totals[c]) for c in sorted(totals))


class SqlPipelineReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _all(self, query: Select[Any]) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(query))

    def pipelines(self) -> Sequence[Pipeline]:
        found = [pipeline_of(row) for row in self._all(select(pipelines))]
        return sorted(found, key=lambda p: (not p.is_default, p.name, p.id))

    def teams(self) -> Sequence[SalesTeam]:
        query = select(sales_teams).order_by(sales_teams.c.name, sales_teams.c.id)
        return [team_of(row) for row in self._all(query)]

    def get_many(self, ids: Iterable[str]) -> Mapping[str, OpportunityView]:
        wanted = sorted(set(ids))
        found: dict[str, OpportunityView] = {}
        for start in range(0, len(wanted), CHUNK):
            query = select(opportunities).where(
                opportunities.c.id.in_(wanted[start : start + CHUNK])
            )
            found.update(
                (row.id, OpportunityView.from_opportunity(opportunity_of(row, [])))
                for row in self._all(query)
            )
        return found

    def count(self, where: OpportunityFilter) -> int:
        query = (
            select(func.count()).select_from(opportunities).where(*_opportunity_conditions(where))
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def slice(
        self, where: OpportunityFilter, *, after: SortKey | None, limit: int
    ) -> Sequence[OpportunityView]:
        query = select(opportunities).where(*_opportunity_conditions(where))
        if after is not None:
            query = query.where(_before(opportunities, "created_at", after, descending=True))
        query = query.order_by(opportunities.c.created_at.desc(), opportunities.c.id.desc())
        return [
            OpportunityView.from_opportunity(opportunity_of(row, []))
            for row in self._all(query.limit(limit))
        ]

    def entries_of(self, opportunity_ids: Collection[str]) -> Mapping[str, Sequence[StageEntry]]:
        found: dict[str, list[StageEntry]] = {i: [] for i in opportunity_ids}
        wanted = sorted(found)
        e = opportunity_stage_entries.c
        for start in range(0, len(wanted), CHUNK):
            query = (
                select(opportunity_stage_entries)
                .where(e.opportunity_id.in_(wanted[start : start + CHUNK]))
                .order_by(e.opportunity_id, e.entered_at, e.id)
            )
            for row in self._all(query):
                found[row.opportunity_id].append(entry_of(row))
        return found

    def board_totals(self, pipeline_id: str) -> Sequence[BoardColumnTotals]:
        c = opportunities.c
        query = (
            select(c.stage_id, c.currency, func.count(), func.sum(c.amount_minor))
            .where(c.pipeline_id == pipeline_id, c.status == OPEN)
            .group_by(c.stage_id, c.currency)
        )
        counts: dict[str, int] = defaultdict(int)
        sums: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
        for stage_id, currency, count, total in self._all(query):
            counts[stage_id] += count
            sums[stage_id].append((currency, total))
        return [
            BoardColumnTotals(
                stage_id=stage, count=counts[stage], values=currency_sums(sums[stage])
            )
            for stage in sorted(counts)
        ]


def _lead_conditions(where: LeadFilter) -> list[ColumnElement[bool]]:
    c = leads.c
    wanted = (
        (c.status, where.status),
        (c.owner_id, where.owner_id),
        (c.grade, where.grade),
        (c.source, where.source),
    )
    return [column == value for column, value in wanted if value is not None]


class SqlLeadReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, ids: Iterable[str]) -> Mapping[str, LeadView]:
        query = select(leads).where(leads.c.id.in_(sorted(set(ids))))
        with self._engine.connect() as connection:
            return {row.id: LeadView.from_lead(lead_of(row)) for row in connection.execute(query)}

    def count(self, where: LeadFilter) -> int:
        query = select(func.count()).select_from(leads).where(*_lead_conditions(where))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def slice(self, where: LeadFilter, *, after: SortKey | None, limit: int) -> Sequence[LeadView]:
        query = select(leads).where(*_lead_conditions(where))
        if after is not None:
            query = query.where(_before(leads, "created_at", after, descending=True))
        query = query.order_by(leads.c.created_at.desc(), leads.c.id.desc()).limit(limit)
        with self._engine.connect() as connection:
            return [LeadView.from_lead(lead_of(row)) for row in connection.execute(query)]


def _task_conditions(where: TaskFilter) -> list[ColumnElement[bool]]:
    c = tasks.c
    wanted = (
        (c.assignee_id, where.assignee_id),
        (c.status, where.status),
        (c.customer_id, where.customer_id),
        (c.opportunity_id, where.opportunity_id),
    )
    found = [column == value for column, value in wanted if value is not None]
    if where.due_before is not None:
        found.append(c.due_at < where.due_before)
    if where.company_id is not None:
        people = select(customers.c.id).where(customers.c.company_id == where.company_id)
        deals = select(opportunities.c.id).where(opportunities.c.company_id == where.company_id)
        found.append(or_(c.customer_id.in_(people), c.opportunity_id.in_(deals)))
    return found


class SqlTaskReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def count(self, where: TaskFilter) -> int:
        query = select(func.count()).select_from(tasks).where(*_task_conditions(where))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def slice(self, where: TaskFilter, *, after: SortKey | None, limit: int) -> Sequence[TaskView]:
        query = select(tasks).where(*_task_conditions(where))
        if after is not None:
            query = query.where(_before(tasks, "due_at", after, descending=False))
        query = query.order_by(tasks.c.due_at, tasks.c.id).limit(limit)
        with self._engine.connect() as connection:
            return [TaskView.from_task(task_of(row)) for row in connection.execute(query)]


class SqlBehaviourCounts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def daily_counts(
        self, customer_id: str, names: Collection[str], since: date
    ) -> Sequence[tuple[str, date, int]]:
        c = event_daily_counts.c
        query = (
            select(c.name, c.day, c.occurrences)
            .where(c.customer_id == customer_id, c.name.in_(sorted(names)), c.day >= since)
            .order_by(c.name, c.day)
        )
        with self._engine.connect() as connection:
            return [(name, day, count) for name, day, count in connection.execute(query)]
