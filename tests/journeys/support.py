"""What the journey tests share: the in-memory composition driven on a fake clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import define, field

from adapters.clock import ManualClock
from adapters.memory.store import InMemoryStore
from application.behaviour.bundle import Behaviour
from application.behaviour.tracking import IncomingEvent
from application.campaigns.templates import Templates
from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.journeys.bundle import Journeys
from application.journeys.commands import JourneyDefinition
from application.principal import Principal
from application.scheduling.bundle import Scheduling
from application.tags.bundle import Tags
from application.tags.commands import NewTag
from bootstrap import Container
from domain.campaigns.channels import Channel
from domain.campaigns.journeys import Journey, JourneyVersion
from domain.campaigns.messages import Message
from domain.custom_fields import FieldType, ObjectType
from domain.events import DomainEvent

SYSTEM = Principal.system()


@define
class JourneyApp:
    container: Container
    clock: ManualClock
    events: list[DomainEvent] = field(factory=list)

    @property
    def journeys(self) -> Journeys:
        return self.container.use(Journeys)

    @property
    def store(self) -> InMemoryStore:
        store: InMemoryStore = self.container.storage.store()
        return store

    def customer(self, name: str = "Ann", **fields: object) -> str:
        new = NewCustomer(
            first_name=name, email=f"{name.lower()}@example.com", custom_fields=fields
        )
        return self.container.use(Customers).create(SYSTEM, new).id

    def customers(self, count: int, **fields: object) -> list[str]:
        return [self.customer(f"C{index}", **fields) for index in range(count)]

    def field(self, key: str, field_type: FieldType) -> None:
        self.container.use(CustomFields).define(
            SYSTEM,
            NewCustomField(
                object_type=ObjectType.CUSTOMER, key=key, label=key, field_type=field_type
            ),
        )

    def tag(self, name: str) -> str:
        return self.container.use(Tags).create(SYSTEM, NewTag(name=name, colour="#336699")).id

    def apply_tag(self, tag_id: str, customer_ids: Sequence[str]) -> None:
        self.container.use(Tags).tag(SYSTEM, customer_ids, [tag_id])

    def template(self, name: str, channel: Channel = Channel.EMAIL) -> str:
        templates = self.container.use(Templates)
        if channel is Channel.EMAIL:
            view = templates.create(
                SYSTEM,
                name=name,
                channel=channel,
                subject=name,
                text=f"{name} {{{{ customer.first_name }}}}",
            )
        else:
            view = templates.create(SYSTEM, name=name, channel=channel, text=name)
        return view.id

    def track(self, customer_id: str, name: str) -> None:
        result = self.container.use(Behaviour).track(
            SYSTEM,
            [
                IncomingEvent(
                    customer_id=customer_id,
                    name=name,
                    occurred_at=self.clock.now(),
                    event_id=f"{customer_id}-{name}-{self.clock.now().isoformat()}",
                )
            ],
        )
        assert not result.problems, result.problems

    def launch(self, version: JourneyVersion, name: str = "Journey") -> Journey:
        journey = self.journeys.create(SYSTEM, JourneyDefinition(name=name, version=version))
        return self.journeys.activate(SYSTEM, journey.id)

    def enter(self, journey_id: str, customer_ids: Sequence[str]) -> int:
        engine = self.journeys.engine
        with engine.uow() as uow:
            journey = uow.journeys.get(journey_id)
            assert journey is not None
            stored = engine.enter(uow, journey, customer_ids)
            uow.commit()
        return len(stored)

    def run(self) -> None:
        report = self.container.use(Scheduling).run_due_work()
        assert report.timers_failed == 0

    def messages(self, journey_id: str | None = None) -> list[Message]:
        found = sorted(self.store.messages.values(), key=lambda m: (m.queued_at, m.id))
        return [m for m in found if journey_id is None or m.source.journey_id == journey_id]

    def sent_steps(self, customer_id: str) -> list[str | None]:
        return [m.source.step_id for m in self.messages() if m.customer_id == customer_id]

    def exits(self) -> list[DomainEvent]:
        return [e for e in self.events if e.event_type == "rapport.journey.exited.v1"]

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)
        self.run()
