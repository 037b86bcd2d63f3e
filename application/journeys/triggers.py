"""What enrols customers: entering a segment, a tracked event, a lifecycle stage, a date."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import frozen

from application.journeys.ports import JourneyFacts, JourneysUnitOfWorkFactory
from application.journeys.running import JourneyEngine, date_of
from application.ports import Clock
from application.principal import Principal
from domain.campaigns.journeys import Enrolment, TriggerKind
from domain.events import DomainEvent
from domain.lifecycle.events import StageChanged
from domain.segments.events import CustomerEnteredSegment

TRACKED_LOOKBACK = timedelta(minutes=1)
"""How far back a tracking batch's events are looked for: they were stored just now, and
the listener runs as the batch commits. Short, so that an event refused earlier (the
customer was on the journey) is not taken up by a later batch of the same customer."""


@frozen
class SegmentEnteredTrigger:
    engine: JourneyEngine
    uow: JourneysUnitOfWorkFactory

    def __call__(self, event: DomainEvent) -> None:
        if not isinstance(event, CustomerEnteredSegment):
            return
        with self.uow() as uow:
            journeys = [
                j
                for j in uow.journeys.accepting(TriggerKind.SEGMENT_ENTERED)
                if j.current is not None and j.current.trigger.segment_id == event.segment_id
            ]
        self.engine.enter_where(Principal.system(), journeys, [event.aggregate_id])


@frozen
class StageChangedTrigger:
    engine: JourneyEngine
    uow: JourneysUnitOfWorkFactory

    def __call__(self, event: DomainEvent) -> None:
        if not isinstance(event, StageChanged):
            return
        with self.uow() as uow:
            journeys = [
                j
                for j in uow.journeys.accepting(TriggerKind.STAGE_CHANGED)
                if j.current is not None
                and j.current.trigger.track == event.track
                and j.current.trigger.stage == event.to_stage
            ]
        self.engine.enter_where(Principal.system(), journeys, [event.aggregate_id])


@frozen
class EventTrackedTrigger:
    """Told which customers were tracked: enrols them in journeys triggered by one of the
    events just stored, and wakes their enrolments waiting for one."""

    engine: JourneyEngine
    uow: JourneysUnitOfWorkFactory
    facts: JourneyFacts
    clock: Clock

    def tracked(self, customer_ids: frozenset[str]) -> None:
        actor = Principal.system()
        since = self.clock.now() - TRACKED_LOOKBACK
        with self.uow() as uow:
            journeys = uow.journeys.accepting(TriggerKind.EVENT_TRACKED)
        names = {j.current.trigger.event_name for j in journeys if j.current is not None}
        if names:
            events = self.facts.events_since(customer_ids, {n for n in names if n}, since)
            for journey in journeys:
                assert journey.current is not None
                name = journey.current.trigger.event_name
                with self.uow() as uow:
                    histories = uow.enrolments.histories(journey.id, customer_ids)
                    # An event enrols once: only one received after the customer's last
                    # run ended (one received during a run was refused by the policy).
                    who = {
                        e.customer_id
                        for e in events
                        if e.name == name
                        and all(
                            _after(e.received_at, run) for run in histories.get(e.customer_id, [])
                        )
                    }
                    if who:
                        self.engine.enter(uow, journey, who)
                        uow.commit()
        self.engine.wake_waiting(actor, customer_ids)


def _after(received_at: datetime, run: Enrolment) -> bool:
    """Whether an event came after the run: after it ended, or (still running) after it
    began, when the policy decides."""
    if run.left_at is not None:
        return received_at >= run.left_at
    return received_at > run.entered_at


@frozen
class DateFieldTrigger:
    """The daily job: customers whose date (a birthday, a renewal) is the journey's days
    ahead, on today's date in their own time zone."""

    engine: JourneyEngine
    uow: JourneysUnitOfWorkFactory
    facts: JourneyFacts
    clock: Clock

    def __call__(self, actor: Principal) -> int:
        now = self.clock.now()
        with self.uow() as uow:
            journeys = uow.journeys.accepting(TriggerKind.DATE_FIELD)
        entered = 0
        for journey in journeys:
            trigger = journey.current.trigger if journey.current is not None else None
            if trigger is None or trigger.date_field is None:
                continue
            values = self.facts.date_values(trigger.date_field)
            contacts = self.facts.contacts([customer_id for customer_id, _ in values])
            due = set()
            for customer_id, raw in values:
                value, contact = date_of(raw), contacts.get(customer_id)
                if value is None or contact is None:
                    continue
                zone = self.engine.zone_of(contact)
                if trigger.date_is_due(value, now.astimezone(zone).date()):
                    due.add(customer_id)
            with self.uow() as uow:
                entered += len(self.engine.enter(uow, journey, due))
                uow.commit()
        return entered
