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
    FromClause,
    Select,
    Subquery,
    Table,
    func,
    or_,
    select,
    union,
)

from adapters.persistence.keyset import walking_order, window
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
from adapters.persistence.visibility import visible_conditions
from application.pagination import SortKey
from application.pipeline.views import (
    BoardColumnTotals,
    CurrencyAmount,
    FieldOrder,
    LeadFilter,
    LeadOrder,
    LeadView,
    OpportunityFilter,
    OpportunityGroup,
    OpportunityOrder,
    OpportunityView,
    TaskFilter,
    TaskGroup,
    TaskOrder,
    TaskView,
)
from domain.access.visibility import Visibility
from domain.orders.money import Currency
from domain.pipeline import OpportunityStatus, Pipeline, SalesTeam, StageEntry

CHUNK = 5000
OPEN = OpportunityStatus.OPEN.value


def money(minor: int | None, currency: str) -> Decimal | None:
    if minor is None:
        return None
    return Decimal(minor).scaleb(-Currency(currency).minor_units)


def visible_deals(visible: Visibility) -> list[ColumnElement[bool]]:
    """The deals ``visible`` admits, as conditions on ``opportunities``."""
    return visible_conditions(visible, opportunities.c.owner_id, opportunities.c.id)


def _opportunity_conditions(
    where: OpportunityFilter, visible: Visibility
) -> list[ColumnElement[bool]]:
    c = opportunities.c
    wanted = (
        (c.pipeline_id, where.pipeline_id),
        (c.stage_id, where.stage_id),
        (c.owner_id, where.owner_id),
        (c.customer_id, where.customer_id),
        (c.company_id, where.company_id),
        (c.status, where.status),
    )
    found = [*visible_deals(visible)]
    found.extend(column == value for column, value in wanted if value is not None)
    if where.owner_ids is not None:
        found.append(c.owner_id.in_(sorted(where.owner_ids)))
    if where.inactive_since is not None:
        found.append(c.last_activity_at <= where.inactive_since)
    return found


def currency_sums(rows: Iterable[tuple[str, int | None]]) -> tuple[CurrencyAmount, ...]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, minor in rows:
        if minor is not None:
            totals[currency] += money(minor, currency) or Decimal(0)
    return tuple(CurrencyAmount(c, totals[c]) for c in sorted(totals))


SORTS: Mapping[Table, Mapping[str, str]] = {
    opportunities: {"amount": "amount_minor"},
}
TEXT_SORTS = frozenset({"name", "email", "title"})
RANK = "rank_in_group"
GROUP = "group_key"
ITEM = "item_id"


