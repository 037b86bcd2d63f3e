"""Running what is due: each recurring job on its schedule, each timer once it is due."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from attrs import define, field, frozen

from application.ports import Clock
from application.principal import Principal
from application.scheduling.ports import ScheduledWork
from domain.access.roles import Permission
from domain.scheduling import RecurringJob, Schedule, Timer

log = logging.getLogger("rapport.scheduling")

JobHandler = Callable[[Principal, datetime], object]
"""Runs a recurring job as the system, given the time it started."""
TimerHandler = Callable[[Principal, Timer], object]
"""Does what a timer of one kind is for; raising counts as a failed firing, retried later."""


@frozen
class BatchTimerHandler:
    """A timer kind fired many at a time, in one transaction of its own (a journey's waits:
    thousands due at once, where a transaction each would cost more than the work).

    ``fire_many`` raising fails none of them yet: each is then fired alone, so one bad
    timer is retried without holding back the rest.
    """

    fire_many: Callable[[Principal, Sequence[Timer]], object]


AnyTimerHandler = TimerHandler | BatchTimerHandler


@frozen
class JobDefinition:
    schedule: Schedule
    handler: JobHandler


@frozen
class WorkReport:
    jobs_run: tuple[str, ...] = ()
    jobs_failed: tuple[str, ...] = ()
    timers_fired: int = 0
    timers_failed: int = 0

    @property
    def amount(self) -> int:
        """How much work was found: zero lets the worker sleep."""
        return len(self.jobs_run) + self.timers_fired + self.timers_failed


@define
class RunDueWork:
    """One round: run every due job, then fire due timers in batches until none is left.

    Jobs and timers run as the system principal. A failure is recorded (on the job, or on
    the timer with a retry) and logged; it never stops the round.
    """

    work: ScheduledWork
    clock: Clock
    jobs: Mapping[str, JobDefinition] = field(factory=dict)
    timers: Mapping[str, AnyTimerHandler] = field(factory=dict)
    job_lease: timedelta = timedelta(hours=1)
    timer_lease: timedelta = timedelta(minutes=5)
    batch: int = 200
    _registered: bool = field(default=False, init=False)

    def __call__(self) -> WorkReport:
        actor = Principal.system()
        if not self._registered:
            self.register()
        ran, failed = self._run_jobs(actor)
        fired = failures = 0
        while True:
            now = self.clock.now()
            due = self.work.claim_due_timers(
                now=now, lease_until=now + self.timer_lease, limit=self.batch
            )
            done = self._fire_batch(actor, due)
            self.work.timers_fired(done, at=self.clock.now())
            fired += len(done)
            failures += len(due) - len(done)
            if len(due) < self.batch:
                break
        return WorkReport(tuple(ran), tuple(failed), fired, failures)

    def register(self) -> None:
        """Store the jobs this runner knows, each first due at its next time on the grid."""
        schedules = {name: definition.schedule for name, definition in self.jobs.items()}
        self.work.register(schedules, now=self.clock.now())
        self._registered = True

    def _run_jobs(self, actor: Principal) -> tuple[list[str], list[str]]:
        ran: list[str] = []
        failed: list[str] = []
        now = self.clock.now()
        for job in self.work.claim_due_jobs(self.jobs, now=now, lease_until=now + self.job_lease):
            job.started(now)
            error: str | None = None
            try:
                self.jobs[job.name].handler(actor, now)
            except Exception as exc:  # a job's failure is recorded, not raised
                log.exception("job %s failed", job.name)
                error = f"{type(exc).__name__}: {exc}"
                failed.append(job.name)
            job.finished(self.clock.now(), error=error)
            self.work.save_job(job)
            ran.append(job.name)
        return ran, failed

    def _fire_batch(self, actor: Principal, due: Sequence[Timer]) -> list[Timer]:
        """Fire ``due``; the timers that fired, the failed ones recorded for a retry."""
        by_kind: dict[str, list[Timer]] = {}
        for timer in due:
            by_kind.setdefault(timer.kind, []).append(timer)
        done: list[Timer] = []
        for kind, of_kind in by_kind.items():
            handler = self.timers.get(kind)
            if isinstance(handler, BatchTimerHandler) and len(of_kind) > 1:
                try:
                    handler.fire_many(actor, of_kind)
                except Exception:  # one at a time then, to find the failing one
                    log.exception("a batch of %d %s timers failed", len(of_kind), kind)
                else:
                    done.extend(of_kind)
                    continue
            done.extend(timer for timer in of_kind if self._fire(actor, timer, handler))
        return done

    def _fire(self, actor: Principal, timer: Timer, handler: AnyTimerHandler | None) -> bool:
        try:
            if handler is None:
                raise LookupError(f"no handler for timers of kind {timer.kind!r}")
            if isinstance(handler, BatchTimerHandler):
                handler.fire_many(actor, [timer])
            else:
                handler(actor, timer)
        except Exception as exc:  # retried with backoff, then given up
            log.exception("timer %s (%s) failed", timer.id, timer.kind)
            at = self.clock.now()
            self.work.timer_failed(
                timer, at=at, error=f"{type(exc).__name__}: {exc}", retry_at=timer.retry_at(at)
            )
            return False
        return True


@frozen
class ListRecurringJobs:
    work: ScheduledWork

    def __call__(self, actor: Principal) -> list[RecurringJob]:
        actor.require(Permission.MANAGE_ACCESS)
        return self.work.jobs()
