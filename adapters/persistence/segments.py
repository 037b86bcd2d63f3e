"""Segments on SQL: ``uow.segments`` in the unit of work's session, and the reader."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, Engine, Row, delete, func, insert, select, update

from adapters.persistence.keyset import walking_order, window
from adapters.persistence.tables import customer_rfm, segment_members, segment_sizes, segments
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.visibility import of_visible_customers
from application.pagination import SortKey
from application.segments.ports import (
    SegmentFilter,
    SegmentOrder,
    SegmentSortField,
    SegmentView,
    SizePoint,
)
from domain.access.visibility import Visibility
from domain.segments.rfm import RfmScore
from domain.segments.segment import Segment, SegmentKind
from domain.tags.tag import name_key

_BATCH = 5_000


def _batches(items: Iterable[str]) -> Iterable[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def _segment(row: Row[Any]) -> Segment:
    return Segment(
        id=row.id,
        name=row.name,
        kind=SegmentKind(row.kind),
        rule=row.rule,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        size=row.size,
        refreshed_at=row.refreshed_at,
        description=row.description,
        version=row.version,
    )


def _values(segment: Segment) -> dict[str, Any]:
    return {
        "name": segment.name,
        "name_key": name_key(segment.name),
        "kind": segment.kind.value,
        "rule": segment.rule,
        "description": segment.description,
        "size": segment.size,
        "updated_at": segment.updated_at,
        "refreshed_at": segment.refreshed_at,
        "version": segment.version,
    }


class SqlSegments:
    """``uow.segments``: rows written in the session; segments seen are saved on flush."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self.seen: dict[str, Segment] = {}
        transaction.writes(self)

    def _track(self, segment: Segment) -> Segment:
        return self._transaction.saw(self.seen.setdefault(segment.id, segment))

    def add(self, segment: Segment) -> None:
        self._session.execute(
            insert(segments).values(
                id=segment.id,
                created_at=segment.created_at,
                created_by=segment.created_by,
                **_values(segment),
            )
        )
        self._track(segment)

    def get(self, segment_id: str) -> Segment | None:
        if segment_id in self.seen:
            return self.seen[segment_id]
        row = self._session.execute(select(segments).where(segments.c.id == segment_id)).first()
        return None if row is None else self._track(_segment(row))

    def by_name(self, name: str) -> Segment | None:
        self.flush()
        query = select(segments).where(segments.c.name_key == name_key(name))
        row = self._session.execute(query).first()
        return None if row is None else self._track(_segment(row))

    def dynamic(self) -> list[Segment]:
        query = (
            select(segments)
            .where(segments.c.kind == SegmentKind.DYNAMIC.value)
            .order_by(segments.c.name_key, segments.c.id)
        )
        return [self._track(_segment(row)) for row in self._session.execute(query)]

    def members_of(self, segment_id: str) -> set[str]:
        query = select(segment_members.c.customer_id).where(
            segment_members.c.segment_id == segment_id
        )
        return set(self._session.execute(query).scalars())

    def set_members(
        self, segment: Segment, customer_ids: Collection[str], at: datetime
    ) -> tuple[set[str], set[str]]:
        wanted = set(customer_ids)
        current = self.members_of(segment.id)
        entered, exited = wanted - current, current - wanted
        for batch in _batches(sorted(exited)):
            self._session.execute(
                delete(segment_members).where(
                    segment_members.c.segment_id == segment.id,
                    segment_members.c.customer_id.in_(batch),
                )
            )
        for batch in _batches(sorted(entered)):
            self._session.execute(
                insert(segment_members),
                [{"segment_id": segment.id, "customer_id": c} for c in batch],
            )
        # A second refresh at the same instant replaces the first one's point.
        self._session.execute(
            delete(segment_sizes).where(
                segment_sizes.c.segment_id == segment.id, segment_sizes.c.at == at
            )
        )
        self._session.execute(
            insert(segment_sizes).values(segment_id=segment.id, at=at, size=len(wanted))
        )
        return entered, exited

    def memberships(self, customer_ids: Collection[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {customer_id: set() for customer_id in customer_ids}
        query = select(segment_members.c.customer_id, segment_members.c.segment_id).where(
            segment_members.c.customer_id.in_(list(customer_ids))
        )
        for customer_id, segment_id in self._session.execute(query):
            found[customer_id].add(segment_id)
        return found

    def change_members(
        self, segment: Segment, entered: Collection[str], exited: Collection[str]
    ) -> None:
        if exited:
            self._session.execute(
                delete(segment_members).where(
                    segment_members.c.segment_id == segment.id,
                    segment_members.c.customer_id.in_(list(exited)),
                )
            )
        if entered:
            self._session.execute(
                insert(segment_members),
                [{"segment_id": segment.id, "customer_id": c} for c in entered],
            )

    def replace_rfm(self, scores: Sequence[RfmScore], computed_at: datetime) -> None:
        self._session.execute(delete(customer_rfm))
        rows = [
            {
                "customer_id": s.customer_id,
                "recency": s.recency,
                "frequency": s.frequency,
                "monetary": s.monetary,
                "rfm_class": s.rfm_class,
                "computed_at": computed_at,
            }
            for s in scores
        ]
        for start in range(0, len(rows), _BATCH):
            self._session.execute(insert(customer_rfm), rows[start : start + _BATCH])

    def flush(self) -> None:
        for segment in self.seen.values():
            self._session.execute(
                update(segments).where(segments.c.id == segment.id).values(**_values(segment))
            )


def _view(row: Row[Any]) -> SegmentView:
    return SegmentView.from_segment(_segment(row))


def _admitted(filter: SegmentFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filter.kinds is not None:
        conditions.append(segments.c.kind.in_(sorted(kind.value for kind in filter.kinds)))
    if filter.name_contains:
        conditions.append(
            segments.c.name_key.contains(name_key(filter.name_contains), autoescape=True)
        )
    return conditions


def _of_visible(visible: Visibility) -> list[ColumnElement[bool]]:
    """Members the actor may see: a segment lists and counts only visible customers."""
    return of_visible_customers(visible, segment_members.c.customer_id)


class SqlSegmentReader:
    """``SegmentReader`` with Core queries on the reader engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def slice(
        self,
        filter: SegmentFilter,
        order: SegmentOrder,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[SegmentView]:
        sort = {
            SegmentSortField.NAME: segments.c.name_key,
            SegmentSortField.CREATED_AT: segments.c.created_at,
            SegmentSortField.SIZE: segments.c.size,
        }[order.field]
        descending = order.descending
        query = (
            select(segments)
            .where(
                *_admitted(filter),
                *window(sort, segments.c.id, descending=descending, after=after, before=before),
            )
            .order_by(*walking_order(sort, segments.c.id, descending=descending, from_end=from_end))
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def count(self, filter: SegmentFilter) -> int:
        query = select(func.count()).select_from(segments).where(*_admitted(filter))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def all(self) -> list[SegmentView]:
        query = select(segments).order_by(segments.c.name_key, segments.c.id)
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def get_many(self, ids: Collection[str]) -> Mapping[str, SegmentView]:
        query = select(segments).where(segments.c.id.in_(list(ids)))
        with self._engine.connect() as connection:
            return {row.id: _view(row) for row in connection.execute(query)}

    def members(
        self,
        segment_id: str,
        *,
        first: int,
        after: str | None,
        visible: Visibility,
        before: str | None = None,
        descending: bool = False,
    ) -> list[str]:
        member = segment_members.c.customer_id
        query = select(member).where(
            segment_members.c.segment_id == segment_id, *_of_visible(visible)
        )
        if after is not None:
            query = query.where(member < after if descending else member > after)
        if before is not None:
            query = query.where(member > before if descending else member < before)
        query = query.order_by(member.desc() if descending else member).limit(first)
        with self._engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def member_count(self, segment_id: str, *, visible: Visibility) -> int:
        query = (
            select(func.count())
            .select_from(segment_members)
            .where(segment_members.c.segment_id == segment_id, *_of_visible(visible))
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def all_members(self, segment_id: str) -> set[str]:
        query = select(segment_members.c.customer_id).where(
            segment_members.c.segment_id == segment_id
        )
        with self._engine.connect() as connection:
            return set(connection.execute(query).scalars())

    def segments_of(self, customer_ids: Collection[str]) -> Mapping[str, list[SegmentView]]:
        query = (
            select(segment_members.c.customer_id, segments)
            .join(segments, segments.c.id == segment_members.c.segment_id)
            .where(segment_members.c.customer_id.in_(list(customer_ids)))
            .order_by(segments.c.name_key, segments.c.id)
        )
        found: dict[str, list[SegmentView]] = {c: [] for c in customer_ids}
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                found[row.customer_id].append(_view(row))
        return found

    def member_counts(
        self, segment_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        query = (
            select(segment_members.c.segment_id, func.count())
            .where(
                segment_members.c.segment_id.in_(sorted(set(segment_ids))), *_of_visible(visible)
            )
            .group_by(segment_members.c.segment_id)
        )
        with self._engine.connect() as connection:
            return {row[0]: int(row[1]) for row in connection.execute(query)}

    def first_members(
        self, segment_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, list[str]]:
        found: dict[str, list[str]] = {segment_id: [] for segment_id in segment_ids}
        if not found or limit <= 0:
            return found
        position = (
            func.row_number()
            .over(
                partition_by=segment_members.c.segment_id,
                order_by=segment_members.c.customer_id,
            )
            .label("position")
        )
        ranked = (
            select(segment_members.c.segment_id, segment_members.c.customer_id, position)
            .where(segment_members.c.segment_id.in_(sorted(found)), *_of_visible(visible))
            .subquery()
        )
        query = (
            select(ranked.c.segment_id, ranked.c.customer_id)
            .where(ranked.c.position <= limit)
            .order_by(ranked.c.segment_id, ranked.c.position)
        )
        with self._engine.connect() as connection:
            for segment_id, customer_id in connection.execute(query):
                found[segment_id].append(customer_id)
        return found

    def size_histories(self, segment_ids: Collection[str]) -> Mapping[str, list[SizePoint]]:
        query = (
            select(segment_sizes.c.segment_id, segment_sizes.c.at, segment_sizes.c.size)
            .where(segment_sizes.c.segment_id.in_(sorted(set(segment_ids))))
            .order_by(segment_sizes.c.segment_id, segment_sizes.c.at)
        )
        found: dict[str, list[SizePoint]] = {}
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                found.setdefault(row.segment_id, []).append(SizePoint(row.at, row.size))
        return found

    def size_history(self, segment_id: str) -> list[SizePoint]:
        query = (
            select(segment_sizes.c.at, segment_sizes.c.size)
            .where(segment_sizes.c.segment_id == segment_id)
            .order_by(segment_sizes.c.at)
        )
        with self._engine.connect() as connection:
            return [SizePoint(row.at, row.size) for row in connection.execute(query)]

    def rfm_of(self, customer_ids: Collection[str]) -> Mapping[str, RfmScore]:
        query = select(
            customer_rfm.c.customer_id,
            customer_rfm.c.recency,
            customer_rfm.c.frequency,
            customer_rfm.c.monetary,
            customer_rfm.c.rfm_class,
        ).where(customer_rfm.c.customer_id.in_(list(customer_ids)))
        with self._engine.connect() as connection:
            return {row.customer_id: RfmScore(*row) for row in connection.execute(query)}