class Lists:
    """Keyset slices of one table in a field order, as one list or as many lists at once
    (each customer's, each stage's): a window function ranks the rows within each group.

    A group is a column of the table, or ``(group_key, item_id)`` pairs: a subquery that
    puts a row in the groups it belongs to (a task in its customer's and its deal's
    companies), each pair once."""

    def __init__(self, engine: Engine, table: Table) -> None:
        self._engine = engine
        self._table = table
        self._postgres = engine.dialect.name == "postgresql"

    def rows(self, query: Select[Any]) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(query))

    def _sort(self, order: FieldOrder[Any, Any]) -> ColumnElement[Any]:
        field = order.field.value
        column: ColumnElement[Any] = self._table.c[SORTS.get(self._table, {}).get(field, field)]
        if field in TEXT_SORTS and self._postgres:
            column = column.collate("C")
        return column

    def _window(
        self,
        order: FieldOrder[Any, Any],
        after: SortKey | None,
        before: SortKey | None,
        from_end: bool,
    ) -> tuple[list[ColumnElement[bool]], list[Any]]:
        sort, id_column = self._sort(order), self._table.c.id
        conditions = window(
            sort,
            id_column,
            descending=order.descending,
            after=after,
            before=before,
            nullable=order.nullable,
        )
        ordering = walking_order(
            sort, id_column, descending=order.descending, from_end=from_end, nullable=order.nullable
        )
        return conditions, ordering

    def slice(
        self,
        conditions: Sequence[ColumnElement[bool]],
        order: FieldOrder[Any, Any],
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> list[Any]:
        bounds, ordering = self._window(order, after, before, from_end)
        query = select(self._table).where(*conditions, *bounds).order_by(*ordering).limit(limit)
        return self.rows(query)

    def _groups(
        self, by: str | Subquery, keys: Sequence[str]
    ) -> tuple[FromClause, ColumnElement[Any], list[ColumnElement[bool]]]:
        """What the rows are read from, the column naming each row's group, and the
        condition that keeps the groups asked for."""
        if isinstance(by, str):
            group = self._table.c[by]
            return self._table, group, [group.in_(keys)]
        source = self._table.join(by, by.c[ITEM] == self._table.c.id)
        return source, by.c[GROUP], [by.c[GROUP].in_(keys)]

    def slices(
        self,
        conditions: Sequence[ColumnElement[bool]],
        order: FieldOrder[Any, Any],
        *,
        by: str | Subquery,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {key: [] for key in keys}
        if not found:
            return found
        source, group, within = self._groups(by, sorted(found))
        bounds, ordering = self._window(order, after, before, from_end)
        rank = func.row_number().over(partition_by=group, order_by=ordering).label(RANK)
        ranked = (
            select(self._table, group.label(GROUP), rank)
            .select_from(source)
            .where(*conditions, *bounds, *within)
            .subquery()
        )
        query = select(ranked).where(ranked.c[RANK] <= limit).order_by(ranked.c[RANK])
        for row in self.rows(query):
            found[getattr(row, GROUP)].append(row)
        return found

    def counts(
        self,
        conditions: Sequence[ColumnElement[bool]],
        *,
        by: str | Subquery,
        keys: Collection[str],
    ) -> dict[str, int]:
        found = dict.fromkeys(keys, 0)
        if not found:
            return found
        source, group, within = self._groups(by, sorted(found))
        query = (
            select(group, func.count())
            .select_from(source)
            .where(*conditions, *within)
            .group_by(group)
        )
        for key, count in self.rows(query):
            found[key] = int(count)
        return found


def _opportunity_view(row: Any) -> OpportunityView:
    return OpportunityView.from_opportunity(opportunity_of(row, []))


class SqlPipelineReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lists = Lists(engine, opportunities)

    def _all(self, query: Select[Any]) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(query))

    def pipelines(self) -> Sequence[Pipeline]:
        found = [pipeline_of(row) for row in self._all(select(pipelines))]
        return sorted(found, key=lambda p: (not p.is_default, p.name, p.id))

    def teams(self) -> Sequence[SalesTeam]:
        query = select(sales_teams).order_by(sales_teams.c.name, sales_teams.c.id)
        return [team_of(row) for row in self._all(query)]

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, OpportunityView]:
        wanted = sorted(set(ids))
        found: dict[str, OpportunityView] = {}
        for start in range(0, len(wanted), CHUNK):
            query = select(opportunities).where(
                opportunities.c.id.in_(wanted[start : start + CHUNK]), *visible_deals(visible)
            )
            found.update(
                (row.id, OpportunityView.from_opportunity(opportunity_of(row, [])))
                for row in self._all(query)
            )
        return found

    def count(self, where: OpportunityFilter, *, visible: Visibility) -> int:
        query = (
            select(func.count())
            .select_from(opportunities)
            .where(*_opportunity_conditions(where, visible))
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def slice(
        self,
        where: OpportunityFilter,
        order: OpportunityOrder,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[OpportunityView]:
        rows = self._lists.slice(
            _opportunity_conditions(where, visible),
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )
        return [_opportunity_view(row) for row in rows]

    def slices(
        self,
        where: OpportunityFilter,
        order: OpportunityOrder,
        *,
        visible: Visibility,
        by: OpportunityGroup,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Mapping[str, Sequence[OpportunityView]]:
        found = self._lists.slices(
            _opportunity_conditions(where, visible),
            order,
            by=by,
            keys=keys,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )
        return {key: [_opportunity_view(row) for row in rows] for key, rows in found.items()}

    def counts(
        self,
        where: OpportunityFilter,
        *,
        visible: Visibility,
        by: OpportunityGroup,
        keys: Collection[str],
    ) -> Mapping[str, int]:
        return self._lists.counts(_opportunity_conditions(where, visible), by=by, keys=keys)

    def entries_of(
        self, opportunity_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, Sequence[StageEntry]]:
        found: dict[str, list[StageEntry]] = {i: [] for i in opportunity_ids}
        wanted = sorted(found)
        e = opportunity_stage_entries.c
        deals = visible_deals(visible)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            if deals:
                seen = select(opportunities.c.id).where(opportunities.c.id.in_(chunk), *deals)
                chunk = [row.id for row in self._all(seen)]
            query = (
                select(opportunity_stage_entries)
                .where(e.opportunity_id.in_(chunk))
                .order_by(e.opportunity_id, e.entered_at, e.id)
            )
            for row in self._all(query):
                found[row.opportunity_id].append(entry_of(row))
        return found

    def board_totals(
        self, where: OpportunityFilter, *, visible: Visibility
    ) -> Sequence[BoardColumnTotals]:
        c = opportunities.c
        query = (
            select(c.stage_id, c.currency, func.count(), func.sum(c.amount_minor))
            .where(*_opportunity_conditions(where, visible))
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


def _lead_conditions(where: LeadFilter, visible: Visibility) -> list[ColumnElement[bool]]:
    c = leads.c
    wanted = (
        (c.customer_id, where.customer_id),
        (c.status, where.status),
        (c.grade, where.grade),
        (c.source, where.source),
    )
    found = visible_conditions(visible, c.owner_id, c.id)
    found.extend(column == value for column, value in wanted if value is not None)
    if where.owner_ids is not None:
        found.append(c.owner_id.in_(sorted(where.owner_ids)))
    return found


def _lead_view(row: Any) -> LeadView:
    return LeadView.from_lead(lead_of(row))


class SqlLeadReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lists = Lists(engine, leads)

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, LeadView]:
        query = select(leads).where(
            leads.c.id.in_(sorted(set(ids))),
            *visible_conditions(visible, leads.c.owner_id, leads.c.id),
        )
        with self._engine.connect() as connection:
            return {row.id: LeadView.from_lead(lead_of(row)) for row in connection.execute(query)}

    def count(self, where: LeadFilter, *, visible: Visibility) -> int:
        query = select(func.count()).select_from(leads).where(*_lead_conditions(where, visible))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def slice(
        self,
        where: LeadFilter,
        order: LeadOrder,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[LeadView]:
        rows = self._lists.slice(
            _lead_conditions(where, visible),
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )
        return [_lead_view(row) for row in rows]

    def slices(
        self,
        where: LeadFilter,
        order: LeadOrder,
        *,
        visible: Visibility,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Mapping[str, Sequence[LeadView]]:
        found = self._lists.slices(
            _lead_conditions(where, visible),
            order,
            by="customer_id",
            keys=keys,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )
        return {key: [_lead_view(row) for row in rows] for key, rows in found.items()}

    def counts(
        self, where: LeadFilter, *, visible: Visibility, keys: Collection[str]
    ) -> Mapping[str, int]:
        return self._lists.counts(_lead_conditions(where, visible), by="customer_id", keys=keys)


def _task_conditions(where: TaskFilter, visible: Visibility) -> list[ColumnElement[bool]]:
    c = tasks.c
    wanted = (
        (c.status, where.status),
        (c.customer_id, where.customer_id),
        (c.opportunity_id, where.opportunity_id),
    )
    found = visible_conditions(visible, c.assignee_id, c.id)
    found.extend(column == value for column, value in wanted if value is not None)
    if where.assignee_ids is not None:
        found.append(c.assignee_id.in_(sorted(where.assignee_ids)))
    if where.due_before is not None:
        found.append(c.due_at < where.due_before)
    if where.company_id is not None:
        people = select(customers.c.id).where(customers.c.company_id == where.company_id)
        deals = select(opportunities.c.id).where(opportunities.c.company_id == where.company_id)
        found.append(or_(c.customer_id.in_(people), c.opportunity_id.in_(deals)))
    return found


def _task_view(row: Any) -> TaskView:
    return TaskView.from_task(task_of(row))


def _task_groups(by: TaskGroup, keys: Collection[str]) -> str | Subquery:
    """Tasks by their customer column, or by company: ``(company, task)`` for the tasks
    about the company's people and those about its deals, each pair once."""
    if by == "customer_id":
        return by
    wanted = sorted(set(keys))
    t, people, deals = tasks.c, customers.c, opportunities.c
    of_people = (
        select(people.company_id.label(GROUP), t.id.label(ITEM))
        .join_from(tasks, customers, people.id == t.customer_id)
        .where(people.company_id.in_(wanted))
    )
    of_deals = (
        select(deals.company_id.label(GROUP), t.id.label(ITEM))
        .join_from(tasks, opportunities, deals.id == t.opportunity_id)
        .where(deals.company_id.in_(wanted))
    )
    return union(of_people, of_deals).subquery("task_companies")


class SqlTaskReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lists = Lists(engine, tasks)

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, TaskView]:
        query = select(tasks).where(
            tasks.c.id.in_(sorted(set(ids))),
            *visible_conditions(visible, tasks.c.assignee_id, tasks.c.id),
        )
        return {row.id: _task_view(row) for row in self._lists.rows(query)}

    def count(self, where: TaskFilter, *, visible: Visibility) -> int:
        query = select(func.count()).select_from(tasks).where(*_task_conditions(where, visible))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def slice(
        self,
        where: TaskFilter,
        order: TaskOrder,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[TaskView]:
        rows = self._lists.slice(
            _task_conditions(where, visible),
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )
        return [_task_view(row) for row in rows]

    def slices(
        self,
        where: TaskFilter,
        order: TaskOrder,
        *,
        visible: Visibility,
        by: TaskGroup,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Mapping[str, Sequence[TaskView]]:
        found = self._lists.slices(
            _task_conditions(where, visible),
            order,
            by=_task_groups(by, keys),
            keys=keys,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )
        return {key: [_task_view(row) for row in rows] for key, rows in found.items()}

    def counts(
        self,
        where: TaskFilter,
        *,
        visible: Visibility,
        by: TaskGroup,
        keys: Collection[str],
    ) -> Mapping[str, int]:
        return self._lists.counts(
            _task_conditions(where, visible), by=_task_groups(by, keys), keys=keys
        )


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
