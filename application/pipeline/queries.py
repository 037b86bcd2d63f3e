"""Reading pipelines, opportunities, leads and tasks, a keyset page at a time."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Final, Protocol, TypeVar

from attrs import evolve, frozen

from application.errors import NotFound
from application.field_security import require_readable
from application.pagination import (
    KeysetOrder,
    Page,
    PageRequest,
    SortKey,
    V_co,
    build_page,
    decode_cursor,
    encode_cursor,
    keyset_page,
    read_time,
)
from application.pipeline.ports import LeadReader, PipelineReader, TaskReader
from application.pipeline.views import (
    BoardColumnTotals,
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
from application.ports import Clock
from application.principal import Principal
from domain.access.roles import Permission, Resource
from domain.pipeline import OpportunityStatus, Pipeline, SalesTeam, StageEntry

HISTORY: Final = "stage-history:entered_at:asc"

V = TypeVar("V")


class Slices(Protocol[V_co]):
    def __call__(
        self,
        *,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Mapping[str, Sequence[V_co]]: ...


def keyset_pages(
    page: PageRequest, order: KeysetOrder[V], slices_of: Slices[V], keys: Collection[str]
) -> Mapping[str, Page[V]]:
    """The same page of many lists (each customer's deals, each column of a board), read
    in one query: cursors decoded once, one item more fetched per list."""
    size = page.size
    read = order.read_cursor_value
    after = page.after and decode_cursor(page.after, order.name, field="after", read=read)
    before = page.before and decode_cursor(page.before, order.name, field="before", read=read)
    found = slices_of(
        keys=keys,
        after=after or None,
        before=before or None,
        limit=size + 1,
        from_end=page.from_end,
    )

    def cursor_of(view: V) -> str:
        return encode_cursor(order.name, order.key_of(view))

    return {key: build_page(page, found.get(key, ()), size, cursor_of) for key in keys}


def history_page(entries: Sequence[StageEntry], page: PageRequest) -> Page[StageEntry]:
    """A page of one deal's stays in stages, oldest first; the stays are few and read
    together for a whole page of deals, so the page is cut here."""
    size = page.size

    def key(entry: StageEntry) -> tuple[datetime, str]:
        return entry.entered_at, entry.id

    def bound(cursor: str | None, field: str) -> tuple[datetime, str] | None:
        if cursor is None:
            return None
        found = decode_cursor(cursor, HISTORY, field=field, read=read_time)
        assert isinstance(found.value, datetime)
        return found.value, found.id

    after, before = bound(page.after, "after"), bound(page.before, "before")
    ordered = sorted(
        (
            e
            for e in entries
            if (after is None or key(e) > after) and (before is None or key(e) < before)
        ),
        key=key,
        reverse=page.from_end,
    )
    return build_page(
        page,
        ordered[: size + 1],
        size,
        lambda e: encode_cursor(HISTORY, SortKey(e.entered_at, e.id)),
    )


@frozen
class ReadPipeline:
    reader: PipelineReader
    clock: Clock

    def pipelines(self, actor: Principal) -> Sequence[Pipeline]:
        actor.require(Permission.READ_DEALS)
        return self.reader.pipelines()

    def teams(self, actor: Principal) -> Sequence[SalesTeam]:
        # Teams route leads and group the forecast: whoever reads either may read them.
        if not actor.may(Permission.READ_LEADS):
            actor.require(Permission.READ_DEALS)
        return self.reader.teams()

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, OpportunityView]:
        actor.require(Permission.READ_DEALS)
        return self.reader.get_many(ids, visible=actor.visibility(Resource.DEALS))

    def opportunities(
        self,
        actor: Principal,
        where: OpportunityFilter,
        page: PageRequest,
        order: OpportunityOrder | None = None,
    ) -> Page[OpportunityView]:
        actor.require(Permission.READ_DEALS)
        order = order or OpportunityOrder()
        require_readable(actor, Resource.DEALS, [order.field.value], at="orderBy")
        return keyset_page(
            page,
            order,
            partial(self.reader.slice, where, order, visible=actor.visibility(Resource.DEALS)),
        )

    def opportunity_pages(
        self,
        actor: Principal,
        where: OpportunityFilter,
        page: PageRequest,
        order: OpportunityOrder | None = None,
        *,
        by: OpportunityGroup,
        keys: Collection[str],
    ) -> Mapping[str, Page[OpportunityView]]:
        """The same page of each customer's (or each stage's) deals, in one query."""
        actor.require(Permission.READ_DEALS)
        order = order or OpportunityOrder()
        require_readable(actor, Resource.DEALS, [order.field.value], at="orderBy")
        return keyset_pages(
            page,
            order,
            partial(
                self.reader.slices, where, order, visible=actor.visibility(Resource.DEALS), by=by
            ),
            keys,
        )

    def count(self, actor: Principal, where: OpportunityFilter) -> int:
        actor.require(Permission.READ_DEALS)
        return self.reader.count(where, visible=actor.visibility(Resource.DEALS))

    def counts(
        self,
        actor: Principal,
        where: OpportunityFilter,
        *,
        by: OpportunityGroup,
        keys: Collection[str],
    ) -> Mapping[str, int]:
        actor.require(Permission.READ_DEALS)
        return self.reader.counts(where, visible=actor.visibility(Resource.DEALS), by=by, keys=keys)

    def of_team(
        self, actor: Principal, where: OpportunityFilter, team_id: str
    ) -> OpportunityFilter:
        """``where`` narrowed to the deals the team's members own."""
        actor.require(Permission.READ_DEALS)
        for team in self.reader.teams():
            if team.id == team_id:
                members = frozenset(m.user_id for m in team.members)
                wanted = members if where.owner_ids is None else members & where.owner_ids
                return evolve(where, owner_ids=wanted)
        raise NotFound("filter.teamId", "no team has this id")

    def stale(self, actor: Principal, where: OpportunityFilter) -> OpportunityFilter:
        """``where`` narrowed to the open deals its pipeline (the default one when it names
        none) counts as stale: no activity for the pipeline's ``stale_after_days``."""
        actor.require(Permission.READ_DEALS)
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
        actor.require(Permission.READ_DEALS)
        return self.reader.entries_of(opportunity_ids, visible=actor.visibility(Resource.DEALS))

    def board_totals(
        self, actor: Principal, where: OpportunityFilter
    ) -> Sequence[BoardColumnTotals]:
        """Per stage, what a board of ``where`` (a pipeline's open deals, say) shows."""
        actor.require(Permission.READ_DEALS)
        return self.reader.board_totals(where, visible=actor.visibility(Resource.DEALS))


