"""Reading the pipeline in memory: the same lists and aggregates as the SQL readers."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from adapters.memory.pipeline import ordered_pipelines
from adapters.memory.querying import walk
from adapters.memory.store import InMemoryStore
from application.pagination import SortKey
from application.pipeline.views import (
    BoardColumnTotals,
    ClosedDeals,
    CurrencyAmount,
    CurrencyTotal,
    FieldOrder,
    LeadFilter,
    LeadOrder,
    LeadView,
    OpenDealSlice,
    OpportunityFilter,
    OpportunityGroup,
    OpportunityOrder,
    OpportunityView,
    StageFlow,
    TaskFilter,
    TaskGroup,
    TaskOrder,
    TaskView,
)
from domain.access.visibility import Visibility
from domain.orders.money import Currency, Money
from domain.pipeline import (
    Lead,
    Opportunity,
    OpportunityStatus,
    Pipeline,
    SalesTeam,
    StageEntry,
    Task,
)

V = TypeVar("V")


def _matches(o: Opportunity, where: OpportunityFilter) -> bool:
    return (
        (where.pipeline_id is None or o.pipeline_id == where.pipeline_id)
        and (where.stage_id is None or o.stage_id == where.stage_id)
        and (where.owner_id is None or o.owner_id == where.owner_id)
        and (where.owner_ids is None or o.owner_id in where.owner_ids)
        and (where.customer_id is None or o.customer_id == where.customer_id)
        and (where.company_id is None or o.company_id == where.company_id)
        and (where.status is None or o.status.value == where.status)
        and (where.inactive_since is None or o.last_activity_at <= where.inactive_since)
    )


def _walk(
    views: Iterable[V],
    order: FieldOrder[Any, V],
    *,
    after: SortKey | None,
    before: SortKey | None,
    limit: int,
    from_end: bool,
) -> list[V]:
    return walk(
        views,
        order.key_of,
        descending=order.descending,
        after=after,
        before=before,
        limit=limit,
        from_end=from_end,
    )


def _grouped(
    views: Iterable[V],
    group_of: Callable[[V], str | None],
    keys: Collection[str],
    order: FieldOrder[Any, V],
    *,
    after: SortKey | None,
    before: SortKey | None,
    limit: int,
    from_end: bool,
) -> Mapping[str, Sequence[V]]:
    return _in_groups(
        views,
        lambda view: (group_of(view),),
        keys,
        order,
        after=after,
        before=before,
        limit=limit,
        from_end=from_end,
    )


def _in_groups(
    views: Iterable[V],
    groups_of: Callable[[V], Iterable[str | None]],
    keys: Collection[str],
    order: FieldOrder[Any, V],
    *,
    after: SortKey | None,
    before: SortKey | None,
    limit: int,
    from_end: bool,
) -> Mapping[str, Sequence[V]]:
    """``_grouped`` where an item may be in several groups (a task in two companies)."""
    groups: dict[str, list[V]] = {key: [] for key in keys}
    for view in views:
        for group in set(groups_of(view)):
            if group in groups:
                groups[group].append(view)
    return {
        key: _walk(found, order, after=after, before=before, limit=limit, from_end=from_end)
        for key, found in groups.items()
    }


def _counted(
    views: Iterable[V], group_of: Callable[[V], str | None], keys: Collection[str]
) -> Mapping[str, int]:
    return _counted_in_groups(views, lambda view: (group_of(view),), keys)


def _counted_in_groups(
    views: Iterable[V], groups_of: Callable[[V], Iterable[str | None]], keys: Collection[str]
) -> Mapping[str, int]:
    counts = dict.fromkeys(keys, 0)
    for view in views:
        for group in set(groups_of(view)):
            if group in counts:
                counts[group] += 1
    return counts


def _sums(pairs: Iterable[tuple[str, Decimal]]) -> tuple[CurrencyAmount, ...]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in pairs:
        totals[currency] += amount
    return tuple(CurrencyAmount(c, totals[c]) for c in sorted(totals))


class InMemoryPipelineReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def pipelines(self) -> Sequence[Pipeline]:
        with self._store.lock:
            return ordered_pipelines(self._store.pipelines.values())

    def teams(self) -> Sequence[SalesTeam]:
        with self._store.lock:
            return sorted(self._store.sales_teams.values(), key=lambda t: (t.name, t.id))

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, OpportunityView]:
        with self._store.lock:
            found = [self._store.opportunities.get(i) for i in ids]
        return {
            o.id: OpportunityView.from_opportunity(o)
            for o in found
            if o is not None and visible.admits(o.owner_id, o.id)
        }

    def _views(self, where: OpportunityFilter, visible: Visibility) -> list[OpportunityView]:
        with self._store.lock:
            return [
                OpportunityView.from_opportunity(o)
                for o in self._store.opportunities.values()
                if visible.admits(o.owner_id, o.id) and _matches(o, where)
            ]

    def count(self, where: OpportunityFilter, *, visible: Visibility) -> int:
        return len(self._views(where, visible))

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
        return _walk(
            self._views(where, visible),
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

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
        return _grouped(
            self._views(where, visible),
            lambda v: str(getattr(v, by)),
            keys,
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def counts(
        self,
        where: OpportunityFilter,
        *,
        visible: Visibility,
        by: OpportunityGroup,
        keys: Collection[str],
    ) -> Mapping[str, int]:
        return _counted(self._views(where, visible), lambda v: str(getattr(v, by)), keys)

    def entries_of(
        self, opportunity_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, Sequence[StageEntry]]:
        with self._store.lock:
            found = {i: self._store.opportunities.get(i) for i in opportunity_ids}
            return {
                i: list(o.entries) if o and visible.admits(o.owner_id, o.id) else []
                for i, o in found.items()
            }

    def board_totals(
        self, where: OpportunityFilter, *, visible: Visibility
    ) -> Sequence[BoardColumnTotals]:
        by_stage: dict[str, list[OpportunityView]] = defaultdict(list)
        for view in self._views(where, visible):
            by_stage[view.stage_id].append(view)
        return [
            BoardColumnTotals(
                stage_id=stage_id,
                count=len(views),
                values=_sums((v.currency, v.amount) for v in views if v.amount is not None),
            )
            for stage_id, views in sorted(by_stage.items())
        ]


class InMemorySalesAnalyticsReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _opportunities(self, pipeline_id: str, visible: Visibility) -> list[Opportunity]:
        with self._store.lock:
            return [
                o
                for o in self._store.opportunities.values()
                if o.pipeline_id == pipeline_id and visible.admits(o.owner_id, o.id)
            ]

    def stage_flows(
        self, pipeline_id: str, start: datetime, end: datetime, *, visible: Visibility
    ) -> Sequence[StageFlow]:
        entries: dict[str, list[StageEntry]] = defaultdict(list)
        for opportunity in self._opportunities(pipeline_id, visible):
            for entry in opportunity.entries:
                if start <= entry.entered_at < end:
                    entries[entry.stage_id].append(entry)
        flows = []
        for stage_id, found in sorted(entries.items()):
            first = [e for e in found if e.first_entry]
            seconds = [e.seconds for e in found if e.seconds is not None]
            flows.append(
                StageFlow(
                    stage_id=stage_id,
                    entered=len(first),
                    values=_sums(
                        (e.currency, _amount(e.amount_minor, e.currency))
                        for e in first
                        if e.amount_minor is not None
                    ),
                    median_seconds=float(statistics.median(seconds)) if seconds else None,
                )
            )
        return flows

    def closed_deals(
        self, pipeline_id: str, start: datetime, end: datetime, *, visible: Visibility
    ) -> ClosedDeals:
        closed = [
            o
            for o in self._opportunities(pipeline_id, visible)
            if o.closed_at is not None and start <= o.closed_at < end
        ]
        won = [o for o in closed if o.status is OpportunityStatus.WON]
        totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for o in won:
            if o.amount is not None:
                totals[o.terms.currency.code][0] += 1
                totals[o.terms.currency.code][1] += o.amount.amount
        return ClosedDeals(
            won=len(won),
            lost=sum(1 for o in closed if o.status is OpportunityStatus.LOST),
            won_values=tuple(
                CurrencyTotal(c, int(totals[c][0]), totals[c][1]) for c in sorted(totals)
            ),
            won_cycle_seconds=sum(o.cycle_seconds or 0 for o in won),
        )

    def open_deal_slices(self, pipeline_id: str, *, visible: Visibility) -> Sequence[OpenDealSlice]:
        groups: dict[tuple[date | None, str, str, str], list[Decimal]] = defaultdict(
            lambda: [Decimal(0), Decimal(0)]
        )
        for o in self._opportunities(pipeline_id, visible):
            if not o.is_open:
                continue
            close = o.terms.expected_close_date
            month = close.replace(day=1) if close else None
            group = groups[(month, o.owner_id, o.stage_id, o.terms.currency.code)]
            group[0] += 1
            group[1] += o.amount.amount if o.amount else Decimal(0)
        return [
            OpenDealSlice(
                close_month=month,
                owner_id=owner,
                stage_id=stage,
                currency=currency,
                count=int(count),
                amount=amount,
            )
            for (month, owner, stage, currency), (count, amount) in groups.items()
        ]


def _amount(minor: int, currency: str) -> Decimal:
    return Money.from_minor_units(minor, Currency(currency)).amount


def _lead_matches(lead: Lead, where: LeadFilter) -> bool:
    return (
        (where.customer_id is None or lead.customer_id == where.customer_id)
        and (where.status is None or lead.status.value == where.status)
        and (where.owner_ids is None or lead.owner_id in where.owner_ids)
        and (where.grade is None or lead.grade == where.grade)
        and (where.source is None or lead.source == where.source)
    )


class InMemoryLeadReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, LeadView]:
        with self._store.lock:
            found = [self._store.leads.get(i) for i in ids]
        return {
            lead.id: LeadView.from_lead(lead)
            for lead in found
            if lead is not None and visible.admits(lead.owner_id, lead.id)
        }

    def _views(self, where: LeadFilter, visible: Visibility) -> list[LeadView]:
        with self._store.lock:
            return [
                LeadView.from_lead(lead)
                for lead in self._store.leads.values()
                if visible.admits(lead.owner_id, lead.id) and _lead_matches(lead, where)
            ]

    def count(self, where: LeadFilter, *, visible: Visibility) -> int:
        return len(self._views(where, visible))

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
        return _walk(
            self._views(where, visible),
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

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
        return _grouped(
            self._views(where, visible),
            lambda v: v.customer_id,
            keys,
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def counts(
        self, where: LeadFilter, *, visible: Visibility, keys: Collection[str]
    ) -> Mapping[str, int]:
        return _counted(self._views(where, visible), lambda v: v.customer_id, keys)


def _task_matches(task: Task, where: TaskFilter) -> bool:
    return (
        (where.assignee_ids is None or task.assignee_id in where.assignee_ids)
        and (where.status is None or task.status.value == where.status)
        and (where.due_before is None or task.due_at < where.due_before)
        and (where.customer_id is None or task.customer_id == where.customer_id)
        and (where.opportunity_id is None or task.opportunity_id == where.opportunity_id)
    )


class InMemoryTaskReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _views(self, where: TaskFilter, visible: Visibility) -> list[TaskView]:
        with self._store.lock:
            return [
                TaskView.from_task(t)
                for t in self._store.tasks.values()
                if visible.admits(t.assignee_id, t.id)
                and _task_matches(t, where)
                and self._of_company(t, where.company_id)
            ]

    def _of_company(self, task: Task, company_id: str | None) -> bool:
        return company_id is None or company_id in self._companies_of(task)

    def _companies_of(self, task: Task | TaskView) -> set[str]:
        """The companies a task is about: its customer's and its deal's."""
        person = self._store.customers.get(task.customer_id or "")
        deal = self._store.opportunities.get(task.opportunity_id or "")
        found = {person.company_id if person else None, deal.company_id if deal else None}
        return {company_id for company_id in found if company_id is not None}

    def _groups_of(self, by: TaskGroup) -> Callable[[TaskView], Iterable[str | None]]:
        if by == "customer_id":
            return lambda view: (view.customer_id,)

        def companies(view: TaskView) -> set[str]:
            with self._store.lock:
                return self._companies_of(view)

        return companies

    def count(self, where: TaskFilter, *, visible: Visibility) -> int:
        return len(self._views(where, visible))

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, TaskView]:
        with self._store.lock:
            found = [self._store.tasks.get(i) for i in ids]
        return {
            t.id: TaskView.from_task(t)
            for t in found
            if t is not None and visible.admits(t.assignee_id, t.id)
        }

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
        return _walk(
            self._views(where, visible),
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

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
        return _in_groups(
            self._views(where, visible),
            self._groups_of(by),
            keys,
            order,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def counts(
        self,
        where: TaskFilter,
        *,
        visible: Visibility,
        by: TaskGroup,
        keys: Collection[str],
    ) -> Mapping[str, int]:
        return _counted_in_groups(self._views(where, visible), self._groups_of(by), keys)


class InMemoryBehaviourCounts:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def daily_counts(
        self, customer_id: str, names: Collection[str], since: date
    ) -> Sequence[tuple[str, date, int]]:
        wanted = set(names)
        with self._store.lock:
            return sorted(
                (name, day, count)
                for (customer, name, day), count in self._store.event_daily_counts.items()
                if customer == customer_id and name in wanted and day >= since
            )
