"""Journeys on the in-memory composition with a fake clock: creating, versioning, entering
under each re-entry policy, and the step runner on its batch timers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.journeys.bundle import Journeys
from application.journeys.commands import JourneyDefinition
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from bootstrap import Container
from domain.campaigns.journeys import (
    EnrolmentStatus,
    JourneyStatus,
    JourneyVersion,
    ReentryPolicy,
    TaskStep,
    Trigger,
    WaitStep,
)
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import memory_container

SYSTEM = Principal.system()


@pytest.fixture
def app(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> Container:
    return memory_container(clock, ids, bus)


def _customer(app: Container, name: str = "Ann") -> str:
    return app.use(Customers).create(SYSTEM, NewCustomer(first_name=name)).id


def _definition(reentry: ReentryPolicy, *, days: int = 2) -> JourneyDefinition:
    return JourneyDefinition(
        name="Follow-up",
        version=JourneyVersion(
            trigger=Trigger.event_tracked("signed_up"),
            entry_step_id="wait",
            steps=(
                WaitStep.for_duration("wait", timedelta(days=days), next="call"),
                TaskStep(id="call", title="Call them"),
            ),
            reentry=reentry,
        ),
    )


def _run(app: Container) -> None:
    report = app.use(Scheduling).run_due_work()
    assert report.timers_failed == 0


def test_a_definition_with_unknown_steps_and_a_bad_rule_is_refused(app: Container) -> None:
    bad = JourneyDefinition(
        name="Broken",
        version=JourneyVersion(
            trigger=Trigger.segment_entered("nope"),
            entry_step_id="start",
            steps=(WaitStep.for_duration("start", timedelta(days=1), next="missing"),),
            goal_rule="orders.count(7d >= 1",
        ),
    )
    with pytest.raises(DomainError) as raised:
        app.use(Journeys).create(SYSTEM, bad)
    found = {(p.field, p.code) for p in raised.value.problems}
    assert ("steps.start.next", ErrorCode.UNKNOWN_STEP) in found
    assert ("trigger.segmentId", ErrorCode.NOT_FOUND) in found
    assert any(field == "goalRule" for field, _ in found)


def test_an_enrolment_waits_then_its_owner_gets_a_task(app: Container, clock: ManualClock) -> None:
    journeys = app.use(Journeys)
    journey = journeys.create(SYSTEM, _definition(ReentryPolicy.never()))
    assert journey.status is JourneyStatus.DRAFT
    journeys.activate(SYSTEM, journey.id)
    customer = _customer(app)
    with journeys.engine.uow() as uow:
        stored = journeys.engine.enter(uow, uow.journeys.get(journey.id), [customer])  # type: ignore[arg-type]
        uow.commit()
    assert len(stored) == 1
    _run(app)
    clock.advance(timedelta(days=1))
    _run(app)
    stats = journeys.read.stats(SYSTEM, [journey.id])[journey.id]
    assert (stats.active, stats.completed) == (1, 0)
    clock.advance(timedelta(days=1, seconds=1))
    _run(app)
    stats = journeys.read.stats(SYSTEM, [journey.id])[journey.id]
    assert (stats.active, stats.completed) == (0, 1)
    assert {s.step_id: s.reached for s in stats.steps} == {"wait": 1, "call": 1}
    tasks = app.storage.store().tasks.values()
    assert [(t.title, t.customer_id) for t in tasks] == [("Call them", customer)]


@pytest.mark.parametrize(
    ("policy", "entries_after"),
    [
        (ReentryPolicy.never(), [1, 1, 1]),
        (ReentryPolicy.always(), [1, 2, 3]),
        (ReentryPolicy.after(3), [1, 1, 2]),
    ],
)
def test_each_reentry_policy_is_held_exactly(
    app: Container, clock: ManualClock, policy: ReentryPolicy, entries_after: list[int]
) -> None:
    journeys = app.use(Journeys)
    journey = journeys.create(SYSTEM, _definition(policy, days=1))
    journeys.activate(SYSTEM, journey.id)
    customer = _customer(app)
    seen = []
    for _ in entries_after:
        with journeys.engine.uow() as uow:
            # Entering twice while on the journey never makes two enrolments.
            for _twice in range(2):
                found = uow.journeys.get(journey.id)
                assert found is not None
                journeys.engine.enter(uow, found, [customer])
            uow.commit()
        _run(app)
        clock.advance(timedelta(days=1, seconds=1))
        _run(app)  # the run ends a day after it began
        clock.advance(timedelta(days=1))
        seen.append(journeys.read.stats(SYSTEM, [journey.id])[journey.id].entered)
    assert seen == entries_after
    runs = journeys.read.enrolments_of(SYSTEM, customer)
    assert all(run.status is EnrolmentStatus.COMPLETED for run in runs)
