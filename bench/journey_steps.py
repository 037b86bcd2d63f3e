"""Journey steps: customers enrolled in a journey, moved along by the step runner on SQLite.

    python -m bench.journey_steps                      # 100,000 customers
    python -m bench.journey_steps --customers 10000    # a quick run

Loads the customers into a fresh, migrated SQLite file and enrols them all in a journey
of the 7-day nurture's shape (a mail, a wait of two days, a mail, a wait, a task), with
a goal rule checked at every move. Then runs the scheduler's due work as ``rapport
worker`` does, on a fake clock moved on past each wait, until every enrolment has gone
through the journey: each move is a batch of timers in one transaction that reads the
enrolments, checks the goal for the batch at once, queues the mails in the outbox and sets
the next wake-ups. A step is one step reached by one customer (a send, a wait begun or
ended, the task). The named baseline is the goal: 5,000 steps/s.
"""

from __future__ import annotations

import argparse
import cProfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.table import Table
from sqlalchemy import func, select

from adapters.clock import ManualClock
from adapters.persistence.journey_tables import journey_step_counts
from application.campaigns.templates import Templates
from application.journeys.bundle import Journeys
from application.journeys.commands import JourneyDefinition
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from bench._support import (
    RESULTS_DIR,
    Results,
    console,
    progress_bar,
    python_flags,
    run_metadata,
    write_results,
)
from bootstrap import Container, Settings, build_container, migrate
from domain.campaigns.channels import Channel
from domain.campaigns.demo import NURTURE_GOAL
from domain.campaigns.journeys import (
    JourneyVersion,
    ReentryPolicy,
    SendStep,
    TaskStep,
    Trigger,
    WaitStep,
)
from domain.customers import Customer, EmailAddress

NAME = "journey_steps"
FULL = 100_000
GOAL_STEPS_PER_S = 5_000
CHUNK = 5_000
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WAIT = timedelta(days=2)
SYSTEM = Principal.system()


@contextmanager
def _container(clock: ManualClock) -> Iterator[Container]:
    with tempfile.TemporaryDirectory(prefix="rapport-bench-journeys-") as directory:
        database = Path(directory) / "bench.db"
        settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{database}"})
        container = build_container(settings, overrides={"clock": clock})
        migrate(container, settings)
        try:
            yield container
        finally:
            container.close()


def _journey(container: Container) -> str:
    templates = container.use(Templates)
    first, second = (
        templates.create(
            SYSTEM, name=name, channel=Channel.EMAIL, subject=name, text=f"{name} text"
        ).id
        for name in ("Brochure", "Case study")
    )
    journeys = container.use(Journeys)
    journey = journeys.create(
        SYSTEM,
        JourneyDefinition(
            name="Nurture",
            version=JourneyVersion(
                trigger=Trigger.event_tracked("signed_up"),
                entry_step_id="brochure",
                steps=(
                    SendStep(id="brochure", template_id=first, next="to-day-3"),
                    WaitStep.for_duration("to-day-3", WAIT, next="case-study"),
                    SendStep(id="case-study", template_id=second, next="to-day-5"),
                    WaitStep.for_duration("to-day-5", WAIT, next="owner-call"),
                    TaskStep(id="owner-call", title="Call to follow up"),
                ),
                goal_rule=NURTURE_GOAL,
                reentry=ReentryPolicy.never(),
            ),
        ),
    )
    return journeys.activate(SYSTEM, journey.id).id


def _load(container: Container, journey_id: str, customers: int) -> float:
    """Store the customers and enrol them; the seconds enrolling took."""
    journeys = container.use(Journeys)
    unit_of_work = container.storage.unit_of_work
    enrolling = 0.0
    with progress_bar() as bar:
        task = bar.add_task("customers enrolled", total=customers)
        for start in range(0, customers, CHUNK):
            people = [
                Customer(
                    id=f"c{index:07d}",
                    first_name=f"Customer {index}",
                    last_name="",
                    email=EmailAddress(f"c{index}@example.com"),
                    phone=None,
                    custom_fields={},
                    owner_id="system",
                    created_at=START,
                    updated_at=START,
                )
                for index in range(start, min(start + CHUNK, customers))
            ]
            with unit_of_work() as uow:
                uow.customers.add_many(people)
                uow.commit()
            began = time.perf_counter()
            with journeys.engine.uow() as uow:
                journey = uow.journeys.get(journey_id)
                assert journey is not None
                journeys.engine.enter(uow, journey, [p.id for p in people])
                uow.commit()
            enrolling += time.perf_counter() - began
            bar.advance(task, len(people))
    return enrolling


