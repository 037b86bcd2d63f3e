"""The pipeline's use cases from the composition root on in-memory storage, for the
application tests."""

from __future__ import annotations

import attrs
from attrs import define

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.access.bundle import Access
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.lifecycle.bundle import Lifecycle
from application.orders.bundle import Orders
from application.pipeline.bundle import Sales as SalesBundle
from application.pipeline.leads import RescoreLeads
from application.principal import Principal
from application.unit_of_work import UnitOfWork
from bootstrap import Container
from domain.access.roles import Role
from tests.application.conftest import memory_container
from tests.conftest import memory_backend
from tests.contracts.backend import StorageBackend


@define
class Sales:
    container: Container
    backend: StorageBackend
    clock: ManualClock
    rescore: RescoreLeads
    """Rescoring in batches of two, so that tests see more than one batch."""

    @property
    def pipeline(self) -> SalesBundle:
        return self.container.use(SalesBundle)

    @property
    def customers(self) -> Customers:
        return self.container.use(Customers)

    @property
    def orders(self) -> Orders:
        return self.container.use(Orders)

    @property
    def lifecycle(self) -> Lifecycle:
        return self.container.use(Lifecycle)

    def customer(self, actor: Principal, email: str, owner: str | None = None) -> str:
        return self.customers.create(actor, NewCustomer(email=email, owner_id=owner)).id

    def rep(self, name: str) -> Principal:
        return self.user(name, Role.SALES_REP)

    def manager(self, name: str) -> Principal:
        """A sales manager: may hand deals, leads and tasks to others."""
        return self.user(name, Role.SALES_MANAGER)

    def user(self, name: str, role: Role) -> Principal:
        user = self.container.use(Access).register_user(
            Principal.system(), name=name, email=f"{name.lower()}@example.com", role=role
        )
        return Principal(actor_id=user.id, role=role, name=name)

    def outbox(self) -> list[tuple[str, str]]:
        return self.backend.outbox()

    def uow(self) -> UnitOfWork:
        return self.backend.uow()


def build(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> Sales:
    container = memory_container(clock, ids, bus)
    return Sales(
        container=container,
        backend=memory_backend(bus, container.storage),
        clock=clock,
        rescore=attrs.evolve(container.use(SalesBundle).rescore_leads, batch_size=2),
    )
