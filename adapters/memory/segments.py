"""Segments in memory: staged by a unit of work, replayed onto the store when it commits."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime

import attrs

from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.pagination import SortKey, slice_in_memory
from application.segments.checking import custom_field_kinds
from application.segments.ports import (
    CustomerRow,
    SegmentFacts,
    SegmentFilter,
    SegmentOrder,
    SegmentView,
    SizePoint,
    count_by_day,
)
from domain.access.visibility import Visibility
from domain.custom_fields import ObjectType
from domain.orders.order import OrderStatus
from domain.segments.rfm import Purchases, RfmScore
from domain.segments.rules import EventProperty
from domain.segments.segment import Segment, SegmentKind
from domain.tags.tag import name_key

_Change = Callable[[InMemoryStore], None]


def _copy(segment: Segment) -> Segment:
    return attrs.evolve(segment, events=[])


class InMemorySegments:
    """``uow.segments``: loaded segments are copies, written back on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.seen: dict[str, Segment] = {}
        self._members: dict[str, set[str]] = {}
        self._changes: list[_Change] = []
        self._transaction = transaction
        transaction.stages(write_back=self.write_back, clear=self.clear)

    def _track(self, segment: Segment) -> Segment:
        return self._transaction.saw(self.seen.setdefault(segment.id, segment))

    def _all(self) -> dict[str, Segment]:
        with self._store.lock:
            stored = {key: _copy(value) for key, value in self._store.segments.items()}
        return {**stored, **self.seen}

    def add(self, segment: Segment) -> None:
        self._track(segment)

    def get(self, segment_id: str) -> Segment | None:
        found = self._all().get(segment_id)
        return None if found is None else self._track(found)

    def by_name(self, name: str) -> Segment | None:
        key = name_key(name)
        for segment in self._all().values():
            if name_key(segment.name) == key:
                return self._track(segment)
        return None

    def dynamic(self) -> list[Segment]:
        found = [s for s in self._all().values() if s.kind is SegmentKind.DYNAMIC]
        found.sort(key=lambda s: (name_key(s.name), s.id))
        return [self._track(segment) for segment in found]

    def members_of(self, segment_id: str) -> set[str]:
        if segment_id in self._members:
            return set(self._members[segment_id])
        with self._store.lock:
            return set(self._store.segment_members.get(segment_id, ()))

    def set_members(
        self, segment: Segment, customer_ids: Collection[str], at: datetime
    ) -> tuple[set[str], set[str]]:
        wanted = set(customer_ids)
        current = self.members_of(segment.id)
        self._members[segment.id] = wanted

        def write(store: InMemoryStore) -> None:
            store.segment_members[segment.id] = set(wanted)
            store.segment_sizes.setdefault(segment.id, {})[at] = len(wanted)

        self._changes.append(write)
        return wanted - current, current - wanted

    def memberships(self, customer_ids: Collection[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {customer_id: set() for customer_id in customer_ids}
        with self._store.lock:
            stored = {key: set(value) for key, value in self._store.segment_members.items()}
        for segment_id, members in {**stored, **self._members}.items():
            for customer_id in found:
                if customer_id in members:
                    found[customer_id].add(segment_id)
        return found

    def change_members(
        self, segment: Segment, entered: Collection[str], exited: Collection[str]
    ) -> None:
        current = self.members_of(segment.id)
        self._members[segment.id] = (current | set(entered)) - set(exited)
        added, removed = set(entered), set(exited)

        def write(store: InMemoryStore) -> None:
            members = store.segment_members.setdefault(segment.id, set())
            members |= added
            members -= removed

        self._changes.append(write)

    def replace_rfm(self, scores: Sequence[RfmScore], computed_at: datetime) -> None:
        by_customer = {score.customer_id: score for score in scores}

        def write(store: InMemoryStore) -> None:
            store.rfm = dict(by_customer)

        self._changes.append(write)

    def write_back(self) -> None:
        """Apply the staged changes; the unit of work holds the store's lock."""
        for segment in self.seen.values():
            self._store.segments[segment.id] = _copy(segment)
        for change in self._changes:
            change(self._store)

    def clear(self) -> None:
        self.seen.clear()
        self._members.clear()
        self._changes.clear()


class InMemorySegmentReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def all(self) -> list[SegmentView]:
        with self._store.lock:
            views = [SegmentView.from_segment(s) for s in self._store.segments.values()]
        return sorted(views, key=lambda view: (name_key(view.name), view.id))

    def get_many(self, ids: Collection[str]) -> Mapping[str, SegmentView]:
        with self._store.lock:
            found = self._store.segments
            return {i: SegmentView.from_segment(found[i]) for i in ids if i in found}

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
        admitted = [view for view in self.all() if filter.admits(view)]
        return slice_in_memory(
            admitted,
            order.memory_order(),
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def count(self, filter: SegmentFilter) -> int:
        return sum(1 for view in self.all() if filter.admits(view))

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
        members = sorted(self._visible_members(segment_id, visible), reverse=descending)

        def beyond(member: str, bound: str) -> bool:
            return member < bound if descending else member > bound

        return [
            m
            for m in members
            if (after is None or beyond(m, after)) and (before is None or beyond(before, m))
        ][:first]

    def member_count(self, segment_id: str, *, visible: Visibility) -> int:
        return len(self._visible_members(segment_id, visible))

    def _visible_members(self, segment_id: str, visible: Visibility) -> set[str]:
        members = self.all_members(segment_id)
        if visible.unrestricted:
            return members
        customers = self._store.customers
        return {
            member
            for member in members
            if member in customers and visible.admits(customers[member].owner_id, member)
        }

    def all_members(self, segment_id: str) -> set[str]:
        with self._store.lock:
            return set(self._store.segment_members.get(segment_id, ()))

    def segments_of(self, customer_ids: Collection[str]) -> Mapping[str, list[SegmentView]]:
        views = self.all()
        with self._store.lock:
            members = {key: set(value) for key, value in self._store.segment_members.items()}
        return {
            customer_id: [v for v in views if customer_id in members.get(v.id, ())]
            for customer_id in customer_ids
        }

    def member_counts(
        self, segment_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        counts = {
            segment_id: self.member_count(segment_id, visible=visible) for segment_id in segment_ids
        }
        return {segment_id: count for segment_id, count in counts.items() if count}

    def first_members(
        self, segment_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, list[str]]:
        return {
            segment_id: sorted(self._visible_members(segment_id, visible))[: max(0, limit)]
            for segment_id in segment_ids
        }

    def size_histories(self, segment_ids: Collection[str]) -> Mapping[str, list[SizePoint]]:
        found = {segment_id: self.size_history(segment_id) for segment_id in segment_ids}
        return {segment_id: points for segment_id, points in found.items() if points}

    def size_history(self, segment_id: str) -> list[SizePoint]:
        with self._store.lock:
            points = dict(self._store.segment_sizes.get(segment_id, {}))
        return [SizePoint(at, size) for at, size in sorted(points.items())]

    def rfm_of(self, customer_ids: Collection[str]) -> Mapping[str, RfmScore]:
        with self._store.lock:
            return {c: self._store.rfm[c] for c in customer_ids if c in self._store.rfm}


class InMemorySegmentFacts:
    """``SegmentFactsSource`` over the in-memory store."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def facts(
        self, *, currency: str, events_since: date, customer_ids: Collection[str] | None = None
    ) -> SegmentFacts:
        wanted = None if customer_ids is None else set(customer_ids)
        with self._store.lock:
            store = self._store
            active = {
                c.id: c
                for c in store.customers.values()
                if c.archived_at is None and (wanted is None or c.id in wanted)
            }
            definitions = [
                (d.key, d.field_type)
                for d in store.custom_field_definitions.values()
                if d.object_type is ObjectType.CUSTOMER
            ]
            tag_names = {tag.id: tag.name_key for tag in store.tags.values()}
            return SegmentFacts(
                fields=custom_field_kinds(definitions),
                customers=[
                    CustomerRow(
                        c.id,
                        None if c.email is None else c.email.value,
                        c.first_name,
                        c.last_name,
                        c.created_at,
                        dict(c.custom_fields),
                    )
                    for c in active.values()
                ],
                tags=[
                    (customer_id, tag_names[tag_id])
                    for customer_id, tag_id in store.customer_tags
                    if customer_id in active and tag_id in tag_names
                ],
                stages=[
                    (customer_id, track, assignment.stage, assignment.entered_at)
                    for customer_id, tracks in store.customer_stages.items()
                    if customer_id in active
                    for track, assignment in tracks.items()
                ],
                events=[
                    (customer_id, name, day, times)
                    for (customer_id, name, day), times in store.event_daily_counts.items()
                    if customer_id in active and day >= events_since
                ],
                orders=[
                    (
                        o.customer_id,
                        o.placed_at.date(),
                        o.total.minor_units - o.refunded.minor_units,
                    )
                    for o in store.orders.values()
                    if o.customer_id in active and _counted(o.status, o.currency.code, currency)
                ],
                rfm=[score for key, score in store.rfm.items() if key in active],
            )

    def matching_events(
        self,
        *,
        name: str,
        where: EventProperty,
        since: date,
        customer_ids: Collection[str] | None = None,
    ) -> list[tuple[str, date, int]]:
        wanted = None if customer_ids is None else set(customer_ids)
        with self._store.lock:
            active = {c.id for c in self._store.customers.values() if c.archived_at is None}
            found = [
                (event.customer_id, event.occurred_at.astimezone(UTC).date())
                for event in self._store.tracked_events.values()
                if event.name == name
                and event.customer_id in active
                and (wanted is None or event.customer_id in wanted)
                and event.occurred_at.astimezone(UTC).date() >= since
                and where.holds(event.properties)
            ]
        return count_by_day(found)

    def purchases(self, *, currency: str, since: date | None, until: date) -> list[Purchases]:
        totals: dict[str, tuple[date, int, int]] = {}
        with self._store.lock:
            active = {c.id for c in self._store.customers.values() if c.archived_at is None}
            for order in self._store.orders.values():
                day = order.placed_at.date()
                if order.customer_id not in active or day > until:
                    continue
                if (since is not None and day < since) or not _counted(
                    order.status, order.currency.code, currency
                ):
                    continue
                amount = order.total.minor_units - order.refunded.minor_units
                last, count, total = totals.get(order.customer_id, (day, 0, 0))
                totals[order.customer_id] = (max(last, day), count + 1, total + amount)
        return [
            Purchases(customer_id, last, count, total)
            for customer_id, (last, count, total) in sorted(totals.items())
        ]


def _counted(status: OrderStatus, code: str, currency: str) -> bool:
    return status is not OrderStatus.CANCELLED and code == currency
