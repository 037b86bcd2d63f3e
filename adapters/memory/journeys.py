"""Journeys and enrolments in memory, with the transaction semantics of the SQL adapter:
copies out of the store, checked against it and written back on commit."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from adapters.memory.messages import InMemoryMessageRepository
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.transaction import repository
from application.errors import AlreadyTaken, StaleVersion
from application.journeys.ports import (
    ArrivedEvent,
    Contact,
    Entry,
    JourneyStats,
    stats_of,
)
from application.pagination import MemoryOrder, SortKey, read_time, slice_in_memory
from domain.campaigns.journeys import Enrolment, EnrolmentStatus, Journey, TriggerKind


class InMemoryJourneyRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._transaction = transaction
        self._store = transaction.store
        self._seen: dict[str, Journey] = {}
        self._loaded: dict[str, int | None] = {}
        transaction.checks(self._check)
        transaction.stages(write_back=self._write_back, clear=self._clear)

    def add(self, journey: Journey) -> None:
        self._seen[journey.id] = self._transaction.saw(journey)
        self._loaded[journey.id] = None

    def get(self, journey_id: str) -> Journey | None:
        if journey_id in self._seen:
            return self._seen[journey_id]
        with self._store.lock:
            stored = self._store.journeys.get(journey_id)
            if stored is None:
                return None
            loaded = copy.deepcopy(stored)
        self._seen[journey_id] = self._transaction.saw(loaded)
        self._loaded[journey_id] = loaded.revision
        return loaded

    def save(self, journey: Journey) -> None:
        if journey.id not in self._seen:
            self.add(journey)

    def accepting(self, kind: TriggerKind) -> list[Journey]:
        with self._store.lock:
            ids = list(self._store.journeys)
        ids += [i for i in self._seen if i not in ids]
        found = [self.get(i) for i in ids]
        return sorted(
            (
                j
                for j in found
                if j is not None
                and j.accepts_entries
                and j.current is not None
                and j.current.trigger.kind is kind
            ),
            key=lambda journey: (journey.created_at, journey.id),
        )

    def _check(self) -> None:
        for journey_id, revision in self._loaded.items():
            stored = self._store.journeys.get(journey_id)
            if revision is None:
                if stored is not None:
                    raise AlreadyTaken("id", "another journey has this id")
            elif stored is None or stored.revision != revision:
                raise StaleVersion(revision)

    def _write_back(self) -> None:
        for journey_id, journey in self._seen.items():
            if self._loaded[journey_id] != journey.revision:
                self._store.journeys[journey_id] = copy.deepcopy(journey)

    def _clear(self) -> None:
        self._seen.clear()
        self._loaded.clear()


def _entry_key(enrolment: Enrolment, sequence: int) -> tuple[str, str, int]:
    return (enrolment.journey_id, enrolment.customer_id, sequence)


class InMemoryEnrolmentRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._transaction = transaction
        self._store = transaction.store
        self._seen: dict[str, Enrolment] = {}
        self._loaded: dict[str, int] = {}
        self._added: dict[str, int] = {}
        """Enrolments added here, with the sequence they were decided on."""
        self._saved: set[str] = set()
        self._reached: dict[tuple[str, str], int] = {}
        transaction.checks(self._check)
        transaction.stages(write_back=self._write_back, clear=self._clear)

    def _committed(self) -> list[Enrolment]:
        with self._store.lock:
            return list(self._store.journey_enrolments.values())

    def _load(self, stored: Enrolment) -> Enrolment:
        if stored.id in self._seen:
            return self._seen[stored.id]
        loaded = copy.deepcopy(stored)
        self._seen[stored.id] = self._transaction.saw(loaded)
        self._loaded[stored.id] = loaded.revision
        return loaded

    def histories(
        self, journey_id: str, customer_ids: Collection[str]
    ) -> dict[str, list[Enrolment]]:
        wanted = set(customer_ids)
        found: dict[str, list[Enrolment]] = {}
        known = {e.id: e for e in self._committed()}
        known.update({i: self._seen[i] for i in self._added})
        for enrolment in sorted(known.values(), key=lambda e: (e.entered_at, e.id)):
            if enrolment.journey_id == journey_id and enrolment.customer_id in wanted:
                found.setdefault(enrolment.customer_id, []).append(copy.deepcopy(enrolment))
        return found

    def add_many(self, entries: Sequence[Entry]) -> list[Enrolment]:
        stored: list[Enrolment] = []
        with self._store.lock:
            taken = {
                _entry_key(e, s): e.id
                for e, s in self._sequences(self._store.journey_enrolments.values())
            }
            active = {
                (e.journey_id, e.customer_id)
                for e in self._store.journey_enrolments.values()
                if e.is_active
            }
        taken.update({_entry_key(self._seen[i], s): i for i, s in self._added.items()})
        active.update(
            (self._seen[i].journey_id, self._seen[i].customer_id)
            for i in self._added
            if self._seen[i].is_active
        )
        for entry in entries:
            enrolment = entry.enrolment
            key = _entry_key(enrolment, entry.sequence)
            pair = (enrolment.journey_id, enrolment.customer_id)
            if key in taken or (enrolment.is_active and pair in active):
                continue
            taken[key] = enrolment.id
            if enrolment.is_active:
                active.add(pair)
            self._seen[enrolment.id] = self._transaction.saw(enrolment)
            self._added[enrolment.id] = entry.sequence
            stored.append(enrolment)
        return stored

    def _sequences(self, enrolments: Collection[Enrolment]) -> list[tuple[Enrolment, int]]:
        """Each stored enrolment with its sequence: its place among the customer's runs."""
        by_pair: dict[tuple[str, str], list[Enrolment]] = {}
        for enrolment in sorted(enrolments, key=lambda e: (e.entered_at, e.id)):
            by_pair.setdefault((enrolment.journey_id, enrolment.customer_id), []).append(enrolment)
        return [(e, place) for runs in by_pair.values() for place, e in enumerate(runs)]

    def get_many(self, enrolment_ids: Collection[str]) -> dict[str, Enrolment]:
        found: dict[str, Enrolment] = {}
        with self._store.lock:
            committed = self._store.journey_enrolments
            stored = {i: committed[i] for i in enrolment_ids if i in committed}
        for enrolment_id in enrolment_ids:
            if enrolment_id in self._seen:
                found[enrolment_id] = self._seen[enrolment_id]
            elif enrolment_id in stored:
                found[enrolment_id] = self._load(stored[enrolment_id])
        return found

    def active_of(self, customer_ids: Collection[str]) -> list[Enrolment]:
        wanted = set(customer_ids)
        loaded = [self._load(e) for e in self._committed() if e.customer_id in wanted]
        loaded += [self._seen[i] for i in self._added if self._seen[i].customer_id in wanted]
        return [e for e in dict.fromkeys(loaded) if e.is_active]

    def save_many(self, enrolments: Sequence[Enrolment]) -> None:
        for enrolment in enrolments:
            if enrolment.id not in self._seen:
                raise LookupError(f"enrolment {enrolment.id} was not loaded")
            self._saved.add(enrolment.id)

    def count_reached(self, reached: Mapping[tuple[str, str], int]) -> None:
        for key, times in reached.items():
            self._reached[key] = self._reached.get(key, 0) + times

    def _check(self) -> None:
        committed = self._store.journey_enrolments
        for enrolment_id in self._saved - set(self._added):
            stored = committed.get(enrolment_id)
            if stored is None or stored.revision != self._loaded[enrolment_id]:
                raise StaleVersion(self._loaded[enrolment_id])
        # Another transaction may have entered the same customers since add_many looked.
        taken = {_entry_key(e, s) for e, s in self._sequences(committed.values())}
        active = {(e.journey_id, e.customer_id) for e in committed.values() if e.is_active}
        for enrolment_id, sequence in self._added.items():
            enrolment = self._seen[enrolment_id]
            if enrolment_id in committed or _entry_key(enrolment, sequence) in taken:
                raise AlreadyTaken("customerId", "the customer entered the journey meanwhile")
            if (enrolment.journey_id, enrolment.customer_id) in active:
                raise AlreadyTaken("customerId", "the customer is on the journey already")

    def _write_back(self) -> None:
        for enrolment_id in set(self._added) | self._saved:
            stored = copy.deepcopy(self._seen[enrolment_id])
            stored.events.clear()
            self._store.journey_enrolments[enrolment_id] = stored
        counts = self._store.journey_step_counts
        for key, times in self._reached.items():
            counts[key] = counts.get(key, 0) + times

    def _clear(self) -> None:
        self._seen.clear()
        self._loaded.clear()
        self._added.clear()
        self._saved.clear()
        self._reached.clear()


