"""Recurring jobs and timers in memory, with the claim and lease semantics of the SQL ones."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

import attrs

from adapters.memory.store import InMemoryStore, StoredTimer
from adapters.memory.transaction import InMemoryTransaction
from domain.scheduling import RecurringJob, Schedule, Timer

PENDING, FIRED, FAILED = "pending", "fired", "failed"
_Change = Callable[[dict[tuple[str, str], StoredTimer]], None]


class InMemoryTimers:
    """``uow.timers``: changes staged by the unit of work, applied when it commits."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._changes: list[_Change] = []
        transaction.stages(write_back=self.write_back, clear=self.clear)

    def set(self, timer: Timer) -> None:
        def put(timers: dict[tuple[str, str], StoredTimer]) -> None:
            timers[(timer.kind, timer.subject_id)] = StoredTimer(attrs.evolve(timer, attempts=0))

        self._changes.append(put)

    def set_many(self, timers: Sequence[Timer]) -> None:
        for timer in timers:
            self.set(timer)

    def cancel(self, kind: str, subject_id: str) -> None:
        def drop(timers: dict[tuple[str, str], StoredTimer]) -> None:
            stored = timers.get((kind, subject_id))
            if stored is not None and stored.status == PENDING:
                del timers[(kind, subject_id)]

        self._changes.append(drop)

    def write_back(self) -> None:
        """Apply the staged changes; the unit of work holds the store's lock."""
        for change in self._changes:
            change(self._store.timers)

    def clear(self) -> None:
        self._changes.clear()


class InMemoryScheduledWork:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def register(self, schedules: Mapping[str, Schedule], *, now: datetime) -> None:
        with self._store.lock:
            for name, schedule in schedules.items():
                known = self._store.scheduled_jobs.get(name)
                if known is None:
                    self._store.scheduled_jobs[name] = RecurringJob.starting(
                        name, schedule, now=now
                    )
                elif known.schedule != schedule:
                    known.reschedule(schedule, now=now)

    def jobs(self) -> list[RecurringJob]:
        with self._store.lock:
            return [copy.copy(job) for _, job in sorted(self._store.scheduled_jobs.items())]

    def claim_due_jobs(
        self, names: Collection[str], *, now: datetime, lease_until: datetime
    ) -> list[RecurringJob]:
        claimed = []
        with self._store.lock:
            for name in sorted(names):
                job = self._store.scheduled_jobs.get(name)
                lease = self._store.job_claims.get(name)
                if job is None or not job.is_due(now) or (lease is not None and lease >= now):
                    continue
                self._store.job_claims[name] = lease_until
                claimed.append(copy.copy(job))
        return claimed

    def save_job(self, job: RecurringJob) -> None:
        with self._store.lock:
            self._store.scheduled_jobs[job.name] = copy.copy(job)
            self._store.job_claims.pop(job.name, None)

    def claim_due_timers(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Timer]:
        with self._store.lock:
            due = sorted(
                (
                    stored
                    for stored in self._store.timers.values()
                    if stored.status == PENDING
                    and stored.timer.due_at <= now
                    and (stored.claimed_until is None or stored.claimed_until < now)
                ),
                key=lambda stored: (stored.timer.due_at, stored.timer.id),
            )[:limit]
            for stored in due:
                stored.claimed_until = lease_until
            return [stored.timer for stored in due]

    def timers_fired(self, fired: Sequence[Timer], *, at: datetime) -> None:
        with self._store.lock:
            for timer in fired:
                stored = self._current(timer)
                if stored is not None:
                    stored.status = FIRED
                    stored.claimed_until = None
                    stored.last_error = None

    def timer_failed(
        self, timer: Timer, *, at: datetime, error: str, retry_at: datetime | None
    ) -> None:
        with self._store.lock:
            stored = self._current(timer)
            if stored is None:
                return
            attempts = stored.timer.attempts + 1
            stored.last_error = error[:2000]
            stored.claimed_until = None
            if retry_at is None:
                stored.status = FAILED
                stored.timer = attrs.evolve(stored.timer, attempts=attempts)
            else:
                stored.timer = attrs.evolve(stored.timer, attempts=attempts, due_at=retry_at)

    def pending_timers(self, kind: str | None = None) -> list[Timer]:
        with self._store.lock:
            pending = [
                stored.timer
                for stored in self._store.timers.values()
                if stored.status == PENDING and kind in (None, stored.timer.kind)
            ]
        return sorted(pending, key=lambda timer: (timer.due_at, timer.id))

    def _current(self, timer: Timer) -> StoredTimer | None:
        """The stored timer if it is still this one and pending (not replaced, cancelled)."""
        stored = self._store.timers.get((timer.kind, timer.subject_id))
        if stored is None or stored.timer.id != timer.id or stored.status != PENDING:
            return None
        return stored
