"""The sales pipeline's DataLoaders: pages and counts of many lists in one query each.

A page of customers asking for each customer's deals, or a board asking for each column's
deals, loads them together: the keys that share a filter, an order and a page request are
read with one windowed query, whatever the number of customers or columns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping
from datetime import datetime
from typing import Generic, TypeVar

from strawberry.dataloader import DataLoader

from application.pagination import Page, PageRequest
from application.pipeline.bundle import Sales
from application.pipeline.views import (
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
from application.principal import Principal

G = TypeVar("G", bound=Hashable)
R = TypeVar("R")

OpportunityPages = tuple[OpportunityGroup, OpportunityFilter, OpportunityOrder, PageRequest]
OpportunityCounts = tuple[OpportunityGroup, OpportunityFilter]
LeadPages = tuple[LeadFilter, LeadOrder, PageRequest]
TaskPages = tuple[TaskGroup, TaskFilter, TaskOrder, PageRequest]
TaskCounts = tuple[TaskGroup, TaskFilter]


class Grouped(Generic[G, R]):
    """A DataLoader keyed by ``(group, key)``: one read per group for all its keys."""

    def __init__(self, read: Callable[[G, Collection[str]], Mapping[str, R]]) -> None:
        async def load(keys: list[tuple[G, str]]) -> list[R]:
            by_group: dict[G, list[str]] = {}
            for group, key in keys:
                by_group.setdefault(group, []).append(key)
            found = {
                (group, key): value
                for group, wanted in by_group.items()
                for key, value in read(group, wanted).items()
            }
            return [found[key] for key in keys]

        self.loader: DataLoader[tuple[G, str], R] = DataLoader(load_fn=load)

    async def load(self, group: G, key: str) -> R:
        return await self.loader.load((group, key))


class SalesLoaders:
    """The pipeline's per-request loaders, made with the request's other loaders."""

    _now: datetime | None = None

    def now(self) -> datetime:
        """The request's moment, read once: every customer's "overdue" is the same filter,
        so their pages load together."""
        now = self._now
        if now is None:
            now = self._now = self._clock.now()
        return now

    def __init__(self, sales: Sales, principal: Principal) -> None:
        pipeline, leads, tasks = sales.read_pipeline, sales.read_leads, sales.read_tasks
        self._clock = sales.clock

        def opportunity_pages(
            group: OpportunityPages, keys: Collection[str]
        ) -> Mapping[str, Page[OpportunityView]]:
            by, where, order, page = group
            return pipeline.opportunity_pages(principal, where, page, order, by=by, keys=keys)

        def opportunity_counts(
            group: OpportunityCounts, keys: Collection[str]
        ) -> Mapping[str, int]:
            by, where = group
            return pipeline.counts(principal, where, by=by, keys=keys)

        def lead_pages(group: LeadPages, keys: Collection[str]) -> Mapping[str, Page[LeadView]]:
            where, order, page = group
            return leads.pages(principal, where, page, order, customer_ids=keys)

        def task_pages(group: TaskPages, keys: Collection[str]) -> Mapping[str, Page[TaskView]]:
            by, where, order, page = group
            return tasks.pages(principal, where, page, order, by=by, keys=keys)

        def task_counts(group: TaskCounts, keys: Collection[str]) -> Mapping[str, int]:
            by, where = group
            return tasks.counts(principal, where, by=by, keys=keys)

        self.opportunity_pages = Grouped(opportunity_pages)
        self.opportunity_counts = Grouped(opportunity_counts)
        self.lead_pages = Grouped(lead_pages)
        self.lead_counts: Grouped[LeadFilter, int] = Grouped(
            lambda where, keys: leads.counts(principal, where, keys)
        )
        self.task_pages = Grouped(task_pages)
        self.task_counts = Grouped(task_counts)

        def by_id(fetch: Callable[[Collection[str]], Mapping[str, R]]) -> DataLoader[str, R | None]:
            async def load(keys: list[str]) -> list[R | None]:
                found = fetch(keys)
                return [found.get(key) for key in keys]

            return DataLoader(load_fn=load)

        self.leads: DataLoader[str, LeadView | None] = by_id(
            lambda ids: leads.get_many(principal, ids)
        )
        self.tasks: DataLoader[str, TaskView | None] = by_id(
            lambda ids: tasks.get_many(principal, ids)
        )
