"""What the behaviour use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Protocol

from domain.access.visibility import Visibility
from domain.behaviour import EventFrequency, TrackedEvent


class TrackedEventLog(Protocol):
    """Tracked events inside a unit of work (``uow.tracked_events``): append-only."""

    def known_event_ids(self, event_ids: Collection[str]) -> set[str]:
        """Which of ``event_ids`` are stored already."""
        ...

    def append(self, events: Sequence[TrackedEvent]) -> Sequence[TrackedEvent]:
        """Store each event whose event id is new and count it under its customer, name and
        UTC day; return the events stored. An event id stored meanwhile by another
        transaction is skipped, never stored twice.
        """
        ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """Give the events and daily counts of merged duplicates to the survivor."""
        ...


class BehaviourReader(Protocol):
    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, TrackedEvent]:
        """Events by id, of customers ``visible`` admits: events follow their customer."""
        ...

    def count(self, customer_id: str, name: str, *, since: date, until: date) -> int:
        """How many ``name`` events the customer did from UTC day ``since`` to ``until``."""
        ...

    def customers_doing(self, frequency: EventFrequency, *, today: date) -> set[str]:
        """The customers who meet ``frequency`` over the days up to ``today``."""
        ...


class TrackedCustomers(Protocol):
    """Told, after a batch of tracked events commits, which customers it was about.

    Tracked events are facts in their own log, not domain events in the outbox, so this is
    how in-process readers of behaviour (segment re-checks) hear of them at once.
    """

    def tracked(self, customer_ids: frozenset[str]) -> None: ...
