"""Campaigns on the real composition over in-memory storage, with a fake clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import pytest
from attrs import define

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.memory.store import InMemoryStore
from adapters.messaging.in_process import InProcessEventBus
from application.campaigns.campaign_bundle import Campaigns
from application.campaigns.campaigns import NewCampaign
from application.campaigns.templates import Templates
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from bootstrap import Container
from domain.campaigns.channels import Channel, SendOutcome, SendStatus
from domain.campaigns.messages import Message
from domain.customers import Customer
from domain.segments.segment import SegmentKind
from tests.application.conftest import memory_container
from tests.conftest import memory_backend
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import new_customer
from tests.graphql.conftest import api

__all__ = ["api"]

SYSTEM = Principal.system()


@define
class CampaignApp:
    container: Container
    backend: StorageBackend
    clock: ManualClock

    @property
    def campaigns(self) -> Campaigns:
        return self.container.use(Campaigns)

    @property
    def store(self) -> InMemoryStore:
        store: InMemoryStore = self.container.storage.store()
        return store

    def template(self, name: str = "Spring", channel: Channel = Channel.EMAIL) -> str:
        return (
            self.container.use(Templates)
            .create(
                SYSTEM,
                name=name,
                channel=channel,
                subject="Hello {{ customer.first_name }}" if channel is Channel.EMAIL else "",
                text="Spring is here, {{ customer.first_name }}.",
            )
            .id
        )

    def segment(
        self, rule: str = 'first_name = "In"', kind: SegmentKind = SegmentKind.DYNAMIC
    ) -> str:
        name = f"Segment {len(self.store.segments) + 1}"
        return self.container.use(Segments).create(SYSTEM, NewSegment(name, rule, kind)).id

    def customers(self, people: Sequence[Customer]) -> list[str]:
        with self.backend.uow() as uow:
            uow.customers.add_many(people)
            uow.commit()
        return [person.id for person in people]

    def members(
        self, count: int, *, first: str = "In", ids: Iterable[str] | None = None
    ) -> list[str]:
        """``count`` customers named ``first``, each with an address of their own."""
        chosen = list(ids) if ids is not None else [None] * count
        start = len(self.store.customers)
        return self.customers(
            [
                new_customer(
                    first=first,
                    email=f"{first.lower()}{start + n}@example.com",
                    customer_id=customer_id,
                )
                for n, customer_id in enumerate(chosen)
            ]
        )

    def campaign(self, **given: object) -> str:
        fields: dict[str, object] = {"name": "Spring sale", **given}
        return self.campaigns.create(SYSTEM, NewCampaign(**fields)).id  # type: ignore[arg-type]

    def run_due(self) -> None:
        """What ``rapport worker`` does on its round: the due jobs and timers."""
        self.container.use(Scheduling).run_due_work()

    def messages_of(self, campaign_id: str) -> list[Message]:
        return sorted(
            (m for m in self.store.messages.values() if m.source.campaign_id == campaign_id),
            key=lambda message: message.customer_id,
        )

    def recipients(self, campaign_id: str) -> list[str]:
        return [message.customer_id for message in self.messages_of(campaign_id)]

    def engage(
        self,
        message_ids: Iterable[str],
        *,
        opened: Iterable[str] = (),
        clicked: Iterable[str] = (),
        at: datetime | None = None,
    ) -> None:
        """The channel took these messages; some were then opened or clicked."""
        when = at or self.clock.now()
        opened, clicked = set(opened), set(clicked)
        with self.container.module("campaigns").ports.unit_of_work() as uow:
            for message in uow.messages.get_many(list(message_ids)).values():
                message.claim(when)
                message.record(
                    SendOutcome(
                        message_id=message.id,
                        status=SendStatus.ACCEPTED,
                        provider_id=f"<{message.id}>",
                    ),
                    when,
                )
                if message.id in opened:
                    message.opened(when)
                if message.id in clicked:
                    message.clicked(when)
                uow.messages.save(message)
            uow.commit()


@pytest.fixture
def app(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> CampaignApp:
    container = memory_container(clock, ids, bus)
    return CampaignApp(
        container=container, backend=memory_backend(bus, container.storage), clock=clock
    )
