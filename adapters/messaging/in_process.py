"""The embedded event bus: committed events go straight to in-process subscribers."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence

from domain.events import DomainEvent

Subscriber = Callable[[DomainEvent], None]
ALL_EVENTS = "*"
log = logging.getLogger(__name__)


class InProcessEventBus:
    """Calls subscribers in commit order; one failing subscriber does not stop the others.

    The outbox, not this bus, is the record of what happened, so a subscriber that
    fails loses nothing: the relay delivers from the outbox again.
    """

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscriber]] = defaultdict(list)

    def subscribe(self, event_type: str, subscriber: Subscriber) -> None:
        """Call ``subscriber`` for each event of ``event_type`` (or ``"*"`` for all)."""
        self._subscribers[event_type].append(subscriber)

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            for subscriber in (
                *self._subscribers[event.event_type],
                *self._subscribers[ALL_EVENTS],
            ):
                try:
                    subscriber(event)
                except Exception:
                    log.exception("subscriber %r failed on %s", subscriber, event.event_type)


class InProcessTrackedCustomers:
    """Fans "these customers did something" out to in-process subscribers after a tracking
    batch commits. Nothing is lost when one fails: the events are stored, and the nightly
    segment refresh reads them all again."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[frozenset[str]], None]] = []

    def subscribe(self, subscriber: Callable[[frozenset[str]], None]) -> None:
        self._subscribers.append(subscriber)

    def tracked(self, customer_ids: frozenset[str]) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(customer_ids)
            except Exception:
                log.exception("subscriber %r failed on tracked events", subscriber)
