"""Re-entry policies held exactly, over random sequences of triggers, exits and waits,
through the real trigger (a tracked event) and the step runner."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import define, field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from domain.campaigns.journeys import JourneyVersion, ReentryKind, ReentryPolicy, Trigger, WaitStep
from tests.application.conftest import memory_container
from tests.journeys.support import JourneyApp

RUN = timedelta(days=1)
"""How long a run lasts unless the customer unsubscribes first."""

POLICIES = [
    ReentryPolicy.never(),
    ReentryPolicy.always(),
    ReentryPolicy.after(1),
    ReentryPolicy.after(3),
]

# Gaps between two steps of a sequence: the boundaries (a run's length, the rest after it)
# are hit exactly as well as missed by a minute. Never under the trigger's look-back, so
# every step is a tracking batch of its own.
GAPS = st.one_of(
    st.sampled_from([timedelta(minutes=2), RUN, RUN + timedelta(minutes=2), 2 * RUN, 3 * RUN]),
    st.integers(min_value=2, max_value=5 * 24 * 60).map(lambda m: timedelta(minutes=m)),
)
STEPS = st.lists(st.tuples(st.sampled_from(["trigger", "unsubscribe", "wait"]), GAPS), max_size=14)


@define
class Model:
    """What the policy says should happen, kept apart from the code under test."""

    policy: ReentryPolicy
    runs: list[tuple[datetime, datetime | None]] = field(factory=list)
    """(entered, left) of each run, oldest first."""

    @property
    def active(self) -> bool:
        return bool(self.runs) and self.runs[-1][1] is None

    def may_enter(self, now: datetime) -> bool:
        if self.active:
            return False
        if not self.runs or self.policy.kind is ReentryKind.ALWAYS:
            return True
        if self.policy.kind is ReentryKind.NEVER:
            return False
        last_left = self.runs[-1][1]
        assert last_left is not None and self.policy.days is not None
        return now - last_left >= timedelta(days=self.policy.days)

    def leave(self, now: datetime) -> None:
        entered, _ = self.runs[-1]
        self.runs[-1] = (entered, now)

    def time_passes(self, now: datetime) -> None:
        if self.active and now >= self.runs[-1][0] + RUN:
            self.leave(now)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(policy=st.sampled_from(POLICIES), steps=STEPS)
def test_each_policy_lets_in_exactly_whom_it_should(
    policy: ReentryPolicy, steps: list[tuple[str, timedelta]]
) -> None:
    clock = ManualClock()
    app = JourneyApp(
        memory_container(clock, SequentialIdGenerator("c"), InProcessEventBus()), clock
    )
    journey = app.launch(
        JourneyVersion(
            trigger=Trigger.event_tracked("signed_up"),
            entry_step_id="wait",
            steps=(
                WaitStep.for_event("wait", "unsubscribed", timeout=RUN, next=None, on_timeout=None),
            ),
            reentry=policy,
        )
    )
    ann = app.customer("Ann")
    model = Model(policy)
    for step, gap in steps:
        clock.advance(gap)
        app.run()
        model.time_passes(clock.now())
        if step == "trigger":
            if model.may_enter(clock.now()):
                model.runs.append((clock.now(), None))
            app.track(ann, "signed_up")
        elif step == "unsubscribe":
            if model.active:
                model.leave(clock.now())
            app.track(ann, "unsubscribed")
        app.run()
        runs = sorted(
            (e for e in app.store.journey_enrolments.values() if e.journey_id == journey.id),
            key=lambda e: e.entered_at,
        )
        assert [(e.entered_at, e.left_at) for e in runs] == model.runs
