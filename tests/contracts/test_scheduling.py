"""The scheduling contract (``uow.timers`` and ``ScheduledWork``) on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from attrs import frozen

from adapters.memory.scheduling import InMemoryScheduledWork
from adapters.memory.store import InMemoryStore
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.messaging.in_process import InProcessEventBus
from adapters.persistence.database import Database
from adapters.persistence.scheduling import SqlScheduledWork
from adapters.persistence.unit_of_work import SqlUnitOfWork
from application.scheduling.ports import ScheduledWork
from application.unit_of_work import UnitOfWorkFactory
from domain.scheduling import Schedule, Timer

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HOURLY = Schedule(timedelta(hours=1))
NIGHTLY = Schedule.daily_at(2)
LEASE = timedelta(minutes=5)


@frozen
class Subject:
    uow: UnitOfWorkFactory
    work: ScheduledWork


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def subject(request: pytest.FixtureRequest) -> Subject:
    bus = InProcessEventBus()
    if request.param == "memory":
        store = InMemoryStore()
        return Subject(lambda: InMemoryUnitOfWork(store, bus), InMemoryScheduledWork(store))
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return Subject(lambda: SqlUnitOfWork(database.sessions, bus), SqlScheduledWork(database.writer))


def timer(n: int, due: datetime, *, kind: str = "case.sla", subject: str | None = None) -> Timer:
    return Timer(
        id=f"t-{n}", kind=kind, subject_id=subject or f"s-{n}", due_at=due, payload={"n": n}
    )


def set_timers(subject: Subject, *timers: Timer) -> None:
    with subject.uow() as uow:
        for each in timers:
            uow.timers.set(each)
        uow.commit()


def test_jobs_are_first_due_on_their_grid_and_registering_again_keeps_their_state(
    subject: Subject,
) -> None:
    subject.work.register({"auto-tag": HOURLY, "lifecycle-sweep": NIGHTLY}, now=NOW)
    jobs = {job.name: job for job in subject.work.jobs()}
    assert jobs["auto-tag"].next_run_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert jobs["lifecycle-sweep"].next_run_at == datetime(2026, 3, 3, 2, tzinfo=UTC)
    [claimed] = subject.work.claim_due_jobs(
        ["auto-tag"], now=NOW + timedelta(hours=1), lease_until=NOW + timedelta(hours=2)
    )
    claimed.started(NOW + timedelta(hours=1))
    claimed.finished(NOW + timedelta(hours=1, minutes=3), error="ValueError: boom")
    subject.work.save_job(claimed)
    subject.work.register({"auto-tag": HOURLY}, now=NOW + timedelta(hours=2))
    stored = {job.name: job for job in subject.work.jobs()}["auto-tag"]
    assert stored.next_run_at == datetime(2026, 3, 2, 11, tzinfo=UTC)
    assert stored.last_error == "ValueError: boom"
    assert stored.succeeded is False


def test_a_changed_schedule_takes_effect_without_waiting_for_the_old_one(
    subject: Subject,
) -> None:
    subject.work.register({"lifecycle-sweep": NIGHTLY}, now=NOW)
    subject.work.register({"lifecycle-sweep": HOURLY}, now=NOW)
    [job] = subject.work.jobs()
    assert job.schedule == HOURLY
    assert job.next_run_at == datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_a_claimed_job_is_not_claimed_again_until_saved_or_its_lease_lapses(
    subject: Subject,
) -> None:
    subject.work.register({"auto-tag": HOURLY, "other": HOURLY}, now=NOW)
    due = NOW + timedelta(hours=1)
    assert subject.work.claim_due_jobs(["auto-tag"], now=NOW, lease_until=NOW + LEASE) == []
    [job] = subject.work.claim_due_jobs(["auto-tag"], now=due, lease_until=due + LEASE)
    assert job.name == "auto-tag"
    assert subject.work.claim_due_jobs(["auto-tag"], now=due, lease_until=due + LEASE) == []
    after_lease = due + LEASE + timedelta(seconds=1)
    [again] = subject.work.claim_due_jobs(
        ["auto-tag"], now=after_lease, lease_until=after_lease + LEASE
    )
    again.finished(after_lease)
    subject.work.save_job(again)
    assert subject.work.claim_due_jobs(["auto-tag"], now=after_lease, lease_until=due) == []
    assert [j.name for j in subject.work.jobs() if j.is_due(after_lease)] == ["other"]


def test_timers_exist_only_once_their_unit_of_work_commits(subject: Subject) -> None:
    with subject.uow() as uow:
        uow.timers.set(timer(1, NOW))
    assert subject.work.pending_timers() == []
    set_timers(subject, timer(1, NOW))
    assert [t.id for t in subject.work.pending_timers()] == ["t-1"]
    assert subject.work.pending_timers()[0].payload == {"n": 1}


def test_timers_set_many_at_once_replace_those_of_the_same_kind_and_subject(
    subject: Subject,
) -> None:
    set_timers(subject, timer(1, NOW, subject="enrolment-1"))
    with subject.uow() as uow:
        uow.timers.set_many(
            [
                timer(2, NOW + timedelta(days=2), subject="enrolment-1"),
                timer(3, NOW + timedelta(days=1), subject="enrolment-2"),
            ]
        )
        uow.commit()
    pending = subject.work.pending_timers()
    assert [(t.id, t.subject_id, t.due_at, t.payload) for t in pending] == [
        ("t-3", "enrolment-2", NOW + timedelta(days=1), {"n": 3}),
        ("t-2", "enrolment-1", NOW + timedelta(days=2), {"n": 2}),
    ]


def test_due_timers_are_claimed_earliest_first_a_batch_at_a_time(subject: Subject) -> None:
    set_timers(
        subject,
        timer(1, NOW + timedelta(minutes=2)),
        timer(2, NOW),
        timer(3, NOW + timedelta(minutes=1)),
        timer(4, NOW + timedelta(hours=1)),
    )
    later = NOW + timedelta(minutes=10)
    first = subject.work.claim_due_timers(now=later, lease_until=later + LEASE, limit=2)
    assert [t.id for t in first] == ["t-2", "t-3"]
    second = subject.work.claim_due_timers(now=later, lease_until=later + LEASE, limit=2)
    assert [t.id for t in second] == ["t-1"]
    assert subject.work.claim_due_timers(now=later, lease_until=later + LEASE, limit=2) == []
    lapsed = later + LEASE + timedelta(seconds=1)
    again = subject.work.claim_due_timers(now=lapsed, lease_until=lapsed + LEASE, limit=10)
    assert [t.id for t in again] == ["t-2", "t-3", "t-1"]


def test_a_fired_timer_is_done_and_setting_it_again_replaces_it(subject: Subject) -> None:
    set_timers(subject, timer(1, NOW, subject="case-9"))
    [claimed] = subject.work.claim_due_timers(now=NOW, lease_until=NOW + LEASE, limit=10)
    subject.work.timers_fired([claimed], at=NOW)
    assert subject.work.pending_timers() == []
    set_timers(subject, timer(2, NOW + timedelta(hours=4), subject="case-9"))
    assert [t.id for t in subject.work.pending_timers()] == ["t-2"]


def test_a_firing_of_a_replaced_timer_does_not_mark_its_replacement(subject: Subject) -> None:
    set_timers(subject, timer(1, NOW, subject="case-9"))
    [claimed] = subject.work.claim_due_timers(now=NOW, lease_until=NOW + LEASE, limit=10)
    set_timers(subject, timer(2, NOW + timedelta(hours=4), subject="case-9"))
    subject.work.timers_fired([claimed], at=NOW)
    subject.work.timer_failed(claimed, at=NOW, error="late", retry_at=None)
    [pending] = subject.work.pending_timers()
    assert (pending.id, pending.due_at, pending.attempts) == ("t-2", NOW + timedelta(hours=4), 0)


def test_cancelling_forgets_the_pending_timer_of_that_kind_and_subject_only(
    subject: Subject,
) -> None:
    set_timers(
        subject,
        timer(1, NOW, subject="case-9"),
        timer(2, NOW, kind="case.reminder", subject="case-9"),
        timer(3, NOW, subject="case-10"),
    )
    with subject.uow() as uow:
        uow.timers.cancel("case.sla", "case-9")
        uow.timers.cancel("case.sla", "nobody")
        uow.commit()
    assert sorted(t.id for t in subject.work.pending_timers()) == ["t-2", "t-3"]
    assert [t.id for t in subject.work.pending_timers("case.reminder")] == ["t-2"]


def test_a_failed_firing_is_retried_later_then_given_up(subject: Subject) -> None:
    set_timers(subject, timer(1, NOW))
    [claimed] = subject.work.claim_due_timers(now=NOW, lease_until=NOW + LEASE, limit=10)
    retry = NOW + timedelta(minutes=1)
    subject.work.timer_failed(claimed, at=NOW, error="RuntimeError: down", retry_at=retry)
    [pending] = subject.work.pending_timers()
    assert (pending.due_at, pending.attempts) == (retry, 1)
    assert subject.work.claim_due_timers(now=NOW, lease_until=NOW + LEASE, limit=10) == []
    [again] = subject.work.claim_due_timers(now=retry, lease_until=retry + LEASE, limit=10)
    assert again.attempts == 1
    subject.work.timer_failed(again, at=retry, error="RuntimeError: down", retry_at=None)
    assert subject.work.pending_timers() == []
    far = retry + timedelta(days=1)
    assert subject.work.claim_due_timers(now=far, lease_until=far + LEASE, limit=10) == []


def test_concurrent_claims_share_the_due_timers_without_overlap(subject: Subject) -> None:
    set_timers(subject, *(timer(n, NOW - timedelta(seconds=n)) for n in range(120)))
    claimed: list[list[str]] = [[], []]

    def claim(into: list[str]) -> None:
        while batch := subject.work.claim_due_timers(now=NOW, lease_until=NOW + LEASE, limit=7):
            into.extend(t.id for t in batch)

    threads = [threading.Thread(target=claim, args=(ids,)) for ids in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = claimed
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(f"t-{n}" for n in range(120))
