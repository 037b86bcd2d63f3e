"""Each trigger kind enrols the right customers, through the modules that announce it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.lifecycle.bundle import Lifecycle
from application.lifecycle.commands import StageMove
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from domain.campaigns.journeys import (
    EnrolmentStatus,
    JourneyVersion,
    ReentryPolicy,
    SendStep,
    Trigger,
    WaitStep,
)
from domain.custom_fields import FieldType
from tests.journeys.support import SYSTEM, JourneyApp

DAY = timedelta(days=1)


def _welcome(trigger: Trigger, template_id: str) -> JourneyVersion:
    return JourneyVersion(
        trigger=trigger,
        entry_step_id="hello",
        steps=(
            SendStep(id="hello", template_id=template_id, next="rest"),
            WaitStep.for_duration("rest", DAY, next=None),
        ),
        reentry=ReentryPolicy.never(),
    )


def _entered(app: JourneyApp, journey_id: str) -> set[str]:
    return {
        e.customer_id for e in app.store.journey_enrolments.values() if e.journey_id == journey_id
    }


def test_entering_a_segment_enrols_and_the_first_mail_is_queued(journey_app: JourneyApp) -> None:
    app = journey_app
    vip = app.tag("VIP")
    ann, bob, cat = app.customer("Ann"), app.customer("Bob"), app.customer("Cat")
    segments = app.container.use(Segments)
    segment = segments.create(SYSTEM, NewSegment(name="VIPs", rule='tag("VIP")'))
    other = segments.create(SYSTEM, NewSegment(name="Others", rule='first_name = "cat"'))
    journey = app.launch(_welcome(Trigger.segment_entered(segment.id), app.template("Welcome")))

    app.apply_tag(vip, [ann, bob])
    segments.refresh(SYSTEM)
    assert _entered(app, journey.id) == {ann, bob}
    assert other.id != segment.id and cat not in _entered(app, journey.id)
    assert app.messages() == []  # the first step runs on the step runner

    app.run()
    queued = app.messages(journey.id)
    assert sorted(m.customer_id for m in queued) == sorted([ann, bob])
    first = queued[0]
    assert (first.source.step_id, first.source.journey_version, first.to) == (
        "hello",
        1,
        "ann@example.com" if first.customer_id == ann else "bob@example.com",
    )
    assert first.marketing
    app.run()  # nothing is due: no second message
    assert len(app.messages()) == 2


def test_a_tracked_event_enrols_once_per_event(journey_app: JourneyApp) -> None:
    app = journey_app
    journey = app.launch(_welcome(Trigger.event_tracked("signed_up"), app.template("Welcome")))
    ann, bob = app.customer("Ann"), app.customer("Bob")
    app.track(ann, "signed_up")
    app.track(bob, "viewed_pricing")
    assert _entered(app, journey.id) == {ann}
    app.clock.advance(timedelta(minutes=5))
    app.track(ann, "viewed_pricing")  # another event of Ann: no second entry
    assert len(app.store.journey_enrolments) == 1


def test_a_stage_change_enrols_those_reaching_the_stage(journey_app: JourneyApp) -> None:
    app = journey_app
    journey = app.launch(
        _welcome(Trigger.stage_changed("acquisition", "lead"), app.template("Welcome"))
    )
    ann, bob = app.customer("Ann"), app.customer("Bob")
    lifecycle = app.container.use(Lifecycle)
    lifecycle.change_stage(SYSTEM, StageMove(customer_id=ann, track="acquisition", stage="lead"))
    lifecycle.change_stage(
        SYSTEM, StageMove(customer_id=bob, track="acquisition", stage="subscriber")
    )
    assert _entered(app, journey.id) == {ann}


def test_a_paused_journey_enrols_nobody_and_its_runs_carry_on(journey_app: JourneyApp) -> None:
    app = journey_app
    journey = app.launch(_welcome(Trigger.event_tracked("signed_up"), app.template("Welcome")))
    ann, bob = app.customer("Ann"), app.customer("Bob")
    app.track(ann, "signed_up")
    app.journeys.pause(SYSTEM, journey.id)
    app.track(bob, "signed_up")
    assert _entered(app, journey.id) == {ann}
    app.run()
    app.clock.advance(DAY)
    app.run()
    (run,) = app.store.journey_enrolments.values()
    assert run.status is EnrolmentStatus.COMPLETED
    assert app.sent_steps(ann) == ["hello"]


def test_a_date_field_enrols_on_the_right_day_in_each_time_zone(journey_app: JourneyApp) -> None:
    app = journey_app
    app.field("birthday", FieldType.DATE)
    app.field("renewal", FieldType.DATE)
    app.field("time_zone", FieldType.TEXT)
    # 11:00 UTC on 1 March is already 2 March in Auckland (UTC+13 in summer).
    app.clock.set(datetime(2026, 3, 1, 11, 0, tzinfo=UTC))
    template = app.template("Happy birthday")
    birthdays = app.launch(
        _welcome(Trigger.date_approaching("birthday", 7, yearly=True), template), "Birthdays"
    )
    renewals = app.launch(
        _welcome(Trigger.date_approaching("renewal", 3, yearly=False), template), "Renewals"
    )
    kiwi = app.customer("Kiwi", birthday="1990-03-09", time_zone="Pacific/Auckland")
    londoner = app.customer("Lon", birthday="1990-03-09", time_zone="Europe/London")
    early = app.customer("Early", birthday="1990-03-08", time_zone="Europe/London")
    renewing = app.customer("Ren", renewal="2026-03-04")
    lapsed = app.customer("Lapsed", renewal="2025-03-04")

    assert app.journeys.enrol_by_dates(SYSTEM) == 3
    assert _entered(app, birthdays.id) == {kiwi, early}
    assert _entered(app, renewals.id) == {renewing}
    assert app.journeys.enrol_by_dates(SYSTEM) == 0  # the daily job is safe to run twice

    app.clock.advance(DAY)
    app.journeys.enrol_by_dates(SYSTEM)
    assert _entered(app, birthdays.id) == {kiwi, early, londoner}
    assert lapsed not in _entered(app, renewals.id)
