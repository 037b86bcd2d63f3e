"""The 7-day nurture as data, run on a clock of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.campaigns.demo import NURTURE_GOAL, seven_day_nurture
from domain.campaigns.journeys import (
    Enrolment,
    EnrolmentStatus,
    ExitReason,
    Facts,
    Journey,
    SendAction,
    TaskAction,
)

ENTERED = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = timedelta(days=1)


def nurture_journey() -> tuple[Journey, Enrolment]:
    journey = Journey.create(id="j-1", name="7-day nurture", at=ENTERED, by="u-1")
    version = journey.publish(
        seven_day_nurture(
            segment_id="seg-leads",
            brochure_template_id="t-brochure",
            case_study_template_id="t-case",
            webinar_template_id="t-webinar",
        ),
        ENTERED,
    )
    enrolment = Enrolment.enter(
        id="e-1", journey_id=journey.id, version=version, customer_id="c-1", at=ENTERED
    )
    return journey, enrolment


def run(journey: Journey, enrolment: Enrolment, converted_on_day: int | None) -> list[str]:
    """Wake the enrolment whenever it asks, as the worker would; what happened on which day."""
    version = journey.version(enrolment.version)
    log: list[str] = []
    at: datetime | None = ENTERED
    while at is not None:
        day = (at - ENTERED).days + 1
        converted = converted_on_day is not None and day >= converted_on_day
        result = enrolment.advance(version, at, Facts(rules={NURTURE_GOAL: converted}))
        for action in result.actions:
            if isinstance(action, SendAction):
                log.append(f"day {day}: {action.template_id}")
            elif isinstance(action, TaskAction):
                log.append(f"day {day}: task due day {(action.due_at - ENTERED).days + 1}")
        at = result.wake_at
        if converted_on_day is not None and at is not None and day < converted_on_day:
            # An order placed that day makes the application check the goal at once.
            at = min(at, ENTERED + (converted_on_day - 1) * DAY)
    return log


def test_the_nurture_sends_on_days_1_3_and_5_and_gives_the_owner_a_task_on_day_7() -> None:
    journey, enrolment = nurture_journey()
    assert run(journey, enrolment, converted_on_day=None) == [
        "day 1: t-brochure",
        "day 3: t-case",
        "day 5: t-webinar",
        "day 7: task due day 8",
    ]
    assert enrolment.status is EnrolmentStatus.COMPLETED


def test_a_customer_who_orders_on_day_4_leaves_before_the_webinar() -> None:
    journey, enrolment = nurture_journey()
    assert run(journey, enrolment, converted_on_day=4) == ["day 1: t-brochure", "day 3: t-case"]
    assert enrolment.status is EnrolmentStatus.GOAL_REACHED
    assert enrolment.exit_reason is ExitReason.GOAL
    assert enrolment.left_at == ENTERED + 3 * DAY


def test_the_nurture_is_valid_and_enters_nobody_twice() -> None:
    journey, _ = nurture_journey()
    version = journey.current
    assert version is not None and version.problems() == []
    assert version.reentry.kind.value == "never"
