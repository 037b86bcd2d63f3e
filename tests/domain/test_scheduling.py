"""Schedules, recurring jobs and timers: pure rules, no storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.scheduling import MAX_ATTEMPTS, RecurringJob, Schedule, Timer
from domain.scheduling.schedule import EPOCH

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
periods = st.integers(min_value=60, max_value=14 * 86_400).map(lambda s: timedelta(seconds=s))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    every = draw(periods)
    offset = draw(st.integers(min_value=0, max_value=int(every.total_seconds()) - 1))
    return Schedule(every, timedelta(seconds=offset))


@given(schedules(), moments)
def test_the_next_run_is_the_first_time_on_the_grid_after_the_moment(
    schedule: Schedule, moment: datetime
) -> None:
    following = schedule.next_after(moment)
    assert moment < following <= moment + schedule.every
    assert (following - EPOCH - schedule.offset) % schedule.every == timedelta(0)


@given(schedules(), moments, st.integers(min_value=0, max_value=10_000))
def test_runs_stay_on_the_grid_however_late_each_finishes(
    schedule: Schedule, moment: datetime, late_seconds: int
) -> None:
    first = schedule.next_after(moment)
    finished = first + timedelta(seconds=late_seconds)
    second = schedule.next_after(finished)
    assert (second - first) % schedule.every == timedelta(0)
    assert second > finished


def test_daily_at_is_that_time_of_day_in_utc() -> None:
    nightly = Schedule.daily_at(2, 30)
    assert nightly.next_after(datetime(2026, 3, 2, 1, tzinfo=UTC)) == datetime(
        2026, 3, 2, 2, 30, tzinfo=UTC
    )
    assert nightly.next_after(datetime(2026, 3, 2, 2, 30, tzinfo=UTC)) == datetime(
        2026, 3, 3, 2, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("every", "offset"),
    [(timedelta(seconds=30), timedelta(0)), (timedelta(hours=1), timedelta(hours=1))],
)
def test_periods_under_a_minute_and_offsets_past_the_period_are_refused(
    every: timedelta, offset: timedelta
) -> None:
    with pytest.raises(DomainError):
        Schedule(every, offset)


def test_a_job_down_for_days_runs_once_then_returns_to_its_grid() -> None:
    job = RecurringJob.starting("sweep", Schedule.daily_at(2), now=datetime(2026, 3, 1, tzinfo=UTC))
    back = datetime(2026, 3, 5, 14, tzinfo=UTC)
    assert job.is_due(back)
    job.started(back)
    job.finished(back + timedelta(minutes=1))
    assert job.next_run_at == datetime(2026, 3, 6, 2, tzinfo=UTC)
    assert job.succeeded is True


def test_a_failed_timer_backs_off_then_gives_up() -> None:
    failed_at = datetime(2026, 3, 1, tzinfo=UTC)
    timer = Timer(id="t", kind="case.sla", subject_id="c", due_at=failed_at)
    delays = []
    for attempts in range(MAX_ATTEMPTS):
        retry = Timer(
            id="t", kind="case.sla", subject_id="c", due_at=failed_at, attempts=attempts
        ).retry_at(failed_at)
        delays.append(None if retry is None else retry - failed_at)
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delays[-1] is None and None not in delays[:-1]
    assert timer.retry_at(failed_at) == failed_at + timedelta(minutes=1)


@pytest.mark.parametrize("kind", ["", "has space", "x" * 81])
def test_timer_kinds_are_short_dotted_names(kind: str) -> None:
    with pytest.raises(DomainError):
        Timer(id="t", kind=kind, subject_id="c", due_at=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (Schedule.daily_at(2), "daily at 02:00 UTC"),
        (Schedule(timedelta(hours=1), timedelta(minutes=15)), "hourly at :15"),
        (Schedule(timedelta(minutes=10)), "every 0:10:00"),
    ],
)
def test_schedules_describe_themselves(schedule: Schedule, text: str) -> None:
    assert schedule.describe() == text
