"""Running due work: jobs on their schedules, timers once due, failures kept and retried."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import ManualClock
from adapters.memory.scheduling import InMemoryScheduledWork
from adapters.memory.store import InMemoryStore
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.messaging.in_process import InProcessEventBus
from application.errors import Forbidden
from application.principal import Principal
from application.scheduling.running import (
    BatchTimerHandler,
    JobDefinition,
    ListRecurringJobs,
    RunDueWork,
)
from domain.access.roles import Role
from domain.scheduling import MAX_ATTEMPTS, Schedule, Timer

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def runner(
    store: InMemoryStore, clock: ManualClock, jobs: dict[str, JobDefinition], **timers: object
) -> RunDueWork:
    return RunDueWork(InMemoryScheduledWork(store), clock, jobs, timers)  # type: ignore[arg-type]


def test_each_job_runs_when_due_as_the_system_and_not_again_before_its_next_time(
    store: InMemoryStore, clock: ManualClock
) -> None:
    runs: list[tuple[str, str, datetime]] = []
    jobs = {
        "hourly": JobDefinition(
            Schedule(timedelta(hours=1)), lambda actor, at: runs.append(("hourly", actor.name, at))
        ),
        "nightly": JobDefinition(
            Schedule.daily_at(2), lambda actor, at: runs.append(("nightly", actor.name, at))
        ),
    }
    run = runner(store, clock, jobs)
    assert run().amount == 0
    clock.set(datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC))
    assert run().jobs_run == ("hourly",)
    assert run().amount == 0
    clock.set(datetime(2026, 3, 3, 2, 0, 1, tzinfo=UTC))
    assert run().jobs_run == ("hourly", "nightly")
    assert [(name, who) for name, who, _ in runs] == [
        ("hourly", "Rapport"),
        ("hourly", "Rapport"),
        ("nightly", "Rapport"),
    ]


def test_a_failing_job_is_recorded_and_runs_again_at_its_next_time(
    store: InMemoryStore, clock: ManualClock
) -> None:
    attempts: list[datetime] = []

    def flaky(actor: Principal, at: datetime) -> None:
        attempts.append(at)
        if len(attempts) == 1:
            raise RuntimeError("the database went away")

    run = runner(store, clock, {"flaky": JobDefinition(Schedule(timedelta(hours=1)), flaky)})
    run()
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    report = run()
    assert (report.jobs_run, report.jobs_failed) == (("flaky",), ("flaky",))
    [job] = ListRecurringJobs(InMemoryScheduledWork(store))(Principal.system())
    assert job.last_error == "RuntimeError: the database went away"
    assert job.next_run_at == datetime(2026, 3, 2, 11, tzinfo=UTC)
    clock.set(datetime(2026, 3, 2, 11, tzinfo=UTC))
    assert run().jobs_failed == ()
    [job] = ListRecurringJobs(InMemoryScheduledWork(store))(Principal.system())
    assert job.succeeded is True and len(attempts) == 2


def test_due_timers_fire_once_each_through_the_handler_of_their_kind(
    store: InMemoryStore, clock: ManualClock
) -> None:
    fired: list[tuple[str, object]] = []
    with InMemoryUnitOfWork(store, InProcessEventBus()) as uow:
        for n in range(450):
            uow.timers.set(
                Timer(
                    id=f"t-{n}",
                    kind="case.sla",
                    subject_id=f"case-{n}",
                    due_at=START + timedelta(minutes=n % 3),
                    payload={"n": n},
                )
            )
        uow.commit()
    run = runner(
        store,
        clock,
        {},
        **{"case.sla": lambda actor, timer: fired.append((timer.id, timer.payload["n"]))},
    )
    assert run().timers_fired == 150
    clock.advance(timedelta(minutes=5))
    assert run().timers_fired == 300
    assert run().amount == 0
    assert sorted(n for _, n in fired) == list(range(450))  # type: ignore[type-var]


def test_failed_firings_are_retried_with_backoff_then_given_up(
    store: InMemoryStore, clock: ManualClock
) -> None:
    calls: list[datetime] = []

    def broken(actor: Principal, timer: Timer) -> None:
        calls.append(clock.now())
        raise ConnectionError("the SMS gateway is down")

    with InMemoryUnitOfWork(store, InProcessEventBus()) as uow:
        uow.timers.set(Timer(id="t", kind="sms.reminder", subject_id="c", due_at=START))
        uow.timers.set(Timer(id="u", kind="nobody.handles", subject_id="c", due_at=START))
        uow.commit()
    run = runner(store, clock, {}, **{"sms.reminder": broken})
    for _ in range(400):
        run()
        clock.advance(timedelta(minutes=1))
    assert len(calls) == MAX_ATTEMPTS
    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    assert gaps[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert InMemoryScheduledWork(store).pending_timers() == []
    assert store.timers[("sms.reminder", "c")].last_error == (
        "ConnectionError: the SMS gateway is down"
    )
    assert "no handler" in (store.timers[("nobody.handles", "c")].last_error or "")


def set_due_timers(store: InMemoryStore, kind: str, count: int) -> None:
    with InMemoryUnitOfWork(store, InProcessEventBus()) as uow:
        for n in range(count):
            uow.timers.set(Timer(id=f"t-{n}", kind=kind, subject_id=f"s-{n}", due_at=START))
        uow.commit()


def test_a_batch_handler_is_handed_each_claimed_batch_of_its_kind_at_once(
    store: InMemoryStore, clock: ManualClock
) -> None:
    batches: list[list[str]] = []
    set_due_timers(store, "journey.wake", 450)
    handler = BatchTimerHandler(
        lambda actor, timers: batches.append([timer.subject_id for timer in timers])
    )
    report = runner(store, clock, {}, **{"journey.wake": handler})()
    assert report.timers_fired == 450
    assert [len(batch) for batch in batches] == [200, 200, 50]
    assert sorted(subject for batch in batches for subject in batch) == sorted(
        f"s-{n}" for n in range(450)
    )
    assert InMemoryScheduledWork(store).pending_timers() == []


def test_a_failing_batch_is_fired_one_by_one_so_only_the_bad_timer_is_retried(
    store: InMemoryStore, clock: ManualClock
) -> None:
    handled: list[str] = []

    def fire_many(actor: Principal, timers: Sequence[Timer]) -> None:
        if any(timer.subject_id == "s-3" for timer in timers):
            raise ValueError("step s-3 refers to a template that is gone")
        handled.extend(timer.subject_id for timer in timers)

    set_due_timers(store, "journey.wake", 10)
    report = runner(store, clock, {}, **{"journey.wake": BatchTimerHandler(fire_many)})()
    assert (report.timers_fired, report.timers_failed) == (9, 1)
    assert sorted(handled) == sorted(f"s-{n}" for n in range(10) if n != 3)
    [pending] = InMemoryScheduledWork(store).pending_timers()
    assert (pending.subject_id, pending.due_at) == ("s-3", START + timedelta(minutes=1))


def test_only_admins_list_the_jobs(store: InMemoryStore) -> None:
    viewer = Principal(actor_id="u-1", role=Role.ANALYST, name="Vee")
    with pytest.raises(Forbidden):
        ListRecurringJobs(InMemoryScheduledWork(store))(viewer)
