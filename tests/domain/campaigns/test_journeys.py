"""Journeys: validation of the step graph, moving enrolments, versions and re-entry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.channels import Channel
from domain.campaigns.journeys import (
    BranchStep,
    Enrolment,
    EnrolmentStatus,
    ExitReason,
    Facts,
    Journey,
    JourneyEntered,
    JourneyExited,
    JourneyStatus,
    JourneyVersion,
    MissingFact,
    ReentryKind,
    ReentryPolicy,
    SendAction,
    SendStep,
    SplitPath,
    SplitStep,
    Step,
    StepKind,
    TaskAction,
    TaskStep,
    Trigger,
    UpdateAction,
    UpdateKind,
    UpdateStep,
    WaitStep,
)
from domain.errors import DomainError, ErrorCode

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = timedelta(days=1)
TRIGGER = Trigger.segment_entered("seg-1")


def version(*steps: Step, entry: str | None = None, **options: object) -> JourneyVersion:
    return JourneyVersion(
        trigger=TRIGGER,
        entry_step_id=entry or steps[0].id,
        steps=steps,
        **options,
    )


def published(definition: JourneyVersion) -> JourneyVersion:
    journey = Journey.create(id="j-1", name="Welcome", at=NOW, by="u-1")
    return journey.publish(definition, NOW)


def enrol(definition: JourneyVersion, at: datetime = NOW, id: str = "e-1") -> Enrolment:
    return Enrolment.enter(id=id, journey_id="j-1", version=definition, customer_id="c-1", at=at)


def problems(definition: JourneyVersion) -> set[tuple[str, ErrorCode]]:
    return {(p.field, p.code) for p in definition.problems()}


# --- Validation ---------------------------------------------------------------------------


def test_a_journey_with_no_steps_is_refused() -> None:
    empty = JourneyVersion(trigger=TRIGGER, entry_step_id="a", steps=())
    assert problems(empty) == {("steps", ErrorCode.REQUIRED)}


def test_unknown_next_ids_and_an_unknown_entry_name_the_step() -> None:
    definition = version(
        SendStep(id="a", template_id="t", next="b"),
        BranchStep(id="b", rule='tag("vip")', yes="nowhere", no=None),
        entry="a",
    )
    assert problems(definition) == {("steps.b.yes", ErrorCode.UNKNOWN_STEP)}
    wrong_entry = version(SendStep(id="a", template_id="t"), entry="x")
    assert ("entryStepId", ErrorCode.UNKNOWN_STEP) in problems(wrong_entry)


def test_steps_no_path_leads_to_are_unreachable() -> None:
    definition = version(
        SendStep(id="a", template_id="t"),
        SendStep(id="orphan", template_id="t", next="a"),
    )
    assert problems(definition) == {("steps.orphan", ErrorCode.UNREACHABLE_STEP)}


def test_a_loop_without_a_wait_is_refused_naming_its_first_step() -> None:
    definition = version(
        SendStep(id="a", template_id="t", next="b"),
        BranchStep(id="b", rule="rfm.r >= 4", yes="c", no=None),
        UpdateStep(id="c", kind=UpdateKind.ADD_TAG, tag="looped", next="b"),
    )
    [problem] = definition.problems()
    assert (problem.field, problem.code) == ("steps.b", ErrorCode.LOOP_WITHOUT_WAIT)
    assert "b, c" in problem.message


def test_a_step_leading_to_itself_is_a_loop_too() -> None:
    definition = version(BranchStep(id="a", rule="rfm.r >= 4", yes="a", no=None))
    assert problems(definition) == {("steps.a", ErrorCode.LOOP_WITHOUT_WAIT)}


def test_a_loop_through_a_wait_is_fine() -> None:
    definition = version(
        SendStep(id="remind", template_id="t", next="pause"),
        WaitStep.for_duration("pause", 7 * DAY, next="remind"),
    )
    assert definition.problems() == []


def test_split_weights_must_sum_to_100_and_steps_be_well_formed() -> None:
    definition = version(
        SplitStep(id="s", paths=(SplitPath(60, "a"), SplitPath(30, None))),
        SendStep(id="a", template_id="", next="w"),
        WaitStep(id="w", duration=timedelta(0), on_timeout="a"),
        TaskStep(id="a", title=" "),
    )
    assert problems(definition) == {
        ("steps.s.paths", ErrorCode.INVALID),
        ("steps.a.templateId", ErrorCode.REQUIRED),
        ("steps.w.duration", ErrorCode.INVALID),
        ("steps.w.onTimeout", ErrorCode.INVALID),
        ("steps.a", ErrorCode.TAKEN),
        ("steps.a.title", ErrorCode.REQUIRED),
    }


def test_publishing_refuses_an_invalid_version_and_numbers_valid_ones() -> None:
    journey = Journey.create(id="j-1", name="Welcome", at=NOW, by="u-1")
    with pytest.raises(DomainError):
        journey.publish(version(SendStep(id="a", template_id="t", next="zz")), NOW)
    assert journey.status is JourneyStatus.DRAFT and not journey.accepts_entries
    first = journey.publish(version(SendStep(id="a", template_id="t1")), NOW)
    second = journey.publish(version(SendStep(id="a", template_id="t2")), NOW + DAY)
    assert (first.number, second.number) == (1, 2)
    assert journey.current == second
    assert journey.version(1) == first
    journey.pause(NOW + DAY)
    assert not journey.accepts_entries
    journey.resume(NOW + DAY)
    assert journey.accepts_entries


# --- Moving along -------------------------------------------------------------------------

NURTURE = published(
    version(
        SendStep(id="hello", template_id="t-hello", next="two-days"),
        WaitStep.for_duration("two-days", 2 * DAY, next="tips"),
        SendStep(id="tips", template_id="t-tips", channel=Channel.SMS, next="tag"),
        UpdateStep(id="tag", kind=UpdateKind.ADD_TAG, tag="nurtured", next="call"),
        TaskStep(id="call", title="Call them", due_in=DAY),
        goal_rule="orders.count(7d) >= 1",
        exit_rules=('tag("unsubscribed")',),
    )
)
NO_GOAL = Facts(rules={"orders.count(7d) >= 1": False, 'tag("unsubscribed")': False})


def test_an_enrolment_runs_to_the_first_wait_then_on_after_it() -> None:
    enrolment = enrol(NURTURE)
    assert isinstance(enrolment.events[0], JourneyEntered)
    first = enrolment.advance(NURTURE, NOW, NO_GOAL)
    [send] = first.actions
    assert isinstance(send, SendAction)
    assert (send.template_id, send.source.dedupe_key("c-1")) == ("t-hello", "journey:e-1:hello")
    assert first.wake_at == NOW + 2 * DAY
    assert enrolment.current_step_id == "two-days"

    early = enrolment.advance(NURTURE, NOW + DAY, NO_GOAL)
    assert (early.actions, early.wake_at) == ((), NOW + 2 * DAY)

    rest = enrolment.advance(NURTURE, NOW + 2 * DAY, NO_GOAL)
    assert [type(action) for action in rest.actions] == [SendAction, UpdateAction, TaskAction]
    tips, tag, call = rest.actions
    assert isinstance(tips, SendAction) and tips.channel is Channel.SMS
    assert isinstance(tag, UpdateAction) and tag.tag == "nurtured"
    assert isinstance(call, TaskAction) and call.due_at == NOW + 3 * DAY
    assert call.dedupe_key == "journey:e-1:call"
    assert (rest.wake_at, rest.left) == (None, ExitReason.COMPLETED)
    assert enrolment.status is EnrolmentStatus.COMPLETED
    exited = enrolment.events[-1]
    assert isinstance(exited, JourneyExited) and exited.reason is ExitReason.COMPLETED
    assert enrolment.advance(NURTURE, NOW + 3 * DAY, NO_GOAL).actions == ()


def test_reaching_the_goal_leaves_at_once() -> None:
    enrolment = enrol(NURTURE)
    enrolment.advance(NURTURE, NOW, NO_GOAL)
    converted = Facts(rules={**NO_GOAL.rules, "orders.count(7d) >= 1": True})
    result = enrolment.advance(NURTURE, NOW + DAY, converted)
    assert (result.actions, result.left) == ((), ExitReason.GOAL)
    assert enrolment.status is EnrolmentStatus.GOAL_REACHED
    exited = enrolment.events[-1]
    assert isinstance(exited, JourneyExited)
    assert (exited.reason, exited.step_id) == (ExitReason.GOAL, "two-days")


def test_an_exit_rule_takes_the_customer_off() -> None:
    enrolment = enrol(NURTURE)
    left = Facts(rules={**NO_GOAL.rules, 'tag("unsubscribed")': True})
    assert enrolment.advance(NURTURE, NOW, left).left is ExitReason.EXIT_RULE
    assert enrolment.status is EnrolmentStatus.EXITED
    assert not enrolment.exit(ExitReason.EXIT_RULE, NOW)


def test_every_rule_needs_an_outcome() -> None:
    with pytest.raises(MissingFact):
        enrol(NURTURE).advance(NURTURE, NOW, Facts())
    assert NURTURE.rules == {"orders.count(7d) >= 1", 'tag("unsubscribed")'}


def test_branches_and_splits_follow_the_facts() -> None:
    definition = published(
        version(
            BranchStep(id="vip", rule='tag("vip")', yes="vip-mail", no="split"),
            SendStep(id="vip-mail", template_id="t-vip"),
            SplitStep(id="split", paths=(SplitPath(30, "a"), SplitPath(70, "b"))),
            SendStep(id="a", template_id="t-a"),
            SendStep(id="b", template_id="t-b"),
        )
    )

    def template_for(facts: Facts) -> str:
        result = enrol(definition).advance(definition, NOW, facts)
        [action] = result.actions
        assert isinstance(action, SendAction)
        return action.template_id

    assert template_for(Facts(rules={'tag("vip")': True})) == "t-vip"
    assert template_for(Facts(rules={'tag("vip")': False}, split_draws={"split": 29})) == "t-a"
    assert template_for(Facts(rules={'tag("vip")': False}, split_draws={"split": 30})) == "t-b"
    # Without a draw, the same enrolment always goes the same way.
    plain = Facts(rules={'tag("vip")': False})
    assert len({template_for(plain) for _ in range(5)}) == 1


def test_a_wait_for_an_event_goes_on_when_it_arrives_or_by_the_timeout() -> None:
    definition = published(
        version(
            WaitStep.for_event(
                "wait-click", "email_clicked", timeout=3 * DAY, next="thanks", on_timeout="nudge"
            ),
            SendStep(id="thanks", template_id="t-thanks"),
            SendStep(id="nudge", template_id="t-nudge"),
        )
    )
    clicked = enrol(definition)
    assert clicked.advance(definition, NOW, Facts()).wake_at == NOW + 3 * DAY
    assert clicked.waiting_since == NOW
    result = clicked.advance(
        definition, NOW + DAY, Facts(arrived_events=frozenset({"email_clicked"}))
    )
    assert [a.template_id for a in result.actions if isinstance(a, SendAction)] == ["t-thanks"]

    silent = enrol(definition)
    silent.advance(definition, NOW, Facts())
    assert silent.advance(definition, NOW + DAY, Facts()).actions == ()
    result = silent.advance(definition, NOW + 3 * DAY, Facts())
    assert [a.template_id for a in result.actions if isinstance(a, SendAction)] == ["t-nudge"]


def test_a_wait_until_a_time_of_day_is_in_the_customers_zone_across_dst() -> None:
    definition = published(
        version(
            WaitStep.until_time_of_day("nine", time(9), next="mail"),
            SendStep(id="mail", template_id="t"),
        )
    )
    berlin = ZoneInfo("Europe/Berlin")
    # Saturday 28 March 2026, 10:00 in Berlin (CET): 09:00 has passed, so Sunday 09:00 CEST.
    saturday = datetime(2026, 3, 28, 9, tzinfo=UTC)
    wake = enrol(definition).advance(definition, saturday, Facts(), berlin).wake_at
    assert wake == datetime(2026, 3, 29, 7, tzinfo=UTC)
    # 07:00 in Berlin: later the same day.
    morning = datetime(2026, 3, 30, 5, tzinfo=UTC)
    wake = enrol(definition).advance(definition, morning, Facts(), berlin).wake_at
    assert wake == datetime(2026, 3, 30, 7, tzinfo=UTC)


def test_a_loop_back_through_a_wait_sends_again_under_a_new_key() -> None:
    definition = published(
        version(
            SendStep(id="remind", template_id="t", next="week"),
            WaitStep.for_duration("week", 7 * DAY, next="remind"),
        )
    )
    enrolment = enrol(definition)
    keys = []
    at = NOW
    for _ in range(3):
        result = enrolment.advance(definition, at, Facts())
        keys += [a.source.dedupe_key("c-1") for a in result.actions if isinstance(a, SendAction)]
        assert result.wake_at is not None
        at = result.wake_at
    assert keys == ["journey:e-1:remind", "journey:e-1:remind:2", "journey:e-1:remind:3"]


def test_a_running_enrolment_keeps_its_version() -> None:
    journey = Journey.create(id="j-1", name="Welcome", at=NOW, by="u-1")
    old = journey.publish(
        version(
            WaitStep.for_duration("wait", DAY, next="mail"),
            SendStep(id="mail", template_id="t-old"),
        ),
        NOW,
    )
    enrolment = enrol(old)
    enrolment.advance(old, NOW, Facts())
    journey.publish(version(SendStep(id="mail", template_id="t-new")), NOW)
    assert enrolment.version == 1
    with pytest.raises(DomainError):
        enrolment.advance(journey.version(2), NOW + DAY, Facts())
    result = enrolment.advance(journey.version(enrolment.version), NOW + DAY, Facts())
    assert [a.template_id for a in result.actions if isinstance(a, SendAction)] == ["t-old"]


def test_only_a_published_version_can_be_entered() -> None:
    with pytest.raises(DomainError):
        enrol(version(SendStep(id="a", template_id="t")))


# --- Triggers -----------------------------------------------------------------------------


def test_a_date_trigger_fires_days_before_the_date_or_its_anniversary() -> None:
    birthday = Trigger.date_approaching("birthday", 3, yearly=True)
    assert birthday.date_is_due(date(1990, 6, 15), today=date(2026, 6, 12))
    assert not birthday.date_is_due(date(1990, 6, 15), today=date(2026, 6, 13))
    leap = date(2000, 2, 29)
    assert birthday.date_is_due(leap, today=date(2027, 2, 25))  # 28 Feb in 2027
    assert birthday.date_is_due(leap, today=date(2028, 2, 26))
    renewal = Trigger.date_approaching("renewal_date", 30, yearly=False)
    assert renewal.date_is_due(date(2026, 5, 1), today=date(2026, 4, 1))
    assert not renewal.date_is_due(date(2027, 5, 1), today=date(2026, 4, 1))
    assert not TRIGGER.date_is_due(date(2026, 4, 1), today=date(2026, 4, 1))


def test_triggers_need_their_parts() -> None:
    assert [p.field for p in Trigger.stage_changed("", "mql").problems()] == ["trigger.track"]
    assert Trigger.event_tracked("order_placed").problems() == []


# --- Re-entry -----------------------------------------------------------------------------


def finished(entered: datetime, left: datetime, id: str = "e-0") -> Enrolment:
    enrolment = Enrolment.enter(
        id=id, journey_id="j-1", version=NURTURE, customer_id="c-1", at=entered
    )
    enrolment.exit(ExitReason.COMPLETED, left)
    return enrolment


def test_reentry_policies() -> None:
    active = enrol(NURTURE)
    done = finished(NOW, NOW + 5 * DAY)
    for policy in (ReentryPolicy.never(), ReentryPolicy.after(10), ReentryPolicy.always()):
        assert policy.may_enter([], NOW)
        assert not policy.may_enter([active], NOW + 100 * DAY)
    assert not ReentryPolicy.never().may_enter([done], NOW + 1000 * DAY)
    assert ReentryPolicy.always().may_enter([done], NOW + 5 * DAY)
    # AFTER counts from when the last enrolment ended.
    assert not ReentryPolicy.after(10).may_enter([done], NOW + 15 * DAY - timedelta(seconds=1))
    assert ReentryPolicy.after(10).may_enter([done], NOW + 15 * DAY)
    assert [p.field for p in ReentryPolicy.after(0).problems()] == ["reentry.days"]


policies = st.one_of(
    st.just(ReentryPolicy.never()),
    st.just(ReentryPolicy.always()),
    st.integers(min_value=1, max_value=30).map(ReentryPolicy.after),
)


@given(
    policies,
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=20 * 24), st.integers(1, 20 * 24)),
        min_size=1,
        max_size=25,
    ),
)
def test_reentry_is_enforced_exactly(
    policy: ReentryPolicy, triggers: list[tuple[int, int]]
) -> None:
    """Triggers arrive hours apart; each enrolment that starts lasts its own number of hours.
    Every trigger enrols exactly when the policy allows it, and the history shows it."""
    history: list[Enrolment] = []
    lasts: dict[str, timedelta] = {}
    at = NOW
    for gap_hours, length_hours in triggers:
        at += timedelta(hours=gap_hours)
        for enrolment in history:
            if enrolment.is_active and enrolment.entered_at + lasts[enrolment.id] <= at:
                enrolment.exit(ExitReason.COMPLETED, at)
        active = any(enrolment.is_active for enrolment in history)
        last_left = max((e.left_at for e in history if e.left_at is not None), default=None)
        expected = not active and (
            not history
            or policy.kind is ReentryKind.ALWAYS
            or (
                policy.kind is ReentryKind.AFTER
                and last_left is not None
                and at - last_left >= timedelta(days=policy.days or 0)
            )
        )
        allowed = policy.may_enter(history, at)
        assert allowed == expected
        if allowed:
            enrolment = enrol(NURTURE, at=at, id=f"e-{len(history)}")
            lasts[enrolment.id] = timedelta(hours=length_hours)
            history.append(enrolment)
    assert sum(enrolment.is_active for enrolment in history) <= 1
    if policy.kind is ReentryKind.NEVER:
        assert len(history) == 1


# --- Termination over random journeys -------------------------------------------------------


@st.composite
def step_graphs(draw: st.DrawFn, valid: bool = False) -> JourneyVersion:
    """Random graphs of every step kind. Unless ``valid``, edges go anywhere, so most are
    not valid. With ``valid``, every step's first exit leads to the next step (so all are
    reachable) and only waits lead back (so every loop holds a wait)."""
    count = draw(st.integers(min_value=1, max_value=12))
    ids = [f"s{n}" for n in range(count)]
    steps: list[Step] = []
    for index, step_id in enumerate(ids):
        kind = draw(st.sampled_from(["send", "wait", "event", "branch", "split", "update", "task"]))
        waits = kind in ("wait", "event")
        allowed = ids if not valid or waits else ids[index + 1 :]
        target = st.one_of(st.none(), st.sampled_from(allowed)) if allowed else st.none()
        following = ids[index + 1] if index + 1 < count else None
        first = st.just(following) if valid else target
        if kind == "send":
            steps.append(SendStep(id=step_id, template_id="t", next=draw(first)))
        elif kind == "wait":
            hours = draw(st.integers(min_value=1, max_value=72))
            steps.append(WaitStep.for_duration(step_id, timedelta(hours=hours), draw(first)))
        elif kind == "event":
            steps.append(
                WaitStep.for_event(
                    step_id,
                    draw(st.sampled_from(["clicked", "ordered"])),
                    timeout=timedelta(hours=draw(st.integers(1, 72))),
                    next=draw(first),
                    on_timeout=draw(target),
                )
            )
        elif kind == "branch":
            rule = draw(st.sampled_from(["r1", "r2"]))
            steps.append(BranchStep(id=step_id, rule=rule, yes=draw(first), no=draw(target)))
        elif kind == "split":
            weight = draw(st.integers(min_value=1, max_value=99))
            paths = (SplitPath(weight, draw(first)), SplitPath(100 - weight, draw(target)))
            steps.append(SplitStep(id=step_id, paths=paths))
        elif kind == "update":
            steps.append(UpdateStep(id=step_id, kind=UpdateKind.ADD_TAG, tag="x", next=draw(first)))
        else:
            steps.append(TaskStep(id=step_id, title="Call", next=draw(first)))
    return JourneyVersion(
        trigger=TRIGGER,
        entry_step_id="s0",
        steps=tuple(steps),
        goal_rule="goal",
        exit_rules=("exit",),
        reentry=ReentryPolicy.always(),
    )


@given(st.one_of(step_graphs(), step_graphs(valid=True)), st.data())
def test_a_valid_journey_never_loops_without_waiting(
    definition: JourneyVersion, data: st.DataObject
) -> None:
    if definition.problems():
        return
    journey = Journey.create(id="j", name="Random", at=NOW, by="u")
    live = journey.publish(definition, NOW)
    enrolment = enrol(live)
    at = NOW
    for _ in range(15):
        facts = Facts(
            rules={rule: data.draw(st.booleans()) for rule in sorted(live.rules)}
            | {"goal": False, "exit": False},
            arrived_events=frozenset(data.draw(st.sets(st.sampled_from(["clicked", "ordered"])))),
            split_draws={
                s.id: data.draw(st.integers(0, 99)) for s in live.steps if isinstance(s, SplitStep)
            },
        )
        result = enrolment.advance(live, at, facts)
        non_waiting = [s for s in live.steps if not isinstance(s, WaitStep)]
        assert len(result.actions) <= len(non_waiting)
        if result.left is not None:
            assert not enrolment.is_active
            break
        assert result.wake_at is not None and result.wake_at > at
        at = data.draw(st.sampled_from([at + timedelta(minutes=30), result.wake_at]))


@given(step_graphs(valid=True))
def test_journeys_built_by_the_rules_are_valid(definition: JourneyVersion) -> None:
    assert definition.problems() == []


@given(step_graphs())
def test_validation_finds_loops_without_waits_exactly(definition: JourneyVersion) -> None:
    """Compare with brute force: a waitless loop exists iff some non-wait step can reach
    itself through non-wait steps."""
    waits = {s.id for s in definition.steps if isinstance(s, WaitStep)}
    edges = {
        s.id: {t for _, t in s.exits() if t is not None and t not in waits}
        for s in definition.steps
        if s.id not in waits
    }

    def reaches_itself(start: str) -> bool:
        seen: set[str] = set()
        pending = list(edges[start])
        while pending:
            node = pending.pop()
            if node == start:
                return True
            if node not in seen:
                seen.add(node)
                pending.extend(edges.get(node, ()))
        return False

    looping = {step_id for step_id in edges if reaches_itself(step_id)}
    flagged = {
        p.field.removeprefix("steps.")
        for p in definition.problems()
        if p.code is ErrorCode.LOOP_WITHOUT_WAIT
    }
    assert flagged <= looping
    assert bool(flagged) == bool(looping)


def test_each_step_class_has_its_own_kind_to_be_stored_under() -> None:
    classes = [SendStep, WaitStep, BranchStep, SplitStep, UpdateStep, TaskStep]
    assert {cls.step_kind for cls in classes} == set(StepKind)
