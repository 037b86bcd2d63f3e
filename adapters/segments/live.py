"""The NumPy snapshot kept current: built on first use, rebuilt after changes or with age.

Committed domain events about customers, tags, stages and orders mark the snapshot stale,
and so do committed batches of tracked events (told through ``tracked``); a snapshot is
also rebuilt once it is older than ``max_age``, for changes made by other processes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Sequence
from datetime import UTC, date, timedelta

from adapters.segments.snapshot import Progress, Snapshot, build_snapshot
from application.ports import Clock
from application.principal import Principal
from application.segments.commands import RecheckCustomers
from application.segments.ports import SegmentFactsSource, SegmentReader
from domain.events import DomainEvent
from domain.segments.rules import MAX_EVENT_WINDOW_DAYS, EventProperty
from domain.segments.segment import SegmentKind

# Segment membership events follow from the other changes; they never trigger a re-check.
_OWN_EVENTS = "rapport.segment."


log = logging.getLogger("rapport.segments")


class LiveSnapshot:
    """Hands out the current snapshot; a subscriber of the event bus through ``changed``.

    A stale snapshot of up to ``inline_up_to`` customers is rebuilt before it is used (a
    second or two at most); a larger one goes on serving while a thread rebuilds it, so
    previews lag a busy system by one rebuild. Memberships never lag: the live re-check
    reads each changed customer's facts afresh.
    """

    def __init__(
        self,
        facts: SegmentFactsSource,
        clock: Clock,
        *,
        currency: str = "USD",
        max_age: timedelta = timedelta(seconds=60),
        inline_up_to: int = 50_000,
    ) -> None:
        self._facts = facts
        self._clock = clock
        self._currency = currency
        self._max_age = max_age.total_seconds()
        self._inline_up_to = inline_up_to
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._built_at = 0.0
        self._stale = True
        self._rebuilding: threading.Thread | None = None

    def __call__(self) -> Snapshot:
        with self._lock:
            current = self._snapshot
            age = time.monotonic() - self._built_at
            if current is not None and not self._stale and age <= self._max_age:
                return current
            if current is None or current.size <= self._inline_up_to:
                return self.build()
            if self._rebuilding is None or not self._rebuilding.is_alive():
                self._rebuilding = threading.Thread(
                    target=self._rebuild, name="segment-snapshot", daemon=True
                )
                self._rebuilding.start()
            return current

    def _rebuild(self) -> None:
        try:
            self.build()
        except Exception:
            log.exception("rebuilding the segment snapshot failed")

    def build(self, progress: Progress | None = None) -> Snapshot:
        """A fresh snapshot from the facts, now; it becomes the current one."""
        today = self._clock.now().astimezone(UTC).date()
        self._stale = False
        self._built_at = time.monotonic()
        since = today - timedelta(days=MAX_EVENT_WINDOW_DAYS)
        facts = self._facts.facts(currency=self._currency, events_since=since)

        def load_matching(name: str, where: EventProperty) -> Sequence[tuple[str, date, int]]:
            return self._facts.matching_events(name=name, where=where, since=since)

        if progress is None:
            snapshot = build_snapshot(facts, currency=self._currency, load_matching=load_matching)
        else:
            snapshot = build_snapshot(
                facts, currency=self._currency, progress=progress, load_matching=load_matching
            )
        self._snapshot = snapshot
        return snapshot

    def changed(self, event: DomainEvent) -> None:
        """Mark the snapshot stale when a committed event is about anything rules read."""
        if not event.event_type.startswith(_OWN_EVENTS):
            self._stale = True

    def tracked(self, _customer_ids: frozenset[str]) -> None:
        """Tracked events change what behaviour rules count."""
        self._stale = True


class SegmentWatcher:
    """Re-checks customers named by committed events against the dynamic segments.

    Events arrive one by one from the bus; their customers are gathered and re-checked
    in batches by a short-lived thread, so that a bulk change costs a few re-checks, not
    one per event. ``drain()`` does the pending work now, in the caller's thread.
    """

    def __init__(
        self,
        recheck: RecheckCustomers,
        segments: SegmentReader,
        *,
        batch: int = 1_000,
        look_again: timedelta = timedelta(seconds=60),
    ) -> None:
        self._recheck = recheck
        self._segments = segments
        self._batch = batch
        self._look_again = look_again.total_seconds()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._dynamic: bool | None = None
        self._looked_at = 0.0

    def changed(self, event: DomainEvent) -> None:
        if event.event_type.startswith(_OWN_EVENTS) and event.aggregate_type == "segment":
            self._dynamic = None
        customer_id = _customer_of(event)
        if customer_id is not None:
            self._queue({customer_id})

    def tracked(self, customer_ids: frozenset[str]) -> None:
        """Customers named by a committed batch of tracked events (behaviour rules)."""
        self._queue(customer_ids)

    def _queue(self, customer_ids: Collection[str]) -> None:
        if not customer_ids or not self._any_dynamic():
            return
        with self._lock:
            self._pending.update(customer_ids)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._run, name="segment-recheck", daemon=True
                )
                self._worker.start()

    def drain(self) -> int:
        """Re-check everyone pending; how many memberships changed."""
        changed = 0
        while True:
            with self._lock:
                batch = set(list(self._pending)[: self._batch])
                self._pending -= batch
            if not batch:
                return changed
            try:
                changed += self._recheck(Principal.system(), batch)
            except Exception:
                log.exception("re-checking %d customers against segments failed", len(batch))

    def _any_dynamic(self) -> bool:
        """Whether any dynamic segment exists; asked again after a while or a segment change."""
        if self._dynamic is None or time.monotonic() - self._looked_at > self._look_again:
            self._dynamic = any(s.kind is SegmentKind.DYNAMIC for s in self._segments.all())
            self._looked_at = time.monotonic()
        return self._dynamic

    def _run(self) -> None:
        # A moment's wait lets the rest of a bulk change arrive and share the batch.
        time.sleep(0.02)
        self.drain()


def _customer_of(event: DomainEvent) -> str | None:
    if event.event_type.startswith(_OWN_EVENTS):
        return None
    if event.aggregate_type == "customer":
        return event.aggregate_id
    customer_id = getattr(event, "customer_id", None)
    return customer_id if isinstance(customer_id, str) else None
