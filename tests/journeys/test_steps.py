"""The step runner: waits (a time of day across a change of clocks), branches, splits, the
goal, updates and tasks, and versions that customers keep."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from application.journeys.commands import JourneyDefinition
from application.orders.bundle import Orders
from application.orders.commands import NewOrder
from domain.campaigns.journeys import (
    BranchStep,
    EnrolmentStatus,
    ExitReason,
    JourneyExited,
    JourneyVersion,
    ReentryPolicy,
    SendStep,
    SplitPath,
    SplitStep,
    TaskStep,
    Trigger,
    UpdateKind,
    UpdateStep,
    WaitStep,
)
from domain.custom_fields import FieldType
from domain.pipeline.tasks import TaskKind
from tests.journeys.support import SYSTEM, JourneyApp

DAY = timedelta(days=1)
TRIGGER = Trigger.event_tracked("signed_up")


def test_a_wait_until_nine_in_the_morning_follows_the_change_of_clocks(
    journey_app: JourneyApp,
) -> None:
    app = journey_app
    app.field("time_zone", FieldType.TEXT)
    template = app.template("Morning")
    journey = app.launch(
        JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="nine",
            steps=(
                WaitStep.until_time_of_day("nine", time(9, 0), next="mail"),
                SendStep(id="mail", template_id=template, next="again"),
                WaitStep.until_time_of_day("again", time(9, 0), next="mail-2"),
                SendStep(id="mail-2", template_id=template),
            ),
        )
    )
    # Berlin moves its clocks from 02:00 CET to 03:00 CEST on 29 March 2026.
    app.clock.set(datetime(2026, 3, 28, 10, 0, tzinfo=UTC))  # 11:00 in Berlin
    berlin = app.customer("Berta", time_zone="Europe/Berlin")
    app.enter(journey.id, [berlin])
    app.run()
    (run,) = app.store.journey_enrolments.values()
    # 09:00 on the 29th in Berlin is 07:00 UTC (summer time), not 08:00.
    assert run.wake_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)

    app.at(datetime(2026, 3, 29, 6, 59, tzinfo=UTC))
    assert app.sent_steps(berlin) == []
    app.at(datetime(2026, 3, 29, 7, 0, tzinfo=UTC))
    assert app.sent_steps(berlin) == ["mail"]
    (run,) = app.store.journey_enrolments.values()
    assert run.wake_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    app.at(datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    assert app.sent_steps(berlin) == ["mail", "mail-2"]


def test_a_wait_for_an_event_wakes_early_or_times_out(journey_app: JourneyApp) -> None:
    app = journey_app
    thanks, nudge = app.template("Thanks"), app.template("Nudge")
    journey = app.launch(
        JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="wait",
            steps=(
                WaitStep.for_event(
                    "wait", "clicked", timeout=3 * DAY, next="thanks", on_timeout="nudge"
                ),
                SendStep(id="thanks", template_id=thanks),
                SendStep(id="nudge", template_id=nudge),
            ),
        )
    )
    quick, slow = app.customer("Quick"), app.customer("Slow")
    app.enter(journey.id, [quick, slow])
    app.run()
    app.clock.advance(timedelta(hours=5))
    app.track(quick, "clicked")
    app.run()  # woken by the event, days before the timeout
    assert app.sent_steps(quick) == ["thanks"]
    assert app.sent_steps(slow) == []
    app.clock.advance(3 * DAY)
    app.run()
    assert app.sent_steps(slow) == ["nudge"]
    assert app.sent_steps(quick) == ["thanks"]


def test_a_branch_takes_each_customer_down_the_path_their_rule_gives(
    journey_app: JourneyApp,
) -> None:
    app = journey_app
    vip = app.tag("VIP")
    gold, plain = app.template("Gold"), app.template("Plain")
    journey = app.launch(
        JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="vip",
            steps=(
                BranchStep(id="vip", rule='tag("VIP")', yes="gold", no="plain"),
                SendStep(id="gold", template_id=gold),
                SendStep(id="plain", template_id=plain),
            ),
        )
    )
    ann, bob = app.customer("Ann"), app.customer("Bob")
    app.apply_tag(vip, [ann])
    app.enter(journey.id, [ann, bob])
    app.run()
    assert (app.sent_steps(ann), app.sent_steps(bob)) == (["gold"], ["plain"])
    stats = app.journeys.read.stats(SYSTEM, [journey.id])[journey.id]
    assert {s.step_id: s.reached for s in stats.steps} == {"vip": 2, "gold": 1, "plain": 1}
    assert stats.completed == 2


def test_a_split_sends_customers_down_its_paths_in_proportion(journey_app: JourneyApp) -> None:
    app = journey_app
    a, b = app.template("A"), app.template("B")
    journey = app.launch(
        JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="split",
            steps=(
                SplitStep(id="split", paths=(SplitPath(20, "a"), SplitPath(80, "b"))),
                SendStep(id="a", template_id=a),
                SendStep(id="b", template_id=b),
            ),
        )
    )
    people = app.customers(500)
    app.enter(journey.id, people)
    app.run()
    steps = [m.source.step_id for m in app.messages(journey.id)]
    assert len(steps) == 500
    # 100 expected on "a"; three standard deviations (sqrt(500 * 0.2 * 0.8) ≈ 9) either side.
    assert 72 <= steps.count("a") <= 128
    # The draw is stable: a rerun of the same move takes the same path.
    app.run()
    assert len(app.messages(journey.id)) == 500


def test_reaching_the_goal_leaves_the_journey_before_the_next_mail(
    journey_app: JourneyApp,
) -> None:
    app = journey_app
    first, second = app.template("First"), app.template("Second")
    journey = app.launch(
        JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="first",
            steps=(
                SendStep(id="first", template_id=first, next="wait"),
                WaitStep.for_duration("wait", 2 * DAY, next="second"),
                SendStep(id="second", template_id=second),
            ),
            goal_rule="orders.count(7d) >= 1",
        )
    )
    buyer, browser = app.customer("Buyer"), app.customer("Browser")
    app.enter(journey.id, [buyer, browser])
    app.run()
    app.clock.advance(DAY)
    app.container.use(Orders).record(
        SYSTEM,
        NewOrder(customer_id=buyer, placed_at=app.clock.now(), currency="USD", total="20.00"),
    )
    app.clock.advance(DAY)
    app.run()
    assert app.sent_steps(buyer) == ["first"]
    assert app.sent_steps(browser) == ["first", "second"]
    runs = {e.customer_id: e for e in app.store.journey_enrolments.values()}
    assert (runs[buyer].status, runs[buyer].exit_reason) == (
        EnrolmentStatus.GOAL_REACHED,
        ExitReason.GOAL,
    )
    exits = {e.customer_id: e for e in app.exits() if isinstance(e, JourneyExited)}
    assert (exits[buyer].reason, exits[buyer].step_id) == (ExitReason.GOAL, "wait")
    assert exits[browser].reason is ExitReason.COMPLETED
    stats = app.journeys.read.stats(SYSTEM, [journey.id])[journey.id]
    assert (stats.goal_reached, stats.completed) == (1, 1)


def test_an_exit_rule_takes_the_customer_off(journey_app: JourneyApp) -> None:
    app = journey_app
    stop = app.tag("Stop")
    later = app.template("Later")
    journey = app.launch(
        JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="wait",
            steps=(
                WaitStep.for_duration("wait", DAY, next="later"),
                SendStep(id="later", template_id=later),
            ),
            exit_rules=('tag("Stop")',),
        )
    )
    ann = app.customer("Ann")
    app.enter(journey.id, [ann])
    app.run()
    app.apply_tag(stop, [ann])
    app.clock.advance(DAY)
    app.run()
    assert app.sent_steps(ann) == []
    (run,) = app.store.journey_enrolments.values()
    assert run.exit_reason is ExitReason.EXIT_RULE


def test_updates_and_a_task_change_the_customer_and_tell_the_owner(
    journey_app: JourneyApp,
) -> None:
    app = journey_app
    app.tag("Nurtured")
    app.field("score", FieldType.NUMBER)
    journey = app.launch(
        JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="tag",
            steps=(
                UpdateStep(id="tag", kind=UpdateKind.ADD_TAG, tag="nurtured", next="stage"),
                UpdateStep(
                    id="stage",
                    kind=UpdateKind.SET_STAGE,
                    track="acquisition",
                    stage="marketing_qualified_lead",
                    next="score",
                ),
                UpdateStep(
                    id="score",
                    kind=UpdateKind.SET_CUSTOM_FIELD,
                    field_key="score",
                    value=7,
                    next="call",
                ),
                TaskStep(id="call", title="Call them", task_kind=TaskKind.CALL, due_in=DAY),
            ),
        )
    )
    ann = app.customer("Ann")
    app.enter(journey.id, [ann])
    app.run()
    customer = app.store.customers[ann]
    assert customer.custom_fields["score"] == 7
    tags = {app.store.tags[t].name for (c, t) in app.store.customer_tags if c == ann}
    assert tags == {"Nurtured"}
    assert app.store.customer_stages[ann]["acquisition"].stage == "marketing_qualified_lead"
    (task,) = app.store.tasks.values()
    assert (task.title, task.kind, task.customer_id, task.assignee_id) == (
        "Call them",
        TaskKind.CALL,
        ann,
        customer.owner_id,
    )
    assert task.due_at == app.clock.now() + DAY


def test_a_new_version_is_for_new_customers_and_runs_keep_theirs(
    journey_app: JourneyApp,
) -> None:
    app = journey_app
    old, new = app.template("Old"), app.template("New")

    def version(template_id: str) -> JourneyVersion:
        return JourneyVersion(
            trigger=TRIGGER,
            entry_step_id="wait",
            steps=(
                WaitStep.for_duration("wait", DAY, next="mail"),
                SendStep(id="mail", template_id=template_id),
            ),
            reentry=ReentryPolicy.always(),
        )

    journey = app.launch(version(old))
    early = app.customer("Early")
    app.enter(journey.id, [early])
    app.run()
    updated = app.journeys.update(
        SYSTEM,
        journey.id,
        JourneyDefinition(name="Journey v2", version=version(new)),
        expected_revision=journey.revision,
    )
    assert [v.number for v in updated.versions] == [1, 2]
    assert updated.published_version == 2
    late = app.customer("Late")
    app.enter(journey.id, [late])
    app.run()
    app.clock.advance(DAY)
    app.run()
    templates = {m.customer_id: (m.template_id, m.source.journey_version) for m in app.messages()}
    assert templates == {early: (old, 1), late: (new, 2)}
