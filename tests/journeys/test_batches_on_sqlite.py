"""The step runner on SQLite: batches of timers, each batch one transaction, more customers
than one batch holds, and a batch that fails taking nothing with it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.clock import ManualClock
from adapters.persistence.journey_tables import journey_enrolments
from adapters.persistence.messages import SqlMessageStats
from adapters.persistence.messages_tables import messages
from adapters.persistence.tables import timers
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.scheduling.bundle import Scheduling
from bootstrap import Container, build_container
from composition.settings import Settings
from domain.campaigns.journeys import JourneyVersion, SendStep, Trigger, WaitStep
from domain.scheduling import Timer
from tests.journeys.support import SYSTEM, JourneyApp

CUSTOMERS = 450
"""More than two batches of the timer runner (200 each)."""


@pytest.fixture
def sqlite_app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[JourneyApp]:
    path = tmp_path / "journeys.db"
    shutil.copyfile(migrated_sqlite_template, path)
    clock = ManualClock()
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    container: Container = build_container(settings, overrides={"clock": clock})
    yield JourneyApp(container, clock)
    container.storage.database().dispose()


def _count(app: JourneyApp, query: object) -> int:
    with app.container.storage.database().reader.connect() as connection:
        return int(connection.execute(query).scalar_one())  # type: ignore[call-overload]


def test_thousands_move_in_batches_one_mail_each_per_step(sqlite_app: JourneyApp) -> None:
    app = sqlite_app
    first, second = app.template("First"), app.template("Second")
    journey = app.launch(
        JourneyVersion(
            trigger=Trigger.event_tracked("signed_up"),
            entry_step_id="first",
            steps=(
                SendStep(id="first", template_id=first, next="wait"),
                WaitStep.for_duration("wait", timedelta(days=2), next="second"),
                SendStep(id="second", template_id=second),
            ),
        )
    )
    customers = app.container.use(Customers)
    people = [
        customers.create(SYSTEM, NewCustomer(first_name=f"C{i}", email=f"c{i}@example.com")).id
        for i in range(CUSTOMERS)
    ]
    assert app.enter(journey.id, people) == CUSTOMERS
    assert app.enter(journey.id, people) == 0  # on the journey already

    report = app.container.use(Scheduling).run_due_work()
    assert (report.timers_fired, report.timers_failed) == (CUSTOMERS, 0)
    assert _count(app, select(func.count()).select_from(messages)) == CUSTOMERS
    waiting = select(func.count()).select_from(timers).where(timers.c.kind == "journey.wake")
    assert _count(app, waiting.where(timers.c.status == "pending")) == CUSTOMERS

    app.clock.advance(timedelta(days=1))
    assert app.container.use(Scheduling).run_due_work().timers_fired == 0
    app.clock.advance(timedelta(days=1))
    assert app.container.use(Scheduling).run_due_work().timers_fired == CUSTOMERS
    assert app.container.use(Scheduling).run_due_work().timers_fired == 0

    counts = SqlMessageStats(app.container.storage.database().reader).by_journey([journey.id])
    assert counts[(journey.id, "first")].queued == CUSTOMERS
    assert counts[(journey.id, "second")].queued == CUSTOMERS
    assert counts[(journey.id, None)].queued == 2 * CUSTOMERS
    done = select(func.count()).select_from(journey_enrolments)
    assert _count(app, done.where(journey_enrolments.c.status == "completed")) == CUSTOMERS
    stats = app.journeys.read.stats(SYSTEM, [journey.id])[journey.id]
    assert (stats.entered, stats.completed) == (CUSTOMERS, CUSTOMERS)
    assert {s.step_id: s.reached for s in stats.steps} == {
        "first": CUSTOMERS,
        "wait": CUSTOMERS,
        "second": CUSTOMERS,
    }


def test_a_move_run_twice_queues_each_mail_once(sqlite_app: JourneyApp) -> None:
    """A worker that dies after a batch committed but before its timers were marked fired
    fires them again: the enrolments have moved on, and the outbox keeps one of each."""
    app = sqlite_app
    hello = app.template("Hello")
    journey = app.launch(
        JourneyVersion(
            trigger=Trigger.event_tracked("signed_up"),
            entry_step_id="hello",
            steps=(
                SendStep(id="hello", template_id=hello, next="wait"),
                WaitStep.for_duration("wait", timedelta(days=1), next=None),
            ),
        )
    )
    people = app.customers(5)
    app.enter(journey.id, people)
    with app.container.storage.database().reader.connect() as connection:
        rows = connection.execute(
            select(timers.c.id, timers.c.kind, timers.c.subject_id).where(
                timers.c.kind == "journey.wake"
            )
        )
        due = [
            Timer(id=row.id, kind=row.kind, subject_id=row.subject_id, due_at=app.clock.now())
            for row in rows
        ]
    assert len(due) == 5
    app.journeys.engine.fire_many(SYSTEM, due)
    app.journeys.engine.fire_many(SYSTEM, due)
    assert _count(app, select(func.count()).select_from(messages)) == 5
    assert app.journeys.read.stats(SYSTEM, [journey.id])[journey.id].steps[0].reached == 5
