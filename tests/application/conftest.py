"""The composition root over the in-memory storage, with a fake clock and ids: the bulk of
the tests, with no I/O."""

from __future__ import annotations

import pytest
from attrs import define

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.access.bundle import Access
from application.activities.bundle import Activities
from application.behaviour.bundle import Behaviour
from application.companies.bundle import Companies
from application.custom_fields.bundle import CustomFields
from application.customers.bundle import Customers
from application.lifecycle.bundle import Lifecycle
from application.orders.bundle import Orders
from application.pipeline.bundle import Sales
from application.principal import Principal
from application.segments.bundle import Segments
from application.tags.bundle import Tags
from application.timeline.bundle import Timeline
from bootstrap import Container, Settings, build_container
from domain.access.roles import Role
from domain.custom_fields import FieldType, ObjectType
from tests.conftest import define_field, memory_backend
from tests.contracts.backend import StorageBackend


def memory_container(
    clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus
) -> Container:
    """The real composition on in-memory storage, its clock, ids and bus swapped for fakes."""
    settings = Settings.from_env(
        {"RAPPORT_STORAGE": "memory", "RAPPORT_DEFAULT_PHONE_REGION": "GB"}
    )
    return build_container(settings, overrides={"clock": clock, "ids": ids, "event_bus": bus})


@define
class App:
    container: Container
    backend: StorageBackend
    clock: ManualClock

    @property
    def access(self) -> Access:
        return self.container.use(Access)

    @property
    def customers(self) -> Customers:
        return self.container.use(Customers)

    @property
    def companies(self) -> Companies:
        return self.container.use(Companies)

    @property
    def custom_fields(self) -> CustomFields:
        return self.container.use(CustomFields)

    @property
    def activities(self) -> Activities:
        return self.container.use(Activities)

    @property
    def behaviour(self) -> Behaviour:
        return self.container.use(Behaviour)

    @property
    def timeline(self) -> Timeline:
        return self.container.use(Timeline)

    @property
    def orders(self) -> Orders:
        return self.container.use(Orders)

    @property
    def tags(self) -> Tags:
        return self.container.use(Tags)

    @property
    def lifecycle(self) -> Lifecycle:
        return self.container.use(Lifecycle)

    @property
    def segments(self) -> Segments:
        return self.container.use(Segments)

    @property
    def sales(self) -> Sales:
        return self.container.use(Sales)

    def define(
        self,
        key: str,
        field_type: FieldType,
        *,
        object_type: ObjectType = ObjectType.CUSTOMER,
        choices: tuple[str, ...] = (),
        required: bool = False,
        unique: bool = False,
    ) -> None:
        """Define a field as the system; tests that care about permissions call define_field."""
        define_field(
            self.custom_fields,
            key,
            field_type,
            object_type=object_type,
            choices=choices,
            required=required,
            unique=unique,
        )


@pytest.fixture
def app(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> App:
    container = memory_container(clock, ids, bus)
    return App(container=container, backend=memory_backend(bus, container.storage), clock=clock)


@pytest.fixture
def agent(app: App) -> Principal:
    user = app.access.register_user(
        Principal.system(), name="Agent Smith", email="agent@example.com", role=Role.SALES_REP
    )
    return Principal(actor_id=user.id, role=Role.SALES_REP, name=user.name)


@pytest.fixture
def viewer() -> Principal:
    return Principal(actor_id="viewer-1", role=Role.ANALYST, name="Viewer")


@pytest.fixture
def manager(app: App) -> Principal:
    user = app.access.register_user(
        Principal.system(),
        name="Mona Manager",
        email="manager@example.com",
        role=Role.SALES_MANAGER,
    )
    return Principal(actor_id=user.id, role=Role.SALES_MANAGER, name=user.name)