class InMemoryJourneysUnitOfWork(InMemoryUnitOfWork):
    journeys = repository(InMemoryJourneyRepository)
    enrolments = repository(InMemoryEnrolmentRepository)
    messages = repository(InMemoryMessageRepository)


class InMemoryJourneyFacts:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def contacts(self, customer_ids: Collection[str]) -> dict[str, Contact]:
        with self._store.lock:
            found = [self._store.customers.get(i) for i in set(customer_ids)]
        return {
            c.id: Contact(
                customer_id=c.id,
                email=str(c.email) if c.email else None,
                phone=str(c.phone) if c.phone else None,
                owner_id=c.owner_id,
                custom_fields=dict(c.custom_fields),
                active=c.archived_at is None and c.merged_into is None,
            )
            for c in found
            if c is not None
        }

    def events_since(
        self, customer_ids: Collection[str], names: Collection[str], since: datetime
    ) -> list[ArrivedEvent]:
        wanted, named = set(customer_ids), set(names)
        with self._store.lock:
            events = list(self._store.tracked_events.values())
        return sorted(
            (
                ArrivedEvent(e.customer_id, e.name, e.received_at)
                for e in events
                if e.customer_id in wanted and e.name in named and e.received_at >= since
            ),
            key=lambda event: event.received_at,
        )

    def date_values(self, field_key: str) -> list[tuple[str, object]]:
        with self._store.lock:
            found = list(self._store.customers.values())
        return [
            (c.id, c.custom_fields[field_key])
            for c in found
            if c.archived_at is None
            and c.merged_into is None
            and c.custom_fields.get(field_key) is not None
        ]


