"""Use cases that read tracked events and how often customers did something."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date

from attrs import frozen

from application.behaviour.ports import BehaviourReader
from application.ports import Clock
from application.principal import Principal
from domain.access.roles import Permission, Resource
from domain.behaviour import EventFrequency, TrackedEvent


@frozen
class GetTrackedEvents:
    """Tracked events by id, for lookups; unknown ids are simply absent."""

    reader: BehaviourReader

    def __call__(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, TrackedEvent]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids, visible=actor.visibility(Resource.CUSTOMERS))


@frozen
class EventFrequencies:
    """Answers "did X at least N times in the last D days", for one customer or all."""

    reader: BehaviourReader
    clock: Clock

    def customers(self, actor: Principal, frequency: EventFrequency) -> set[str]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.customers_doing(frequency, today=self._today())

    def holds_for(self, actor: Principal, customer_id: str, frequency: EventFrequency) -> bool:
        actor.require(Permission.READ_CUSTOMERS)
        today = self._today()
        times = self.reader.count(
            customer_id, frequency.name, since=frequency.first_day(today), until=today
        )
        return times >= frequency.at_least

    def _today(self) -> date:
        return self.clock.now().astimezone(UTC).date()
