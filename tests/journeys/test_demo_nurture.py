"""The demo data ships the 7-day nurture: its three mails and the journey, live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.demo.nurture import BROCHURE, CASE_STUDY, WEBINAR
from adapters.demo.seeding import seed_demo
from application.behaviour.bundle import Behaviour
from application.behaviour.tracking import IncomingEvent
from application.campaigns.templates import Templates
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.journeys.bundle import Journeys
from application.pagination import PageRequest
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from application.segments.bundle import Segments
from bootstrap import Settings, build_container
from domain.campaigns.demo import NURTURE_NAME
from domain.campaigns.journeys import JourneyStatus, SendStep, TriggerKind

SYSTEM = Principal.system()


def test_demo_seeding_makes_the_nurture_once_and_it_runs() -> None:
    container = build_container(Settings.from_env({"RAPPORT_STORAGE": "memory"}))
    seed_demo(container.bundles, customers=120)
    journeys = container.use(Journeys)
    (edge,) = journeys.read.page(SYSTEM, PageRequest(first=10)).edges
    journey = edge.node
    assert (journey.name, journey.status) == (NURTURE_NAME, JourneyStatus.ACTIVE)
    version = journey.current
    assert version is not None and version.trigger.kind is TriggerKind.SEGMENT_ENTERED
    segments = {s.id: s.name for s in container.use(Segments).read.all(SYSTEM)}
    assert segments[version.trigger.segment_id or ""] == "Signing in"
    templates = container.use(Templates).read
    names = [
        view.name
        for step in version.steps
        if isinstance(step, SendStep) and (view := templates.get(SYSTEM, step.template_id))
    ]
    assert names == [BROCHURE.name, CASE_STUDY.name, WEBINAR.name]

    seed_demo(container.bundles, customers=120)
    assert journeys.read.count(SYSTEM) == 1
    # A new member of the segment enters, and the brochure is queued for them.
    newcomer = container.use(Customers).create(
        SYSTEM, NewCustomer(first_name="Nia", email="nia@example.com")
    )
    now = datetime.now(UTC)
    container.use(Behaviour).track(
        SYSTEM,
        [
            IncomingEvent(
                customer_id=newcomer.id,
                name="signed_in",
                occurred_at=now - timedelta(days=days),
                event_id=f"nia-{days}",
            )
            for days in (1, 2)
        ],
    )
    container.use(Segments).refresh(SYSTEM)
    assert container.use(Scheduling).run_due_work().timers_failed == 0
    store = container.storage.store()
    mails = [m for m in store.messages.values() if m.customer_id == newcomer.id]
    assert [(m.source.journey_id, m.source.step_id) for m in mails] == [(journey.id, "brochure")]
