"""Reading pipelines, opportunities, leads and tasks, a keyset page at a time."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from typing import Final, TypeVar

from attrs import evolve, frozen

from application.errors import NotFound
from application.pagination import (
    Page,
    PageRequest,
    SortKey,
    build_page,
    decode_cursor,
    encode_cursor,
    read_time,
)
from application.pipeline.ports import LeadReader, PipelineReader, TaskReader
from application.pipeline.views import (
    BoardColumnTotals,
    LeadFilter,
    LeadView,
    OpportunityFilter,
    OpportunityView,
    TaskFilter,
    TaskView,
)
from application.ports import Clock
from application.principal import Principal
from domain.access.roles import Permission
from domain.pipeline import OpportunityStatus, Pipeline, SalesTeam, StageEntry

OPPORTUNITIES: Final = "opportunities:created_at:desc"
LEADS: Final = "leads:created_at:desc"
TASKS: Final = "tasks:due_at:asc"


def opportunity_cursor(view: OpportunityView) -> str:
    return encode_cursor(OPPORTUNITIES, SortKey(view.created_at, view.id))


def lead_cursor(view: LeadView) -> str:
    return encode_cursor(LEADS, SortKey(view.created_at, view.id))


def task_cursor(view: TaskView) -> str:
    return encode_cursor(TASKS, SortKey(view.due_at, view.id))


W = TypeVar("W")
V = TypeVar("V")


def forward_page(
    slice_of: Callable[..., Sequence[V]],
    where: W,
    *,
    ordering: str,
    cursor_of: Callable[[V], str],
    first: int | None,
    after: str | None,
) -> Page[V]:
    """One page forward of a list ordered by ``(time, id)``: the cursor decoded, one item
    more fetched to know whether another page follows."""
    request = PageRequest(first=first, after=after)
    size = request.size
    key = decode_cursor(after, ordering, field="after", read=read_time) if after else None
    return build_page(request, slice_of(where, after=key, limit=size + 1), size, cursor_of)


@frozen
class ReadPipeline:
    reader: PipelineReader
    clock: Clock

    def pipelines(self, actor: Principal) -> Sequence[Pipeline]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.pipelines()

    def teams(self, actor: Principal) -> Sequence[SalesTeam]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.teams()

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, OpportunityView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids)

    def opportunities(
        self, actor: Principal, where: OpportunityFilter, *, first: int | None, after: str | None
    ) -> Page[OpportunityView]:
        actor.require(Permission.READ_CUSTOMERS)
        return forward_page(
            self.reader.slice,
            where,
            ordering=OPPORTUNITIES,
            cursor_of=opportunity_cursor,
            first=first,
            after=after,
        )

    def count(self, actor: Principal, where: OpportunityFilter) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(where)

    def stale(self, actor: Principal, where: OpportunityFilter) -> OpportunityFilter:
        """``where`` narrowed to the open deals its pipeline (the default one when it names
        none) counts as stale: no activity for the pipeline's ``stale_after_days``."""
        actor.require(Permission.READ_CUSTOMERS)
        pipelines = self.reader.pipelines()
        wanted = [
            p
            for p in pipelines
            if p.id == where.pipeline_id or (where.pipeline_id is None and p.is_default)
        ]
        if not wanted:
            raise NotFound("filter.pipelineId", "no pipeline has this id")
        pipeline = wanted[0]
        return evolve(
            where,
            pipeline_id=pipeline.id,
            status=OpportunityStatus.OPEN.value,
            inactive_since=self.clock.now() - timedelta(days=pipeline.stale_after_days),
        )

    def history(
        self, actor: Principal, opportunity_ids: Collection[str]
    ) -> Mapping[str, Sequence[StageEntry]]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.entries_of(opportunity_ids)

    def board_totals(self, actor: Principal, pipeline_id: str) -> Sequence[BoardColumnTotals]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.board_totals(pipeline_id)


@frozen
class ReadLeads:
    reader: LeadReader

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, LeadView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids)

    def page(
        self, actor: Principal, where: LeadFilter, *, first: int | None, after: str | None
    ) -> Page[LeadView]:
        actor.require(Permission.READ_CUSTOMERS)
        return forward_page(
            self.reader.slice,
            where,
            ordering=LEADS,
            cursor_of=lead_cursor,
            first=first,
            after=after,
        )

    def count(self, actor: Principal, where: LeadFilter) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(where)


@frozen
class ReadTasks:
    reader: TaskReader

    def page(
        self, actor: Principal, where: TaskFilter, *, first: int | None, after: str | None
    ) -> Page[TaskView]:
        actor.require(Permission.READ_CUSTOMERS)
        return forward_page(
            self.reader.slice,
            where,
            ordering=TASKS,
            cursor_of=task_cursor,
            first=first,
            after=after,
        )

    def count(self, actor: Principal, where: TaskFilter) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(where)
