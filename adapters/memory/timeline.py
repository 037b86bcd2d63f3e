"""Timeline entries in memory: staged by a unit of work, visible once it commits."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

import attrs

from adapters.memory.querying import walk
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.pagination import SortKey
from domain.access.visibility import Visibility
from domain.timeline import TimelineEntry

_Change = Callable[[dict[str, TimelineEntry]], None]


class InMemoryTimeline:
    """``uow.timeline``: changes are replayed onto the store, in order, on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._changes: list[_Change] = []
        transaction.stages(write_back=self.write_back, clear=self.clear)

    def record(self, entries: Sequence[TimelineEntry]) -> None:
        by_id = {entry.id: entry for entry in entries}
        self._changes.append(lambda timeline: timeline.update(by_id))

    def remove(self, entry_ids: Collection[str]) -> None:
        gone = frozenset(entry_ids)

        def remove(timeline: dict[str, TimelineEntry]) -> None:
            for entry_id in gone:
                timeline.pop(entry_id, None)

        self._changes.append(remove)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        duplicates = frozenset(duplicate_ids) - {survivor_id}

        def move(timeline: dict[str, TimelineEntry]) -> None:
            for entry_id, entry in list(timeline.items()):
                if entry.customer_id in duplicates:
                    timeline[entry_id] = attrs.evolve(entry, customer_id=survivor_id)

        with self._store.lock:
            preview = dict(self._store.timeline)
        for change in self._changes:
            change(preview)
        self._changes.append(move)
        return sum(1 for entry in preview.values() if entry.customer_id in duplicates)

    def write_back(self) -> None:
        """Apply the staged changes; the unit of work holds the store's lock."""
        for change in self._changes:
            change(self._store.timeline)

    def clear(self) -> None:
        self._changes.clear()


def _in_window(
    entry: TimelineEntry,
    kinds: Collection[str] | None,
    since: datetime | None,
    until: datetime | None,
) -> bool:
    return (
        (kinds is None or entry.kind in kinds)
        and (since is None or entry.occurred_at >= since)
        and (until is None or entry.occurred_at < until)
    )


class InMemoryTimelineReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _entries(
        self,
        customer_id: str,
        visible: Visibility,
        kinds: Collection[str] | None,
        since: datetime | None,
        until: datetime | None,
    ) -> list[TimelineEntry]:
        customer = self._store.customers.get(customer_id)
        if not visible.admits(customer.owner_id if customer else None, customer_id):
            return []
        with self._store.lock:
            return [
                entry
                for entry in self._store.timeline.values()
                if entry.customer_id == customer_id and _in_window(entry, kinds, since, until)
            ]

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
        return walk(
            self._entries(customer_id, visible, kinds, since, until),
            lambda entry: SortKey(entry.occurred_at, entry.id),
            descending=not oldest_first,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

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
        return {
            customer_id: self.slice(
                customer_id,
                visible=visible,
                kinds=kinds,
                after=None,
                limit=limit,
                since=since,
                until=until,
            )
            for customer_id in customer_ids
        }

    def count_of_customers(
        self,
        customer_ids: Collection[str],
        *,
        visible: Visibility,
        kinds: Collection[str] | None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, int]:
        return {
            customer_id: len(self._entries(customer_id, visible, kinds, since, until))
            for customer_id in customer_ids
        }
