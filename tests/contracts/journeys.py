"""The journeys' storage contract: what memory, SQLite and PostgreSQL all hold to."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from attrs import frozen

from application.errors import AlreadyTaken, StaleVersion
from application.journeys.ports import (
    Entry,
    JourneyFacts,
    JourneyReader,
    JourneysUnitOfWorkFactory,
)
from application.pagination import SortKey
from domain.behaviour import TrackedEvent
from domain.campaigns.channels import Channel
from domain.campaigns.journeys import (
    BranchStep,
    Enrolment,
    EnrolmentStatus,
    ExitReason,
    Facts,
    Journey,
    JourneyStatus,
    JourneyVersion,
    ReentryPolicy,
    SendStep,
    SplitPath,
    SplitStep,
    TaskStep,
    Trigger,
    TriggerKind,
    UpdateKind,
    UpdateStep,
    WaitStep,
)
from domain.campaigns.messages import Message, MessageSource
from domain.customers import Customer, EmailAddress
from domain.pipeline.tasks import TaskKind
from tests.contracts.backend import StorageBackend

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@frozen
class JourneysBackend:
    storage: StorageBackend
    uow: JourneysUnitOfWorkFactory
    reader: JourneyReader
    facts: JourneyFacts


def every_kind_of_step(reentry: ReentryPolicy | None = None) -> JourneyVersion:
    """A version using each step kind and each field a step can carry."""
    return JourneyVersion(
        trigger=Trigger.segment_entered("seg-1"),
        entry_step_id="hello",
        steps=(
            SendStep(id="hello", template_id="t-1", channel=Channel.SMS, next="pause"),
            WaitStep.for_duration("pause", timedelta(days=2, hours=3), next="morning"),
            WaitStep.until_time_of_day("morning", time(9, 30), next="clicked"),
            WaitStep.for_event(
                "clicked", "link_clicked", timeout=timedelta(hours=36), next="ab", on_timeout="vip"
            ),
            SplitStep(id="ab", paths=(SplitPath(30, "vip"), SplitPath(70, None))),
            BranchStep(id="vip", rule="orders.count(30d) >= 2", yes="tag", no="call"),
            UpdateStep(id="tag", kind=UpdateKind.ADD_TAG, tag="VIP", next="field"),
            UpdateStep(
                id="field",
                kind=UpdateKind.SET_CUSTOM_FIELD,
                field_key="score",
                value=4.5,
                next="stage",
            ),
            UpdateStep(id="stage", kind=UpdateKind.SET_STAGE, track="sales", stage="won"),
            TaskStep(id="call", title="Call", due_in=timedelta(hours=4), task_kind=TaskKind.CALL),
        ),
        goal_rule="orders.count(7d) >= 1",
        exit_rules=("tags.has('unsubscribed')",),
        reentry=reentry or ReentryPolicy.after(30),
    )


def simple(trigger: Trigger, reentry: ReentryPolicy | None = None) -> JourneyVersion:
    return JourneyVersion(
        trigger=trigger,
        entry_step_id="wait",
        steps=(WaitStep.for_duration("wait", DAY, next=None),),
        reentry=reentry or ReentryPolicy.never(),
    )


def published(
    journey_id: str, version: JourneyVersion, *, at: datetime = AT, active: bool = True
) -> Journey:
    journey = Journey.create(id=journey_id, name=f"Journey {journey_id}", at=at, by="u-1")
    journey.publish(version, at)
    if not active:
        journey.status = JourneyStatus.DRAFT
    return journey


def add_journey(backend: JourneysBackend, journey: Journey) -> None:
    with backend.uow() as uow:
        uow.journeys.add(journey)
        uow.commit()


def enrolment(
    enrolment_id: str,
    customer_id: str = "c-1",
    *,
    journey: Journey,
    at: datetime = AT,
) -> Enrolment:
    assert journey.current is not None
    return Enrolment.enter(
        id=enrolment_id,
        journey_id=journey.id,
        version=journey.current,
        customer_id=customer_id,
        at=at,
    )


def enter(backend: JourneysBackend, *entries: Entry) -> list[str]:
    with backend.uow() as uow:
        stored = uow.enrolments.add_many(entries)
        uow.commit()
    return [e.id for e in stored]


def finish(backend: JourneysBackend, enrolment_id: str, at: datetime) -> None:
    with backend.uow() as uow:
        found = uow.enrolments.get_many([enrolment_id])[enrolment_id]
        found.exit(ExitReason.COMPLETED, at)
        uow.enrolments.save_many([found])
        uow.commit()


def customer(customer_id: str, **fields: object) -> Customer:
    return Customer(
        id=customer_id,
        first_name="Ada",
        last_name="Lovelace",
        email=EmailAddress(f"{customer_id}@example.com"),
        phone=None,
        custom_fields=dict(fields),
        owner_id="u-1",
        created_at=AT,
        updated_at=AT,
    )


class JourneysContract:
    @pytest.fixture
    def journeys(self) -> JourneysBackend:
        raise NotImplementedError

    # --- journeys ---------------------------------------------------------------------

    def test_a_journey_reads_back_with_every_step(self, journeys: JourneysBackend) -> None:
        original = published("j-1", every_kind_of_step())
        add_journey(journeys, original)

        with journeys.uow() as uow:
            loaded = uow.journeys.get("j-1")
        assert loaded is not None
        assert (loaded.name, loaded.status, loaded.revision) == (
            "Journey j-1",
            JourneyStatus.ACTIVE,
            original.revision,
        )
        assert loaded.published_version == 1
        assert loaded.versions == original.versions
        assert loaded.versions[0].number == 1
        assert loaded.versions[0].published_at == AT
        assert journeys.reader.get("j-1") is not None
        assert journeys.reader.get("nope") is None

    def test_a_new_version_is_stored_beside_the_old(self, journeys: JourneysBackend) -> None:
        add_journey(journeys, published("j-1", every_kind_of_step()))
        with journeys.uow() as uow:
            journey = uow.journeys.get("j-1")
            assert journey is not None
            journey.publish(simple(Trigger.event_tracked("signed_up")), AT + DAY)
            journey.rename("Renamed", AT + DAY)
            uow.journeys.save(journey)
            uow.commit()

        loaded = journeys.reader.get("j-1")
        assert loaded is not None
        assert [v.number for v in loaded.versions] == [1, 2]
        assert loaded.current is not None
        assert loaded.current.trigger == Trigger.event_tracked("signed_up")
        assert loaded.versions[0] == every_kind_of_step().__class__(
            **{**_fields(every_kind_of_step()), "number": 1, "published_at": AT}
        )
        assert loaded.name == "Renamed"

    def test_a_journey_changed_meanwhile_is_stale(self, journeys: JourneysBackend) -> None:
        if not journeys.storage.concurrent_writers:
            pytest.skip("writers are serialised: a second one waits for the first")
        add_journey(journeys, published("j-1", every_kind_of_step()))
        with journeys.uow() as first:
            mine = first.journeys.get("j-1")
            assert mine is not None
            with journeys.uow() as second:
                theirs = second.journeys.get("j-1")
                assert theirs is not None
                theirs.pause(AT + DAY)
                second.journeys.save(theirs)
                second.commit()
            mine.rename("Mine", AT + DAY)
            first.journeys.save(mine)
            with pytest.raises(StaleVersion):
                first.commit()
        loaded = journeys.reader.get("j-1")
        assert loaded is not None
        assert (loaded.name, loaded.status) == ("Journey j-1", JourneyStatus.PAUSED)

    def test_triggers_find_only_active_journeys_of_their_kind(
        self, journeys: JourneysBackend
    ) -> None:
        add_journey(journeys, published("j-seg", simple(Trigger.segment_entered("s"))))
        add_journey(
            journeys, published("j-seg-2", simple(Trigger.segment_entered("s")), at=AT + DAY)
        )
        add_journey(journeys, published("j-event", simple(Trigger.event_tracked("e"))))
        add_journey(
            journeys, published("j-draft", simple(Trigger.segment_entered("s")), active=False)
        )
        paused = published("j-paused", simple(Trigger.segment_entered("s")))
        paused.pause(AT)
        add_journey(journeys, paused)

        with journeys.uow() as uow:
            found = [j.id for j in uow.journeys.accepting(TriggerKind.SEGMENT_ENTERED)]
            events = [j.id for j in uow.journeys.accepting(TriggerKind.EVENT_TRACKED)]
            stages = uow.journeys.accepting(TriggerKind.STAGE_CHANGED)
        assert found == ["j-seg", "j-seg-2"]
        assert events == ["j-event"]
        assert stages == []

    def test_journeys_page_oldest_first(self, journeys: JourneysBackend) -> None:
        for index in range(5):
            add_journey(
                journeys,
                published(f"j-{index}", simple(Trigger.event_tracked("e")), at=AT + index * DAY),
            )
        first = journeys.reader.slice(after=None, before=None, limit=2, from_end=False)
        assert [j.id for j in first] == ["j-0", "j-1"]
        after = SortKey(first[-1].created_at, first[-1].id)
        rest = journeys.reader.slice(after=after, before=None, limit=10, from_end=False)
        assert [j.id for j in rest] == ["j-2", "j-3", "j-4"]
        last = journeys.reader.slice(after=None, before=None, limit=2, from_end=True)
        assert sorted(j.id for j in last) == ["j-3", "j-4"]
        assert journeys.reader.count() == 5

    # --- enrolments -------------------------------------------------------------------

    def test_an_enrolment_reads_back_after_moving(self, journeys: JourneysBackend) -> None:
        journey = published("j-1", every_kind_of_step())
        add_journey(journeys, journey)
        assert enter(journeys, Entry(enrolment("e-1", journey=journey), 0)) == ["e-1"]

        assert journey.current is not None
        with journeys.uow() as uow:
            loaded = uow.enrolments.get_many(["e-1", "nope"])
            assert list(loaded) == ["e-1"]
            advance = loaded["e-1"].advance(journey.current, AT, Facts(rules=_no_rule(journey)))
            uow.enrolments.save_many(list(loaded.values()))
            uow.commit()
        assert advance.wake_at == AT + timedelta(days=2, hours=3)

        with journeys.uow() as uow:
            again = uow.enrolments.get_many(["e-1"])["e-1"]
        assert again.status is EnrolmentStatus.ACTIVE
        assert (again.current_step_id, again.waiting_since, again.wake_at) == (
            "pause",
            AT,
            AT + timedelta(days=2, hours=3),
        )
        assert again.visits == {"hello": 1, "pause": 1}
        assert again.revision == loaded["e-1"].revision
        assert (again.entered_at, again.version, again.customer_id) == (AT, 1, "c-1")

    def test_a_finished_enrolment_keeps_how_it_ended(self, journeys: JourneysBackend) -> None:
        journey = published("j-1", simple(Trigger.event_tracked("e")))
        add_journey(journeys, journey)
        enter(journeys, Entry(enrolment("e-1", journey=journey), 0))
        with journeys.uow() as uow:
            found = uow.enrolments.get_many(["e-1"])["e-1"]
            assert found.exit(ExitReason.GOAL, AT + DAY)
            uow.enrolments.save_many([found])
            uow.commit()
        (run,) = journeys.reader.enrolments_of("c-1")
        assert (run.status, run.exit_reason, run.left_at) == (
            EnrolmentStatus.GOAL_REACHED,
            ExitReason.GOAL,
            AT + DAY,
        )

    def test_one_active_enrolment_per_journey_and_customer(self, journeys: JourneysBackend) -> None:
        journey = published("j-1", simple(Trigger.event_tracked("e"), ReentryPolicy.always()))
        other = published("j-2", simple(Trigger.event_tracked("e"), ReentryPolicy.always()))
        add_journey(journeys, journey)
        add_journey(journeys, other)
        stored = enter(
            journeys,
            Entry(enrolment("e-1", journey=journey), 0),
            # Another sequence, but the customer is still on the journey: refused.
            Entry(enrolment("e-2", journey=journey), 1),
            Entry(enrolment("e-3", "c-2", journey=journey), 0),
            Entry(enrolment("e-4", journey=other), 0),
        )
        assert stored == ["e-1", "e-3", "e-4"]
        assert enter(journeys, Entry(enrolment("e-5", journey=journey), 1)) == []

        finish(journeys, "e-1", AT + DAY)
        assert enter(journeys, Entry(enrolment("e-6", journey=journey, at=AT + DAY), 1)) == ["e-6"]
        with journeys.uow() as uow:
            histories = uow.enrolments.histories("j-1", ["c-1", "c-2", "c-3"])
        assert {c: [e.id for e in runs] for c, runs in histories.items()} == {
            "c-1": ["e-1", "e-6"],
            "c-2": ["e-3"],
        }
        assert histories["c-1"][0].status is EnrolmentStatus.COMPLETED

    def test_an_entry_decided_on_an_old_history_is_not_stored(
        self, journeys: JourneysBackend
    ) -> None:
        """Two triggers that read the same history decide on the same sequence: whichever
        stores first wins, even once the first run has ended."""
        journey = published("j-1", simple(Trigger.event_tracked("e"), ReentryPolicy.always()))
        add_journey(journeys, journey)
        assert enter(journeys, Entry(enrolment("e-1", journey=journey), 0)) == ["e-1"]
        finish(journeys, "e-1", AT + DAY)
        assert enter(journeys, Entry(enrolment("e-2", journey=journey, at=AT + DAY), 0)) == []
        assert enter(journeys, Entry(enrolment("e-3", journey=journey, at=AT + DAY), 1)) == ["e-3"]
        assert [e.id for e in journeys.reader.enrolments_of("c-1")] == ["e-3", "e-1"]

    @pytest.mark.parametrize(
        "reentry", [ReentryPolicy.never(), ReentryPolicy.after(1), ReentryPolicy.always()]
    )
    def test_two_concurrent_triggers_enrol_once(
        self, journeys: JourneysBackend, reentry: ReentryPolicy
    ) -> None:
        """Both read the history, both decide to enrol, both store: one enrolment remains,
        the other transaction stores nothing or is refused as a whole."""
        journey = published("j-1", simple(Trigger.event_tracked("e"), reentry))
        add_journey(journeys, journey)
        assert journey.current is not None
        # Where writers wait for each other, the second decides after the first committed.
        both_read = threading.Barrier(2) if journeys.storage.concurrent_writers else None
        outcomes: list[object] = []

        def trigger(enrolment_id: str) -> None:
            try:
                with journeys.uow() as uow:
                    history = uow.enrolments.histories("j-1", ["c-1"]).get("c-1", [])
                    if both_read is not None:
                        both_read.wait(timeout=10)
                    stored: list[Enrolment] = []
                    if reentry.may_enter(history, AT):
                        entry = Entry(enrolment(enrolment_id, journey=journey), len(history))
                        stored = uow.enrolments.add_many([entry])
                    uow.commit()
                outcomes.append([e.id for e in stored])
            except AlreadyTaken as refused:
                outcomes.append(refused)

        threads = [threading.Thread(target=trigger, args=(f"e-{i}",)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(outcomes) == 2
        runs = journeys.reader.enrolments_of("c-1")
        assert len(runs) == 1
        winners = [o for o in outcomes if o == [runs[0].id]]
        assert len(winners) == 1

    def test_the_active_enrolments_of_customers(self, journeys: JourneysBackend) -> None:
        one = published("j-1", simple(Trigger.event_tracked("e")))
        two = published("j-2", simple(Trigger.event_tracked("e")))
        add_journey(journeys, one)
        add_journey(journeys, two)
        enter(
            journeys,
            Entry(enrolment("e-1", journey=one), 0),
            Entry(enrolment("e-2", journey=two), 0),
            Entry(enrolment("e-3", "c-2", journey=one), 0),
            Entry(enrolment("e-4", "c-3", journey=one), 0),
        )
        finish(journeys, "e-2", AT + DAY)
        with journeys.uow() as uow:
            found = uow.enrolments.active_of(["c-1", "c-2"])
        assert sorted(e.id for e in found) == ["e-1", "e-3"]

    def test_a_stale_enrolment_is_refused(self, journeys: JourneysBackend) -> None:
        if not journeys.storage.concurrent_writers:
            pytest.skip("writers are serialised: a second one waits for the first")
        journey = published("j-1", simple(Trigger.event_tracked("e")))
        add_journey(journeys, journey)
        enter(
            journeys,
            Entry(enrolment("e-1", journey=journey), 0),
            Entry(enrolment("e-2", "c-2", journey=journey), 0),
        )
        with journeys.uow() as first:
            mine = first.enrolments.get_many(["e-1", "e-2"])
            finish(journeys, "e-1", AT + DAY)
            for found in mine.values():
                found.exit(ExitReason.EXIT_RULE, AT + 2 * DAY)
            # Refused when written, at once or on commit.
            with pytest.raises(StaleVersion):
                first.enrolments.save_many(list(mine.values()))
                first.commit()
        with journeys.uow() as uow:
            now = uow.enrolments.get_many(["e-1", "e-2"])
        assert now["e-1"].exit_reason is ExitReason.COMPLETED
        assert now["e-2"].status is EnrolmentStatus.ACTIVE

    def test_thousands_enter_and_move_in_bulk(self, journeys: JourneysBackend) -> None:
        journey = published("j-1", every_kind_of_step())
        add_journey(journeys, journey)
        assert journey.current is not None
        ids = [f"e-{i}" for i in range(2_500)]
        entries = [Entry(enrolment(f"e-{i}", f"c-{i}", journey=journey), 0) for i in range(2_500)]
        assert len(enter(journeys, *entries)) == 2_500
        with journeys.uow() as uow:
            loaded = uow.enrolments.get_many(ids)
            for found in loaded.values():
                found.advance(journey.current, AT, Facts(rules=_no_rule(journey)))
            uow.enrolments.save_many(list(loaded.values()))
            uow.enrolments.count_reached({("j-1", "hello"): 2_500, ("j-1", "pause"): 2_500})
            uow.commit()
        with journeys.uow() as uow:
            histories = uow.enrolments.histories("j-1", [f"c-{i}" for i in range(2_500)])
        assert len(histories) == 2_500
        assert {runs[0].current_step_id for runs in histories.values()} == {"pause"}
        stats = journeys.reader.stats(["j-1"])["j-1"]
        assert (stats.entered, stats.active) == (2_500, 2_500)

    def test_nothing_is_stored_without_a_commit(self, journeys: JourneysBackend) -> None:
        journey = published("j-1", simple(Trigger.event_tracked("e")))
        with journeys.uow() as uow:
            uow.journeys.add(journey)
        assert journeys.reader.get("j-1") is None
        add_journey(journeys, journey)
        with journeys.uow() as uow:
            uow.enrolments.add_many([Entry(enrolment("e-1", journey=journey), 0)])
            uow.enrolments.count_reached({("j-1", "wait"): 1})
        assert journeys.reader.enrolments_of("c-1") == []
        assert journeys.reader.stats(["j-1"])["j-1"].steps == ()

    # --- stats and facts --------------------------------------------------------------

    def test_stats_count_runs_by_how_they_ended_and_steps_reached(
        self, journeys: JourneysBackend
    ) -> None:
        journey = published("j-1", simple(Trigger.event_tracked("e"), ReentryPolicy.always()))
        add_journey(journeys, journey)
        add_journey(journeys, published("j-2", simple(Trigger.event_tracked("e"))))
        enter(
            journeys, *(Entry(enrolment(f"e-{i}", f"c-{i}", journey=journey), 0) for i in range(6))
        )
        endings = {
            "e-0": ExitReason.COMPLETED,
            "e-1": ExitReason.COMPLETED,
            "e-2": ExitReason.GOAL,
            "e-3": ExitReason.EXIT_RULE,
        }
        with journeys.uow() as uow:
            loaded = uow.enrolments.get_many(list(endings))
            for enrolment_id, reason in endings.items():
                loaded[enrolment_id].exit(reason, AT + DAY)
            uow.enrolments.save_many(list(loaded.values()))
            uow.enrolments.count_reached({("j-1", "wait"): 4, ("j-1", "end"): 1})
            uow.commit()
        with journeys.uow() as uow:
            uow.enrolments.count_reached({("j-1", "wait"): 2})
            uow.commit()

        stats = journeys.reader.stats(["j-1", "j-2", "j-none"])
        one = stats["j-1"]
        assert (one.entered, one.active, one.completed, one.goal_reached, one.exited) == (
            6,
            2,
            2,
            1,
            1,
        )
        assert {s.step_id: s.reached for s in one.steps} == {"wait": 6, "end": 1}
        assert stats["j-2"].entered == 0
        assert stats["j-none"].steps == ()

    def test_facts_read_contacts_events_and_dates(self, journeys: JourneysBackend) -> None:
        with journeys.uow() as uow:
            uow.customers.add(customer("c-1", birthday="1990-03-04", time_zone="Europe/Berlin"))
            uow.customers.add(customer("c-2"))
            gone = customer("c-3", birthday="1985-01-01")
            uow.customers.add(gone)
            uow.commit()
        with journeys.uow() as uow:
            archived = uow.customers.get("c-3")
            assert archived is not None
            archived.archive(at=AT, by="u-1")
            uow.commit()
        with journeys.uow() as uow:
            uow.tracked_events.append(
                [
                    _tracked("t-1", "c-1", "clicked", AT - DAY),
                    _tracked("t-2", "c-1", "clicked", AT + DAY),
                    _tracked("t-3", "c-1", "viewed", AT + DAY),
                    _tracked("t-4", "c-2", "clicked", AT + 2 * DAY),
                ]
            )
            uow.commit()

        contacts = journeys.facts.contacts(["c-1", "c-2", "c-3", "nope"])
        assert set(contacts) == {"c-1", "c-2", "c-3"}
        assert (contacts["c-1"].email, contacts["c-1"].owner_id, contacts["c-1"].active) == (
            "c-1@example.com",
            "u-1",
            True,
        )
        assert contacts["c-1"].custom_fields["time_zone"] == "Europe/Berlin"
        assert not contacts["c-3"].active
        events = journeys.facts.events_since(["c-1", "c-2"], ["clicked"], AT)
        assert [(e.customer_id, e.name, e.received_at) for e in events] == [
            ("c-1", "clicked", AT + DAY),
            ("c-2", "clicked", AT + 2 * DAY),
        ]
        assert journeys.facts.events_since(["c-1"], [], AT) == []
        dates = dict(journeys.facts.date_values("birthday"))
        assert list(dates) == ["c-1"]
        assert str(dates["c-1"])[:10] == date(1990, 3, 4).isoformat()

    def test_the_unit_of_work_enqueues_messages(self, journeys: JourneysBackend) -> None:
        source = MessageSource.journey(
            journey_id="j-1", version=1, step_id="hello", enrolment_id="e-1", visit=1
        )
        with journeys.uow() as uow:
            assert uow.messages.add_many([_message("m-1", source), _message("m-2", source)]) == 1
            uow.commit()
        with journeys.uow() as uow:
            assert uow.messages.add_many([_message("m-3", source)]) == 0
            assert uow.messages.get("m-1") is not None
            assert uow.messages.get("m-3") is None


def _fields(version: JourneyVersion) -> dict[str, object]:
    return {
        "trigger": version.trigger,
        "entry_step_id": version.entry_step_id,
        "steps": version.steps,
        "goal_rule": version.goal_rule,
        "exit_rules": version.exit_rules,
        "reentry": version.reentry,
    }


def _no_rule(journey: Journey) -> dict[str, bool]:
    assert journey.current is not None
    return dict.fromkeys(journey.current.rules, False)


def _tracked(event_id: str, customer_id: str, name: str, at: datetime) -> TrackedEvent:
    return TrackedEvent(
        id=event_id,
        event_id=event_id,
        customer_id=customer_id,
        name=name,
        occurred_at=at,
        received_at=at,
        properties={},
    )


def _message(message_id: str, source: MessageSource) -> Message:
    return Message.queue(
        id=message_id,
        customer_id="c-1",
        channel=Channel.EMAIL,
        to="c-1@example.com",
        source=source,
        template_id="t-1",
        template_version=1,
        marketing=True,
        at=AT,
    )
