"""The composition root on in-memory storage with a fake clock and a recording mail channel."""

from __future__ import annotations

import pytest
from attrs import define
from dependency_injector import providers

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.campaigns.consent_bundle import Consents
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.principal import Principal
from bootstrap import Container
from tests.application.conftest import memory_container
from tests.campaigns.recording_sender import RecordingSender
from tests.conftest import memory_backend
from tests.contracts.backend import StorageBackend

SYSTEM = Principal.system()


@define
class ConsentApp:
    container: Container
    backend: StorageBackend
    clock: ManualClock
    mail: RecordingSender

    @property
    def consents(self) -> Consents:
        return self.container.use(Consents)

    @property
    def customers(self) -> Customers:
        return self.container.use(Customers)

    def customer(self, email: str | None = "ann@example.org", **fields: str) -> str:
        return self.customers.create(
            SYSTEM, NewCustomer(first_name="Ann", email=email, **fields)
        ).id


def with_recording_mail(container: Container) -> RecordingSender:
    """The consent module's ``email_sender`` swapped for a recording one."""
    mail = RecordingSender()
    container.module("consent").email_sender.override(providers.Object(mail))
    return mail


@pytest.fixture
def consent_app(
    clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus
) -> ConsentApp:
    container = memory_container(clock, ids, bus)
    return ConsentApp(
        container=container,
        backend=memory_backend(bus, container.storage),
        clock=clock,
        mail=with_recording_mail(container),
    )
