"""Jobs and timers in the database: every module's, run by one scheduler loop."""

from collections.abc import Callable

from dependency_injector import containers, providers

from adapters.delivery.worker import PollingLoop
from application.scheduling.bundle import Scheduling
from application.scheduling.running import ListRecurringJobs, RunDueWork
from composition.wiring import use_case

SCHEDULER_POLL_SECONDS = 5.0
"""How often an idle worker looks for due jobs and timers."""


def _due_work_step(run_due_work: RunDueWork) -> Callable[[], int]:
    return lambda: run_due_work().amount


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    jobs = providers.Dependency(instance_of=dict)
    """Every module's recurring jobs by name, folded in by the root."""
    timers = providers.Dependency(instance_of=dict)
    """Every module's timer handlers by kind, folded in by the root."""

    run_due_work = use_case(
        RunDueWork, platform, storage, work=storage.scheduled_work, jobs=jobs, timers=timers
    )
    scheduler = providers.Singleton(
        PollingLoop,
        step=providers.Callable(_due_work_step, run_due_work),
        name="rapport-scheduler",
        idle_seconds=SCHEDULER_POLL_SECONDS,
    )
    bundle = providers.Singleton(
        Scheduling,
        run_due_work=run_due_work,
        list_jobs=use_case(ListRecurringJobs, platform, storage, work=storage.scheduled_work),
    )