_ORDER: MemoryOrder[Journey] = MemoryOrder(
    name="journeys.by_creation",
    value_of=lambda journey: journey.created_at,
    id_of=lambda journey: journey.id,
    read=read_time,
)


class InMemoryJourneyReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get(self, journey_id: str) -> Journey | None:
        with self._store.lock:
            found = self._store.journeys.get(journey_id)
            return None if found is None else copy.deepcopy(found)

    def slice(
        self, *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
    ) -> Sequence[Journey]:
        with self._store.lock:
            every = [copy.deepcopy(j) for j in self._store.journeys.values()]
        return slice_in_memory(
            every, _ORDER, after=after, before=before, limit=limit, from_end=from_end
        )

    def count(self) -> int:
        with self._store.lock:
            return len(self._store.journeys)

    def stats(self, journey_ids: Collection[str]) -> dict[str, JourneyStats]:
        wanted = set(journey_ids)
        by_status: dict[str, dict[EnrolmentStatus, int]] = {i: {} for i in wanted}
        reached: dict[str, dict[str, int]] = {i: {} for i in wanted}
        with self._store.lock:
            for enrolment in self._store.journey_enrolments.values():
                if enrolment.journey_id in wanted:
                    counts = by_status[enrolment.journey_id]
                    counts[enrolment.status] = counts.get(enrolment.status, 0) + 1
            for (journey_id, step_id), times in self._store.journey_step_counts.items():
                if journey_id in wanted:
                    reached[journey_id][step_id] = times
        return {i: stats_of(by_status[i], reached[i]) for i in wanted}

    def enrolments_of(self, customer_id: str) -> list[Enrolment]:
        with self._store.lock:
            found = [
                copy.deepcopy(e)
                for e in self._store.journey_enrolments.values()
                if e.customer_id == customer_id
            ]
        return sorted(found, key=lambda e: (e.entered_at, e.id), reverse=True)
