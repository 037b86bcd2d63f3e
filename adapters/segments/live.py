"""The NumPy snapshot kept current: built on first use, rebuilt after changes or with age.

Committed domain events about customers, tags, stages and orders mark the snapshot stale;
tracked behaviour events do not pass through the event bus, so a snapshot is also rebuilt
once it is older than ``max_age``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, timedelta

from adapters.segments.numpy_engine import Progress, Snapshot, build_snapshot
from application.ports import Clock
from application.segments.ports import SegmentFactsSource
from domain.events import DomainEvent
from domain.segments.rules import MAX_EVENT_WINDOW_DAYS

# Segment membership events follow from the snapshot; they never make it stale.
_OWN_EVENTS = "rapport.segment."


class LiveSnapshot:
    """Hands out the current snapshot; a subscriber of the event bus through ``changed``."""

    def __init__(
        self,
        facts: SegmentFactsSource,
        clock: Clock,
        *,
        currency: str = "USD",
        max_age: timedelta = timedelta(seconds=60),
    ) -> None:
        self._facts = facts
        self._clock = clock
        self._currency = currency
        self._max_age = max_age.total_seconds()
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._built_at = 0.0
        self._stale = True

    def __call__(self) -> Snapshot:
        with self._lock:
            age = time.monotonic() - self._built_at
            if self._snapshot is None or self._stale or age > self._max_age:
                self._snapshot = self.build()
            return self._snapshot

    def build(self, progress: Progress | None = None) -> Snapshot:
        """A fresh snapshot from the facts, now; it becomes the current one."""
        today = self._clock.now().astimezone(UTC).date()
        self._stale = False
        self._built_at = time.monotonic()
        facts = self._facts.facts(
            currency=self._currency,
            events_since=today - timedelta(days=MAX_EVENT_WINDOW_DAYS),
        )
        if progress is None:
            snapshot = build_snapshot(facts, currency=self._currency)
        else:
            snapshot = build_snapshot(facts, currency=self._currency, progress=progress)
        self._snapshot = snapshot
        return snapshot

    def changed(self, event: DomainEvent) -> None:
        """Mark the snapshot stale when a committed event is about anything rules read."""
        if not event.event_type.startswith(_OWN_EVENTS):
            self._stale = True
