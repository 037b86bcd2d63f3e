"""Reading pipelines, opportunities, leads and tasks, a keyset page at a time."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Final

from attrs import frozen

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
from application.principal import Principal
from domain.access.roles import Permission
from domain.pipeline import Pipeline, StageEntry

OPPORTUNITIES: Final = "opportunities:created_at:desc"
LEADS: Final = "leads:created_at:desc"
TASKS: Final = "tasks:due_at:asc"


def opportunity_cursor(view: OpportunityView) -> str:
    return encode_cursor(OPPORTUNITIES, SortKey(view.created_at, view.id))


def lead_cursor(view: LeadView) -> str:
    return encode_cursor(LEADS, SortKey(view.created_at, view.id))


def task_cursor(view: TaskView) -> str:
    return encode_cursor(TASKS, SortKey(view.due_at, view.id))


def _after(after: str | None, ordering: str) -> SortKey | None:
    return decode_cursor(after, ordering, field="after", read=read_time) if after else None


@frozen
class ReadPipeline:
    reader: PipelineReader

    def pipelines(self, actor: Principal) -> Sequence[Pipeline]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.pipelines()

    def pipeline(self, actor: Principal, pipeline_id: str) -> Pipeline | None:
        return next((p for p in self.pipelines(actor) if p.id == pipeline_id), None)

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, OpportunityView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids)

    def opportunities(
        self, actor: Principal, where: OpportunityFilter, *, first: int | None, after: str | None
    ) -> Page[OpportunityView]:
        actor.require(Permission.READ_CUSTOMERS)
        request = PageRequest(first=first, after=after)
        size = request.size
        fetched = self.reader.slice(where, after=_after(after, OPPORTUNITIES), limit=size + 1)
        return build_page(request, fetched, size, opportunity_cursor)

    def count(self, actor: Principal, where: OpportunityFilter) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(where)

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
        request = PageRequest(first=first, after=after)
        size = request.size
        fetched = self.reader.slice(where, after=_after(after, LEADS), limit=size + 1)
        return build_page(request, fetched, size, lead_cursor)

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
        request = PageRequest(first=first, after=after)
        size = request.size
        fetched = self.reader.slice(where, after=_after(after, TASKS), limit=size + 1)
        return build_page(request, fetched, size, task_cursor)

    def count(self, actor: Principal, where: TaskFilter) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(where)
