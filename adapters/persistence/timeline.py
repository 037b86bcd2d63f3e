"""The timeline in SQL: one table that every module writes and one keyset query reads."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, delete, func, select, update

from adapters.persistence.keyset import walking_order, window
from adapters.persistence.tables import timeline_entries
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.upserts import insert_for
from adapters.persistence.visibility import of_visible_customers
from application.pagination import SortKey
from domain.access.visibility import Visibility
from domain.timeline import TimelineEntry

_COLUMNS = (
    timeline_entries.c.id,
    timeline_entries.c.customer_id,
    timeline_entries.c.kind,
    timeline_entries.c.occurred_at,
    timeline_entries.c.subject_type,
    timeline_entries.c.subject_id,
    timeline_entries.c.actor_id,
    timeline_entries.c.title,
    timeline_entries.c.summary,
    timeline_entries.c.data,
)
_NEWEST_FIRST = (timeline_entries.c.occurred_at.desc(), timeline_entries.c.id.desc())


def timeline_row(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "customer_id": entry.customer_id,
        "kind": entry.kind,
        "occurred_at": entry.occurred_at,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "actor_id": entry.actor_id,
        "title": entry.title,
        "summary": entry.summary,
        "data": dict(entry.data),
    }


class SqlTimeline:
    """``uow.timeline``: set-based statements in the unit of work's transaction."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def record(self, entries: Sequence[TimelineEntry]) -> None:
        if not entries:
            return
        insert = insert_for(self._session, timeline_entries)
        upsert = insert.on_conflict_do_update(
            index_elements=[timeline_entries.c.id],
            set_={
                column.name: insert.excluded[column.name]
                for column in timeline_entries.columns
                if column.name != "id"
            },
        )
        self._session.execute(upsert, [timeline_row(entry) for entry in entries])

    def remove(self, entry_ids: Collection[str]) -> None:
        if entry_ids:
            self._session.execute(
                delete(timeline_entries).where(timeline_entries.c.id.in_(list(entry_ids)))
            )

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        duplicates = sorted(set(duplicate_ids) - {survivor_id})
        if not duplicates:
            return 0
        result = self._session.execute(
            update(timeline_entries)
            .where(timeline_entries.c.customer_id.in_(duplicates))
            .values(customer_id=survivor_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


S = TypeVar("S", bound=Select[Any])


def _in_window(
    query: S,
    *,
    visible: Visibility,
    kinds: Collection[str] | None,
    since: datetime | None,
    until: datetime | None,
) -> S:
    query = query.where(*of_visible_customers(visible, timeline_entries.c.customer_id))
    if kinds is not None:
        query = query.where(timeline_entries.c.kind.in_(sorted(kinds)))
    if since is not None:
        query = query.where(timeline_entries.c.occurred_at >= since)
    if until is not None:
        query = query.where(timeline_entries.c.occurred_at < until)
    return query


class SqlTimelineReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def slice(
        self,
        customer_id: str,
        *,
        visible: Visibility,
        kinds: Collection[str] | None,
        after: SortKey | None,
        limit: int,
        before: SortKey | None = None,
        from_end: bool = False,
        oldest_first: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[TimelineEntry]:
        query = select(*_COLUMNS).where(timeline_entries.c.customer_id == customer_id)
        query = _in_window(query, visible=visible, kinds=kinds, since=since, until=until)
        sort, id_column = timeline_entries.c.occurred_at, timeline_entries.c.id
        descending = not oldest_first
        query = query.where(
            *window(sort, id_column, descending=descending, after=after, before=before)
        )
        query = query.order_by(
            *walking_order(sort, id_column, descending=descending, from_end=from_end)
        ).limit(limit)
        with self._engine.connect() as connection:
            return [TimelineEntry(**row._mapping) for row in connection.execute(query)]

    def newest_of_customers(
        self,
        customer_ids: Collection[str],
        *,
        visible: Visibility,
        kinds: Collection[str] | None,
        limit: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, Sequence[TimelineEntry]]:
        position = (
            func.row_number()
            .over(partition_by=timeline_entries.c.customer_id, order_by=_NEWEST_FIRST)
            .label("position")
        )
        ranked = select(*_COLUMNS, position).where(
            timeline_entries.c.customer_id.in_(list(customer_ids))
        )
        ranked = _in_window(ranked, visible=visible, kinds=kinds, since=since, until=until)
        inner = ranked.subquery()
        query = (
            select(*(inner.c[column.name] for column in _COLUMNS))
            .where(inner.c.position <= limit)
            .order_by(inner.c.customer_id, inner.c.position)
        )
        found: dict[str, list[TimelineEntry]] = {customer_id: [] for customer_id in customer_ids}
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                found[row.customer_id].append(TimelineEntry(**row._mapping))
        return found

    def count_of_customers(
        self,
        customer_ids: Collection[str],
        *,
        visible: Visibility,
        kinds: Collection[str] | None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, int]:
        if not customer_ids:
            return {}
        query = select(timeline_entries.c.customer_id, func.count()).where(
            timeline_entries.c.customer_id.in_(sorted(set(customer_ids)))
        )
        query = _in_window(query, visible=visible, kinds=kinds, since=since, until=until).group_by(
            timeline_entries.c.customer_id
        )
        with self._engine.connect() as connection:
            counted = {row[0]: int(row[1]) for row in connection.execute(query)}
        return {customer_id: counted.get(customer_id, 0) for customer_id in customer_ids}
