"""The composition root on in-memory storage with a fake clock and in-memory channels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from attrs import define
from dependency_injector import providers

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.memory.channels import InMemoryChannel
from adapters.messaging.in_process import InProcessEventBus
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.messages.bundle import Messages
from application.messages.dispatch import DispatchReport
from application.messages.ports import MessagesUnitOfWorkFactory
from application.principal import Principal
from bootstrap import Container
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.messages import Message, MessageSource
from tests.application.conftest import memory_container

SYSTEM = Principal.system()
MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
"""A Monday, 10:00 UTC: outside the default quiet hours (21:00-08:00) in UTC."""


@define
class MessagesApp:
    container: Container
    clock: ManualClock
    channels: dict[Channel, InMemoryChannel]
    _sequence: int = 0

    @property
    def messages(self) -> Messages:
        return self.container.use(Messages)

    @property
    def consents(self) -> Consents:
        return self.container.use(Consents)

    @property
    def uow(self) -> MessagesUnitOfWorkFactory:
        factory: MessagesUnitOfWorkFactory = self.container.module("messages").ports.unit_of_work
        return factory

    @property
    def email(self) -> InMemoryChannel:
        return self.channels[Channel.EMAIL]

    def customer(
        self,
        email: str | None = "ann@example.org",
        *,
        consent: ConsentStatus | None = ConsentStatus.OPTED_IN,
        channel: Channel = Channel.EMAIL,
        **fields: str,
    ) -> str:
        customer_id = (
            self.container.use(Customers)
            .create(SYSTEM, NewCustomer(first_name="Ann", email=email, **fields))
            .id
        )
        if consent is not None:
            self.consents.set_consent(SYSTEM, customer_id, channel, consent)
        return customer_id

    def template(
        self,
        channel: Channel = Channel.EMAIL,
        *,
        subject: str = "Hello {{ customer.first_name }}",
        html: str = '<p>Hi {{ customer.first_name }}, <a href="https://shop.example/sale">'
        "sale</a></p>",
        text: str = "Hi {{ customer.first_name }}: https://shop.example/sale",
    ) -> str:
        self._sequence += 1
        return (
            self.container.use(Templates)
            .create(
                SYSTEM,
                name=f"Template {self._sequence}",
                channel=channel,
                subject=subject if channel is Channel.EMAIL else "",
                html=html if channel is Channel.EMAIL else "",
                text=text,
            )
            .id
        )

    def enqueue(
        self,
        customer_id: str,
        template_id: str,
        *,
        campaign: str | None = None,
        channel: Channel = Channel.EMAIL,
        marketing: bool = True,
    ) -> str:
        self._sequence += 1
        source = (
            MessageSource.campaign(campaign or f"camp-{self._sequence}")
            if marketing
            else MessageSource.transactional(f"ref-{self._sequence}")
        )
        message = Message.queue(
            id=f"m-{self._sequence}",
            customer_id=customer_id,
            channel=channel,
            to="",
            source=source,
            template_id=template_id,
            template_version=1,
            marketing=marketing,
            at=self.clock.now(),
        )
        with self.uow() as uow:
            assert uow.messages.add(message)
            uow.commit()
        return message.id

    def message(self, message_id: str) -> Message:
        with self.uow() as uow:
            found = uow.messages.get(message_id)
        assert found is not None
        return found

    def dispatch(self) -> DispatchReport:
        return self.messages.dispatch.run_once()


def with_channels(container: Container) -> dict[Channel, InMemoryChannel]:
    channels = {channel: InMemoryChannel(channel) for channel in Channel}
    container.module("messages").senders.override(providers.Object(channels))
    return channels


@pytest.fixture
def app(ids: SequentialIdGenerator, bus: InProcessEventBus) -> MessagesApp:
    clock = ManualClock(MORNING)
    container = memory_container(clock, ids, bus)
    return MessagesApp(container=container, clock=clock, channels=with_channels(container))
