"""What the journeys module needs from storage: journeys and their versions, enrolments
(one active per journey and customer, entries decided on one history kept once), and the
batch reads of the step runner."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.messages.ports import MessageRepository
from application.pagination import SortKey
from application.unit_of_work import UnitOfWork
from domain.campaigns.journeys import (
    Enrolment,
    EnrolmentStatus,
    Journey,
    JourneyStatus,
    TriggerKind,
)


@frozen
class Entry:
    """An enrolment to store, and ``sequence``: how many enrolments of this customer in this
    journey it was decided after. Two entries decided on the same history share the number
    and storage keeps only the first, so a re-entry policy holds under concurrent triggers."""

    enrolment: Enrolment
    sequence: int


class JourneyRepository(Protocol):
    """``uow.journeys``: journeys with every published version."""

    def add(self, journey: Journey) -> None: ...

    def get(self, journey_id: str) -> Journey | None: ...

    def save(self, journey: Journey) -> None:
        """Store a changed journey and any version published since it was loaded; a journey
        changed by another transaction meanwhile is ``StaleVersion``."""
        ...

    def accepting(self, kind: TriggerKind) -> list[Journey]:
        """The active journeys with a published version whose trigger is of ``kind``."""
        ...


class EnrolmentRepository(Protocol):
    """``uow.enrolments``: customers' runs through journeys, read and written in bulk."""

    def histories(
        self, journey_id: str, customer_ids: Collection[str]
    ) -> dict[str, list[Enrolment]]:
        """Every enrolment of these customers in the journey, any version, oldest first; a
        customer never enrolled is left out."""
        ...

    def add_many(self, entries: Sequence[Entry]) -> list[Enrolment]:
        """Store the entries whose customer has no active enrolment in the journey and whose
        ``sequence`` is not taken; the enrolments stored (their events go out on commit)."""
        ...

    def get_many(self, enrolment_ids: Collection[str]) -> dict[str, Enrolment]:
        """Enrolments by id, loaded for change; unknown ids are left out."""
        ...

    def active_of(self, customer_ids: Collection[str]) -> list[Enrolment]:
        """The active enrolments of these customers, in every journey, loaded for change."""
        ...

    def save_many(self, enrolments: Sequence[Enrolment]) -> None:
        """Store changed enrolments (one statement for many); one changed by another
        transaction since it was loaded is ``StaleVersion``."""
        ...

    def count_reached(self, reached: Mapping[tuple[str, str], int]) -> None:
        """Add to how many times each (journey id, step id) was reached."""
        ...


class JourneysUnitOfWork(UnitOfWork, Protocol):
    @property
    def journeys(self) -> JourneyRepository: ...
    @property
    def enrolments(self) -> EnrolmentRepository: ...
    @property
    def messages(self) -> MessageRepository: ...


class JourneysUnitOfWorkFactory(Protocol):
    def __call__(self) -> JourneysUnitOfWork: ...


@frozen
class Contact:
    """What a step needs of a customer: where to send, whose task, which time zone."""

    customer_id: str
    email: str | None
    phone: str | None
    owner_id: str
    custom_fields: Mapping[str, object]
    active: bool


@frozen
class ArrivedEvent:
    customer_id: str
    name: str
    received_at: datetime


class JourneyFacts(Protocol):
    """Batch reads of customers and their tracked events for the step runner."""

    def contacts(self, customer_ids: Collection[str]) -> dict[str, Contact]:
        """The customers named that exist (archived and merged ones with ``active`` False)."""
        ...

    def events_since(
        self, customer_ids: Collection[str], names: Collection[str], since: datetime
    ) -> list[ArrivedEvent]:
        """Events of these names tracked for these customers, received at or after
        ``since``, oldest first."""
        ...

    def date_values(self, field_key: str) -> list[tuple[str, object]]:
        """(customer id, value) of every active customer with the custom field set."""
        ...


@frozen
class StepStats:
    step_id: str
    reached: int


@frozen
class JourneyStats:
    entered: int = 0
    active: int = 0
    completed: int = 0
    goal_reached: int = 0
    exited: int = 0
    steps: tuple[StepStats, ...] = ()


@frozen
class JourneySummary:
    id: str
    name: str
    status: JourneyStatus
    updated_at: datetime


class JourneyReader(Protocol):
    def get(self, journey_id: str) -> Journey | None: ...

    def slice(
        self, *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
    ) -> Sequence[Journey]:
        """Journeys by creation time then id, strictly between ``after`` and ``before``."""
        ...

    def count(self) -> int: ...

    def stats(self, journey_ids: Collection[str]) -> dict[str, JourneyStats]:
        """Enrolments by status and steps reached, for each journey named."""
        ...

    def enrolments_of(self, customer_id: str) -> list[Enrolment]:
        """The customer's enrolments, newest first."""
        ...


STATUS_FIELDS: Mapping[EnrolmentStatus, str] = {
    EnrolmentStatus.ACTIVE: "active",
    EnrolmentStatus.COMPLETED: "completed",
    EnrolmentStatus.GOAL_REACHED: "goal_reached",
    EnrolmentStatus.EXITED: "exited",
}


def stats_of(by_status: Mapping[EnrolmentStatus, int], reached: Mapping[str, int]) -> JourneyStats:
    return JourneyStats(
        entered=sum(by_status.values()),
        active=by_status.get(EnrolmentStatus.ACTIVE, 0),
        completed=by_status.get(EnrolmentStatus.COMPLETED, 0),
        goal_reached=by_status.get(EnrolmentStatus.GOAL_REACHED, 0),
        exited=by_status.get(EnrolmentStatus.EXITED, 0),
        steps=tuple(StepStats(step, count) for step, count in sorted(reached.items())),
    )
