"""Tracked events and their daily counts in memory, with the SQL adapter's semantics."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date

import attrs

from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.errors import Conflict
from domain.access.visibility import Visibility
from domain.behaviour import EventFrequency, TrackedEvent
from domain.errors import ErrorCode


class InMemoryTrackedEventLog:
    """``uow.tracked_events``: events staged by event id, stored and counted on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._staged: dict[str, TrackedEvent] = {}
        self._moves: list[tuple[str, frozenset[str]]] = []
        transaction.checks(self.check)
        transaction.stages(write_back=self.write_back, clear=self.clear)

    def known_event_ids(self, event_ids: Collection[str]) -> set[str]:
        with self._store.lock:
            stored = self._store.tracked_events
            return {i for i in event_ids if i in stored or i in self._staged}

    def append(self, events: Sequence[TrackedEvent]) -> Sequence[TrackedEvent]:
        known = self.known_event_ids({event.event_id for event in events})
        appended: list[TrackedEvent] = []
        for event in events:
            if event.event_id not in known:
                known.add(event.event_id)
                self._staged[event.event_id] = event
                appended.append(event)
        return appended

    def check(self) -> None:
        # SQL waits for the other writer and skips the event; a dictionary cannot wait, so
        # the batch fails and is sent again, when its events come back as duplicates.
        if self._staged.keys() & self._store.tracked_events.keys():
            raise Conflict(
                "events",
                ErrorCode.TAKEN,
                "another request stored some of these events meanwhile; send the batch again",
            )

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        self._moves.append((survivor_id, frozenset(duplicate_ids)))
        with self._store.lock:
            return sum(
                1 for e in self._store.tracked_events.values() if e.customer_id in duplicate_ids
            )

    def write_back(self) -> None:
        counts = self._store.event_daily_counts
        for survivor_id, duplicates in self._moves:
            for event_id, event in list(self._store.tracked_events.items()):
                if event.customer_id in duplicates:
                    self._store.tracked_events[event_id] = attrs.evolve(
                        event, customer_id=survivor_id
                    )
            for key in [k for k in counts if k[0] in duplicates]:
                merged = (survivor_id, key[1], key[2])
                counts[merged] = counts.get(merged, 0) + counts.pop(key)
        for event in self._staged.values():
            self._store.tracked_events[event.event_id] = event
            key = (event.customer_id, event.name, event.day)
            counts[key] = counts.get(key, 0) + 1

    def clear(self) -> None:
        self._staged.clear()
        self._moves.clear()


class InMemoryBehaviourReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, TrackedEvent]:
        wanted = set(ids)
        customers = self._store.customers
        with self._store.lock:
            return {
                e.id: e
                for e in self._store.tracked_events.values()
                if e.id in wanted
                and visible.admits(
                    getattr(customers.get(e.customer_id), "owner_id", None), e.customer_id
                )
            }

    def count(self, customer_id: str, name: str, *, since: date, until: date) -> int:
        with self._store.lock:
            return sum(
                times
                for (customer, event_name, day), times in self._store.event_daily_counts.items()
                if customer == customer_id and event_name == name and since <= day <= until
            )

    def customers_doing(self, frequency: EventFrequency, *, today: date) -> set[str]:
        since = frequency.first_day(today)
        totals: dict[str, int] = {}
        with self._store.lock:
            for (customer, name, day), times in self._store.event_daily_counts.items():
                if name == frequency.name and since <= day <= today:
                    totals[customer] = totals.get(customer, 0) + times
        return {customer for customer, times in totals.items() if times >= frequency.at_least}
