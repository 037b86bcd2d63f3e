"""A recurring job: a named piece of background work and when it runs next."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from domain.scheduling.schedule import Schedule

ERROR_LIMIT = 2000
"""Characters of a failure's message kept on the job."""


@define(slots=False, eq=False)
class RecurringJob:
    """Runs on its schedule; a missed run (the worker was down) is made up once, not per
    missed period, and a run that fails is not retried before its next time on the grid."""

    name: str
    schedule: Schedule
    next_run_at: datetime
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_error: str | None = None

    @classmethod
    def starting(cls, name: str, schedule: Schedule, *, now: datetime) -> RecurringJob:
        return cls(name, schedule, schedule.next_after(now))

    def is_due(self, now: datetime) -> bool:
        return self.next_run_at <= now

    def started(self, at: datetime) -> None:
        self.last_started_at = at

    def finished(self, at: datetime, *, error: str | None = None) -> None:
        self.last_finished_at = at
        self.last_error = error[:ERROR_LIMIT] if error else None
        self.next_run_at = self.schedule.next_after(at)

    def reschedule(self, schedule: Schedule, *, now: datetime) -> None:
        """A new grid; the next run is the earlier of the pending one and the new grid's."""
        self.schedule = schedule
        self.next_run_at = min(self.next_run_at, schedule.next_after(now))

    @property
    def succeeded(self) -> bool | None:
        """Whether the last run succeeded; ``None`` before the first one finished."""
        return None if self.last_finished_at is None else self.last_error is None
