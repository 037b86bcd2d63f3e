"""A module added beside the others: one entry in the list of modules, and the root folds
in its bundle, its reactions, its jobs, its timers and its own ports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.modules import Modules
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from application.tags.bundle import Tags
from bootstrap import MODULES, Settings, build_container
from domain.scheduling import Timer
from tests.composition.welcome_module import Welcomes

WITH_WELCOME = (*MODULES, "tests.composition.welcome_module")


def test_a_module_from_outside_the_package_gets_its_bundle_reactions_jobs_and_timers(
    clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus
) -> None:
    settings = Settings.from_env({"RAPPORT_STORAGE": "memory"})
    container = build_container(
        settings, overrides={"clock": clock, "ids": ids, "event_bus": bus}, modules=WITH_WELCOME
    )
    welcomes = container.use(Welcomes)
    system = Principal.system()

    created = container.use(Customers).create(system, NewCustomer(email="ada@example.com"))
    assert welcomes.book.welcomed == {created.id: 1}
    assert welcomes.book.storage == "memory"

    run_due_work = container.use(Scheduling).run_due_work
    assert "welcome-digest" in run_due_work.jobs
    assert "auto-tag" in run_due_work.jobs, "the other modules' jobs are folded in too"
    with container.storage.unit_of_work() as uow:
        uow.timers.set(
            Timer(id="t-1", kind="welcome.follow_up", subject_id=created.id, due_at=clock.now())
        )
        uow.commit()
    report = run_due_work()
    assert report.timers_fired == 1
    assert welcomes.book.welcomed == {created.id: 2}

    clock.advance(timedelta(days=1, seconds=1))
    assert "welcome-digest" in run_due_work().jobs_run
    assert welcomes.book.digests == 1
    clock.advance(timedelta(hours=1))
    assert "welcome-digest" not in run_due_work().jobs_run, "the job runs once a day"


def test_the_module_keeps_its_own_ports_on_sql_storage(tmp_path: pytest.TempPathFactory) -> None:
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    container = build_container(settings, modules=WITH_WELCOME)
    assert container.use(Welcomes).book.storage == "sql"
    container.close()


def test_a_module_not_composed_is_named_in_the_error() -> None:
    modules = Modules([])
    with pytest.raises(LookupError, match="no Tags module"):
        modules.use(Tags)
    assert Tags not in modules