def _steps(container: Container) -> int:
    with container.storage.database().reader.connect() as connection:
        total = connection.execute(select(func.sum(journey_step_counts.c.reached))).scalar()
    return int(total or 0)


def _run_until_done(container: Container, clock: ManualClock, customers: int) -> float:
    """Run the due work through the journey's waits; the seconds the step runner took."""
    run = container.use(Scheduling).run_due_work
    busy = 0.0
    for _ in range(3):  # entry, then the end of each of the two waits
        began = time.perf_counter()
        report = run()
        busy += time.perf_counter() - began
        if report.timers_failed:
            raise SystemExit(f"{report.timers_failed} timers failed")
        if report.timers_fired != customers:
            raise SystemExit(f"{report.timers_fired:,} moves, not {customers:,}")
        clock.advance(WAIT + timedelta(minutes=1))
    return busy


def measure(customers: int = FULL, profile: Path | None = None) -> dict[str, float]:
    """Steps per second of the step runner with ``customers`` enrolled, on SQLite."""
    clock = ManualClock(START)
    with _container(clock) as container:
        journey_id = _journey(container)
        enrolling = _load(container, journey_id, customers)
        profiler = cProfile.Profile() if profile is not None else None
        if profiler is not None:
            profiler.enable()
        seconds = _run_until_done(container, clock, customers)
        if profiler is not None and profile is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        steps = _steps(container)
    return {
        "steps_per_s": steps / seconds,
        "steps": float(steps),
        "steps_seconds": seconds,
        "enrolments_per_s": customers / enrolling,
    }


def show(results: Results) -> None:
    table = Table(title=f"Journey steps with {results['n']:,} customers enrolled (SQLite)")
    for heading in ("measure", "value", "ratio to goal"):
        table.add_column(heading, justify="left" if heading == "measure" else "right")
    table.add_row(
        "steps/s, batch timers",
        f"{results['steps_per_s']:,.0f}",
        f"{results['ratio_to_goal']:.2f}",
    )
    table.add_row(f"goal (baseline): {GOAL_STEPS_PER_S:,} steps/s", "", "1.00")
    table.add_row("steps", f"{results['steps']:,.0f}", "")
    table.add_row("seconds in the step runner", f"{results['steps_seconds']:.2f}", "")
    table.add_row("enrolments/s", f"{results['enrolments_per_s']:,.0f}", "")
    console.print(table)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.journey_steps", description=__doc__)
    parser.add_argument("--customers", type=int, default=FULL, help=f"default {FULL:,}")
    parser.add_argument(
        "--profile", action="store_true", help=f"write a cProfile of the step runner to {NAME}.prof"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Results:
    args = parse_args(argv)
    count: int = args.customers
    if flags := python_flags():
        console.print(f"[yellow]Python runs with {flags}: figures will be slower.")
    profile = RESULTS_DIR / f"{NAME}.prof" if args.profile else None
    measured = measure(count, profile)
    results: Results = {
        **run_metadata(n=count, quick=count < FULL),
        "baseline": f"goal {GOAL_STEPS_PER_S} steps/s",
        "customers": count,
        "steps_per_s": round(measured["steps_per_s"], 1),
        "steps": int(measured["steps"]),
        "steps_seconds": round(measured["steps_seconds"], 3),
        "enrolments_per_s": round(measured["enrolments_per_s"], 1),
        "goal_steps_per_s": GOAL_STEPS_PER_S,
        "ratio_to_goal": round(measured["steps_per_s"] / GOAL_STEPS_PER_S, 3),
    }
    show(results)
    console.print(f"results: {write_results(NAME, results)}")
    return results


if __name__ == "__main__":
    main()
