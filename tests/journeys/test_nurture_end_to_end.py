"""The 7-day nurture end to end: customers enter a segment, the step runner and the
dispatcher run on a fake clock, and mails arrive at a real SMTP server on loopback.

The right customers get the right mails on the right days; a customer without consent
gets none; quiet hours and the frequency cap hold; a customer who orders on day 4 leaves
the journey, goal reached, and gets no day-5 mail.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from attrs import define, field

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.journeys.bundle import Journeys
from application.messages.bundle import Messages
from application.orders.bundle import Orders
from application.orders.commands import NewOrder
from application.scheduling.bundle import Scheduling
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from bootstrap import Container, build_container
from composition.settings import Settings
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.demo import seven_day_nurture
from domain.campaigns.journeys import EnrolmentStatus
from domain.campaigns.messages import Message, MessageSource
from domain.custom_fields import FieldType
from tests.channels.servers import SmtpServer, smtp_server
from tests.journeys.support import SYSTEM, JourneyApp

DAY_1 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
"""A Monday, 10:00 UTC: outside the quiet hours (21:00-08:00) in UTC."""
TICK = timedelta(hours=1)


@define
class Nurture:
    app: JourneyApp
    server: SmtpServer
    arrived: list[tuple[str, str, date]] = field(factory=list)
    """(recipient, subject, UTC day it arrived) of each mail, in order."""

    @property
    def container(self) -> Container:
        return self.app.container

    def person(self, name: str, *, consent: bool = True, **fields: object) -> str:
        customer_id = self.app.customer(name, **fields)
        if consent:
            self.container.use(Consents).set_consent(
                SYSTEM, customer_id, Channel.EMAIL, ConsentStatus.OPTED_IN
            )
        return customer_id

    def tick(self) -> None:
        """What ``rapport worker`` does each round: due timers, then due messages."""
        assert self.container.use(Scheduling).run_due_work().timers_failed == 0
        self.container.use(Messages).dispatch.run_once()
        with self.server.lock:
            new = self.server.mails[len(self.arrived) :]
        today = self.app.clock.now().date()
        self.arrived.extend((m.recipients[0], str(m.mail["subject"]), today) for m in new)

    def until(self, moment: datetime) -> None:
        while self.app.clock.now() < moment:
            self.app.clock.advance(TICK)
            self.tick()

    def mails_of(self, name: str) -> list[tuple[str, int]]:
        """(subject's first word, day of the nurture) of each mail to ``name``."""
        address = f"{name.lower()}@example.com"
        return [
            (subject.split()[0], (day - DAY_1.date()).days + 1)
            for to, subject, day in self.arrived
            if to == address
        ]


@pytest.fixture
def nurture(ids: SequentialIdGenerator, bus: InProcessEventBus) -> Iterator[Nurture]:
    with smtp_server() as server:
        clock = ManualClock(DAY_1 - timedelta(days=1))
        settings = Settings.from_env(
            {
                "RAPPORT_STORAGE": "memory",
                "RAPPORT_SMTP_URL": f"smtp://127.0.0.1:{server.port}",
                "RAPPORT_EMAIL_FROM": "Rapport <news@example.com>",
                "RAPPORT_FREQUENCY_CAPS": "email:3/7d",
                "RAPPORT_QUIET_HOURS": "21:00-08:00",
            }
        )
        container = build_container(
            settings, overrides={"clock": clock, "ids": ids, "event_bus": bus}
        )
        app = JourneyApp(container, clock)
        bus.subscribe("*", app.events.append)
        yield Nurture(app, server)
        for sender in container.module("messages").senders().values():
            sender.close()
        container.close()


def _template(app: JourneyApp, word: str) -> str:
    return (
        app.container.use(Templates)
        .create(
            SYSTEM,
            name=word,
            channel=Channel.EMAIL,
            subject=f"{word} for {{{{ customer.first_name }}}}",
            text=f"{word}. Stop these: {{{{ unsubscribe_url }}}}",
        )
        .id
    )


def test_the_nurture_sends_the_right_mails_on_the_right_days(nurture: Nurture) -> None:
    app = nurture.app
    app.field("time_zone", FieldType.TEXT)
    lead = app.tag("Lead")
    ann = nurture.person("Ann")
    bob = nurture.person("Bob")
    cat = nurture.person("Cat", consent=False)
    # 10:00 UTC is 23:00 in Auckland: quiet hours there until 08:00, 19:00 UTC.
    dan = nurture.person("Dan", time_zone="Pacific/Auckland")
    eve = nurture.person("Eve")
    outsider = nurture.person("Olga")

    # The day before, Eve got two mails of a campaign: her cap (3 in 7 days) is nearly used.
    for number in (1, 2):
        message = Message.queue(
            id=f"promo-{number}",
            customer_id=eve,
            channel=Channel.EMAIL,
            to="eve@example.com",
            source=MessageSource.campaign(f"promo-{number}"),
            template_id=_template(app, f"Promo{number}"),
            template_version=1,
            marketing=True,
            at=app.clock.now(),
        )
        with app.container.module("messages").ports.unit_of_work() as uow:
            uow.messages.add(message)
            uow.commit()
    nurture.tick()
    assert nurture.mails_of("Eve") == [("Promo1", 0), ("Promo2", 0)]

    segment = app.container.use(Segments).create(
        SYSTEM, NewSegment(name="Leads", rule='tag("Lead")')
    )
    journey = app.launch(
        seven_day_nurture(
            segment_id=segment.id,
            brochure_template_id=_template(app, "Brochure"),
            case_study_template_id=_template(app, "Case"),
            webinar_template_id=_template(app, "Webinar"),
        ),
        "7-day nurture",
    )
    app.clock.set(DAY_1)
    app.apply_tag(lead, [ann, bob, cat, dan, eve])
    app.container.use(Segments).refresh(SYSTEM)
    nurture.tick()

    # Day 4: Bob orders; the goal takes him off the journey before the day-5 mail.
    nurture.until(DAY_1 + timedelta(days=3))
    app.container.use(Orders).record(
        SYSTEM, NewOrder(customer_id=bob, placed_at=app.clock.now(), currency="USD", total="49.00")
    )
    nurture.until(DAY_1 + timedelta(days=9))

    assert nurture.mails_of("Ann") == [("Brochure", 1), ("Case", 3), ("Webinar", 5)]
    assert nurture.mails_of("Bob") == [("Brochure", 1), ("Case", 3)]
    assert nurture.mails_of("Cat") == []
    assert nurture.mails_of("Olga") == []
    # Dan's mails wait out his night: the same days, in the evening UTC.
    assert nurture.mails_of("Dan") == [("Brochure", 1), ("Case", 3), ("Webinar", 5)]
    dan_times = [
        m.sent_at for m in app.store.messages.values() if m.customer_id == dan and m.sent_at
    ]
    assert sorted(t.hour for t in dan_times) == [19, 19, 19]
    # Eve's cap: the brochure is her third mail in seven days; the case study and the
    # webinar wait until the campaign's two fall out of the window, a week after they went.
    assert nurture.mails_of("Eve") == [
        ("Promo1", 0),
        ("Promo2", 0),
        ("Brochure", 1),
        ("Case", 7),
        ("Webinar", 7),
    ]

    runs = {e.customer_id: e for e in app.store.journey_enrolments.values()}
    assert runs[bob].status is EnrolmentStatus.GOAL_REACHED
    assert runs[ann].status is EnrolmentStatus.COMPLETED
    assert outsider not in runs
    # The owner's call on day 7, for those who did not convert.
    calls = {t.customer_id for t in app.store.tasks.values()}
    assert calls == {ann, cat, dan, eve}
    skipped = [m for m in app.store.messages.values() if m.customer_id == cat]
    assert len(skipped) == 3 and all(m.sent_at is None for m in skipped)
    stats = app.journeys.read.stats(SYSTEM, [journey.id])[journey.id]
    assert (stats.entered, stats.goal_reached, stats.completed) == (5, 1, 4)
    counts = app.container.use(Journeys).read.message_counts(SYSTEM, [journey.id])
    assert counts[(journey.id, "brochure")].skipped == 1
