"""What scheduling needs from storage: timers set with a change, and due work to claim."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from domain.scheduling import RecurringJob, Schedule, Timer


class TimerBook(Protocol):
    """``uow.timers``: timers set and cancelled in the transaction of the change they follow,
    so a case that is not stored has no SLA timer, and a stored one always has it."""

    def set(self, timer: Timer) -> None:
        """Store ``timer``, replacing whatever timer the same kind and subject had."""
        ...

    def set_many(self, timers: Sequence[Timer]) -> None:
        """``set`` each of ``timers``, in one statement where the storage can."""
        ...

    def cancel(self, kind: str, subject_id: str) -> None:
        """Forget the pending timer of this kind and subject, if there is one."""
        ...


class ScheduledWork(Protocol):
    """Due work, claimed by one runner at a time under a lease.

    A claim lasts until ``lease_until``: a runner that dies holding one leaves the work to
    be claimed again once the lease lapses, so work is done at least once, never lost.
    """

    def register(self, schedules: Mapping[str, Schedule], *, now: datetime) -> None:
        """Store jobs not stored yet, first due on their grid after ``now``; a stored one
        keeps its state, and takes a changed schedule."""
        ...

    def jobs(self) -> list[RecurringJob]:
        """Every stored job, by name."""
        ...

    def claim_due_jobs(
        self, names: Collection[str], *, now: datetime, lease_until: datetime
    ) -> list[RecurringJob]:
        """The named jobs due at ``now`` that no live lease holds, now held until ``lease_until``."""
        ...

    def save_job(self, job: RecurringJob) -> None:
        """Store a claimed job's new state and release its lease."""
        ...

    def claim_due_timers(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Timer]:
        """Up to ``limit`` pending timers due at ``now``, earliest first, held until
        ``lease_until``."""
        ...

    def timers_fired(self, fired: Sequence[Timer], *, at: datetime) -> None:
        """Mark these timers fired, each unless it was replaced or cancelled since it was
        claimed; one statement for a whole batch."""
        ...

    def timer_failed(
        self, timer: Timer, *, at: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """Count a failed firing; pending again at ``retry_at``, or given up when ``None``."""
        ...

    def pending_timers(self, kind: str | None = None) -> list[Timer]:
        """Timers still to fire, earliest first."""
        ...
