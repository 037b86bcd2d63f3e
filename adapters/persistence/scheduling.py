"""Recurring jobs and timers in SQL: claims are leases written in short transactions.

On PostgreSQL a claim skips rows another runner has locked (``FOR UPDATE SKIP LOCKED``), so
several workers share the work; SQLite's single writer serialises the claims instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Select, and_, or_, select, update

from adapters.persistence.tables import scheduled_jobs, timers
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.upserts import insert_for
from domain.scheduling import RecurringJob, Schedule, Timer

PENDING, FIRED, FAILED = "pending", "fired", "failed"


class SqlTimers:
    """``uow.timers``: statements in the unit of work's transaction."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def set(self, timer: Timer) -> None:
        self.set_many([timer])

    def set_many(self, timers_to_set: Sequence[Timer]) -> None:
        if not timers_to_set:
            return
        rows = [
            {
                "id": timer.id,
                "kind": timer.kind,
                "subject_id": timer.subject_id,
                "due_at": timer.due_at,
                "payload": dict(timer.payload),
                "status": PENDING,
                "attempts": 0,
                "last_error": None,
                "claimed_until": None,
                "last_attempt_at": None,
            }
            for timer in timers_to_set
        ]
        insert = insert_for(self._session, timers)
        replace = {
            name: insert.excluded[name] for name in rows[0] if name not in ("kind", "subject_id")
        }
        # One statement for the lot (executemany): a batch of journey wake-ups sets thousands.
        self._session.execute(
            insert.on_conflict_do_update(index_elements=["kind", "subject_id"], set_=replace),
            rows,
        )

    def cancel(self, kind: str, subject_id: str) -> None:
        self._session.execute(
            timers.delete().where(
                timers.c.kind == kind, timers.c.subject_id == subject_id, timers.c.status == PENDING
            )
        )


def _job(row: Any) -> RecurringJob:
    return RecurringJob(
        name=row.name,
        schedule=Schedule(
            timedelta(seconds=row.every_seconds), timedelta(seconds=row.offset_seconds)
        ),
        next_run_at=row.next_run_at,
        last_started_at=row.last_started_at,
        last_finished_at=row.last_finished_at,
        last_error=row.last_error,
    )


def _timer(row: Any) -> Timer:
    return Timer(
        id=row.id,
        kind=row.kind,
        subject_id=row.subject_id,
        due_at=row.due_at,
        payload=row.payload,
        attempts=row.attempts,
    )


def _claimable(query: Select[Any], table: Any, now: datetime) -> Select[Any]:
    return query.where(or_(table.c.claimed_until.is_(None), table.c.claimed_until < now))


class SqlScheduledWork:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def register(self, schedules: Mapping[str, Schedule], *, now: datetime) -> None:
        if not schedules:
            return
        with self._engine.begin() as connection:
            stored = {job.name: job for job in self._jobs(connection, list(schedules))}
            for name, schedule in schedules.items():
                known = stored.get(name)
                if known is None:
                    new = RecurringJob.starting(name, schedule, now=now)
                    # Two workers starting at once both register: the first one wins.
                    connection.execute(
                        insert_for(connection, scheduled_jobs)
                        .values(_job_row(new))
                        .on_conflict_do_nothing(index_elements=["name"])
                    )
                elif known.schedule != schedule:
                    known.reschedule(schedule, now=now)
                    connection.execute(
                        update(scheduled_jobs)
                        .where(scheduled_jobs.c.name == name)
                        .values(_job_row(known))
                    )

    def jobs(self) -> list[RecurringJob]:
        with self._engine.connect() as connection:
            return self._jobs(connection)

    def claim_due_jobs(
        self, names: Collection[str], *, now: datetime, lease_until: datetime
    ) -> list[RecurringJob]:
        if not names:
            return []
        query = _claimable(
            select(scheduled_jobs.c.name).where(
                scheduled_jobs.c.name.in_(list(names)), scheduled_jobs.c.next_run_at <= now
            ),
            scheduled_jobs,
            now,
        ).order_by(scheduled_jobs.c.name)
        with self._engine.begin() as connection:
            claimed = [row.name for row in connection.execute(_locking(connection, query))]
            if not claimed:
                return []
            connection.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.name.in_(claimed))
                .values(claimed_until=lease_until)
            )
            return self._jobs(connection, claimed)

    def save_job(self, job: RecurringJob) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.name == job.name)
                .values(_job_row(job))
            )

    def claim_due_timers(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Timer]:
        query = (
            _claimable(
                select(timers.c.id).where(timers.c.status == PENDING, timers.c.due_at <= now),
                timers,
                now,
            )
            .order_by(timers.c.due_at, timers.c.id)
            .limit(limit)
        )
        with self._engine.begin() as connection:
            ids = [row.id for row in connection.execute(_locking(connection, query))]
            if not ids:
                return []
            connection.execute(
                update(timers).where(timers.c.id.in_(ids)).values(claimed_until=lease_until)
            )
            rows = connection.execute(
                select(timers).where(timers.c.id.in_(ids)).order_by(timers.c.due_at, timers.c.id)
            )
            return [_timer(row) for row in rows]

    def timers_fired(self, fired: Sequence[Timer], *, at: datetime) -> None:
        if not fired:
            return
        with self._engine.begin() as connection:
            connection.execute(
                update(timers)
                .where(timers.c.id.in_([timer.id for timer in fired]), timers.c.status == PENDING)
                .values(status=FIRED, claimed_until=None, last_error=None, last_attempt_at=at)
            )

    def timer_failed(
        self, timer: Timer, *, at: datetime, error: str, retry_at: datetime | None
    ) -> None:
        values: dict[str, Any] = {
            "attempts": timers.c.attempts + 1,
            "last_error": error[:2000],
            "claimed_until": None,
            "last_attempt_at": at,
        }
        if retry_at is None:
            values["status"] = FAILED
        else:
            values["due_at"] = retry_at
        with self._engine.begin() as connection:
            connection.execute(
                update(timers)
                .where(and_(timers.c.id == timer.id, timers.c.status == PENDING))
                .values(values)
            )

    def pending_timers(self, kind: str | None = None) -> list[Timer]:
        query = select(timers).where(timers.c.status == PENDING)
        if kind is not None:
            query = query.where(timers.c.kind == kind)
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(timers.c.due_at, timers.c.id))
            return [_timer(row) for row in rows]

    @staticmethod
    def _jobs(connection: Connection, names: Collection[str] | None = None) -> list[RecurringJob]:
        query = select(scheduled_jobs).order_by(scheduled_jobs.c.name)
        if names is not None:
            query = query.where(scheduled_jobs.c.name.in_(list(names)))
        return [_job(row) for row in connection.execute(query)]


def _locking(connection: Connection, query: Select[Any]) -> Select[Any]:
    if connection.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def _job_row(job: RecurringJob) -> dict[str, Any]:
    return {
        "name": job.name,
        "every_seconds": int(job.schedule.every.total_seconds()),
        "offset_seconds": int(job.schedule.offset.total_seconds()),
        "next_run_at": job.next_run_at,
        "last_started_at": job.last_started_at,
        "last_finished_at": job.last_finished_at,
        "last_error": job.last_error,
        "claimed_until": None,
    }