@frozen
class ReadLeads:
    reader: LeadReader

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, LeadView]:
        actor.require(Permission.READ_LEADS)
        return self.reader.get_many(ids, visible=actor.visibility(Resource.LEADS))

    def page(
        self,
        actor: Principal,
        where: LeadFilter,
        page: PageRequest,
        order: LeadOrder | None = None,
    ) -> Page[LeadView]:
        actor.require(Permission.READ_LEADS)
        order = order or LeadOrder()
        require_readable(actor, Resource.LEADS, [order.field.value], at="orderBy")
        return keyset_page(
            page,
            order,
            partial(self.reader.slice, where, order, visible=actor.visibility(Resource.LEADS)),
        )

    def pages(
        self,
        actor: Principal,
        where: LeadFilter,
        page: PageRequest,
        order: LeadOrder | None = None,
        *,
        customer_ids: Collection[str],
    ) -> Mapping[str, Page[LeadView]]:
        """The same page of each customer's leads, in one query."""
        actor.require(Permission.READ_LEADS)
        order = order or LeadOrder()
        require_readable(actor, Resource.LEADS, [order.field.value], at="orderBy")
        return keyset_pages(
            page,
            order,
            partial(self.reader.slices, where, order, visible=actor.visibility(Resource.LEADS)),
            customer_ids,
        )

    def count(self, actor: Principal, where: LeadFilter) -> int:
        actor.require(Permission.READ_LEADS)
        return self.reader.count(where, visible=actor.visibility(Resource.LEADS))

    def counts(
        self, actor: Principal, where: LeadFilter, customer_ids: Collection[str]
    ) -> Mapping[str, int]:
        actor.require(Permission.READ_LEADS)
        return self.reader.counts(
            where, visible=actor.visibility(Resource.LEADS), keys=customer_ids
        )


@frozen
class ReadTasks:
    reader: TaskReader

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, TaskView]:
        actor.require(Permission.READ_TASKS)
        return self.reader.get_many(ids, visible=actor.visibility(Resource.TASKS))

    def page(
        self,
        actor: Principal,
        where: TaskFilter,
        page: PageRequest,
        order: TaskOrder | None = None,
    ) -> Page[TaskView]:
        actor.require(Permission.READ_TASKS)
        order = order or TaskOrder()
        return keyset_page(
            page,
            order,
            partial(self.reader.slice, where, order, visible=actor.visibility(Resource.TASKS)),
        )

    def pages(
        self,
        actor: Principal,
        where: TaskFilter,
        page: PageRequest,
        order: TaskOrder | None = None,
        *,
        by: TaskGroup,
        keys: Collection[str],
    ) -> Mapping[str, Page[TaskView]]:
        """The same page of each customer's (or each company's) tasks, in one query."""
        actor.require(Permission.READ_TASKS)
        order = order or TaskOrder()
        return keyset_pages(
            page,
            order,
            partial(
                self.reader.slices, where, order, visible=actor.visibility(Resource.TASKS), by=by
            ),
            keys,
        )

    def count(self, actor: Principal, where: TaskFilter) -> int:
        actor.require(Permission.READ_TASKS)
        return self.reader.count(where, visible=actor.visibility(Resource.TASKS))

    def counts(
        self, actor: Principal, where: TaskFilter, *, by: TaskGroup, keys: Collection[str]
    ) -> Mapping[str, int]:
        """How many tasks of each customer (or each company) match, in one query."""
        actor.require(Permission.READ_TASKS)
        return self.reader.counts(where, visible=actor.visibility(Resource.TASKS), by=by, keys=keys)
