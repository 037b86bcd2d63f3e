"""Tracking events in batches: each item stands or falls on its own, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final, cast

from attrs import frozen

from application.behaviour.ports import TrackedCustomers
from application.errors import InvalidInput, NotFound
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.behaviour import Occurrence, TrackedEvent
from domain.custom_fields import CustomFieldSchema
from domain.customers import Customer, EmailAddress
from domain.customers.reference import CustomerRef
from domain.errors import DomainError, ErrorCode, Problem, ProblemCollector

MAX_BATCH: Final = 1_000


@frozen(kw_only=True)
class IncomingEvent:
    """One event as a tracking client sends it: raw values, checked by the use case.

    The customer is named by exactly one of ``customer_id``, ``email`` and ``external_id``
    (``(source, value)``); an unknown email makes a new customer, as an "identify" would.
    """

    customer_id: str | None = None
    email: str | None = None
    external_id: tuple[str, str] | None = None
    name: str | None = None
    occurred_at: datetime | None = None
    properties: object = None
    event_id: str | None = None
    unreadable: tuple[Problem, ...] = ()
    """Problems the adapter met while reading the item, reported as the item's own."""


@frozen
class ItemProblem:
    """Why the item at ``index`` of the batch was refused."""

    index: int
    problem: Problem


@frozen
class TrackResult:
    accepted: int
    duplicates: int
    """Items whose event id was stored already, or came earlier in the same batch."""
    problems: tuple[ItemProblem, ...]


@frozen
class _Item:
    index: int
    ref: CustomerRef
    occurrence: Occurrence


@frozen
class TrackEvents:
    """The fast path for behaviour events: one transaction and a few statements per batch.

    A repeated event id is a duplicate and changes nothing; every event stored is counted
    per customer, name and UTC day and drawn on its customer's timeline in the same
    transaction.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    listener: TrackedCustomers | None = None

    def __call__(self, actor: Principal, items: Sequence[IncomingEvent]) -> TrackResult:
        actor.require(Permission.CREATE_EVENTS)
        if len(items) > MAX_BATCH:
            raise InvalidInput(
                "events", ErrorCode.TOO_LONG, f"send at most {MAX_BATCH:,} events at a time"
            )
        now = self.clock.now()
        refused: list[ItemProblem] = []
        parsed = _parse(items, now, refused)
        with self.uow() as uow:
            seen = set(uow.tracked_events.known_event_ids({i.occurrence.event_id for i in parsed}))
            fresh: list[_Item] = []
            for item in parsed:
                if item.occurrence.event_id not in seen:
                    seen.add(item.occurrence.event_id)
                    fresh.append(item)
            resolver = _Customers(
                uow, [item.ref for item in fresh], actor=actor, ids=self.ids, now=now
            )
            events: list[TrackedEvent] = []
            for item in fresh:
                try:
                    customer_id = resolver.resolve(item.ref)
                except DomainError as error:
                    refused.extend(ItemProblem(item.index, p) for p in error.problems)
                    continue
                events.append(
                    item.occurrence.tracked(
                        id=self.ids.new_id(), customer_id=customer_id, received_at=now
                    )
                )
            uow.customers.add_many(resolver.created)
            stored = uow.tracked_events.append(events)
            uow.timeline.record([event.timeline_entry() for event in stored])
            uow.commit()
        if stored and self.listener is not None:
            self.listener.tracked(frozenset(event.customer_id for event in stored))
        duplicates = len(parsed) - len(fresh) + len(events) - len(stored)
        return TrackResult(len(stored), duplicates, tuple(sorted(refused, key=_by_index)))


def _by_index(problem: ItemProblem) -> int:
    return problem.index


def _parse(
    items: Iterable[IncomingEvent], now: datetime, refused: list[ItemProblem]
) -> list[_Item]:
    parsed: list[_Item] = []
    for index, raw in enumerate(items):
        try:
            ref, occurrence = _read(raw, now)
        except DomainError as error:
            refused.extend(ItemProblem(index, problem) for problem in error.problems)
            continue
        parsed.append(_Item(index, ref, occurrence))
    return parsed


def _read(raw: IncomingEvent, now: datetime) -> tuple[CustomerRef, Occurrence]:
    """The item's customer reference and occurrence, or every problem with it at once."""
    problems = ProblemCollector()
    ref = problems.check(
        lambda: CustomerRef.parse(id=raw.customer_id, email=raw.email, external_id=raw.external_id)
    )
    occurrence = problems.check(
        lambda: Occurrence.parse(
            event_id=raw.event_id,
            name=raw.name,
            occurred_at=raw.occurred_at,
            properties=raw.properties,
            received_at=now,
        )
    )
    if raw.unreadable:
        # What follows from a value the adapter could not read is not news: say it once.
        consequences = [
            problem
            for problem in problems.problems
            if not any(_related(problem.field, u.field) for u in raw.unreadable)
        ]
        raise DomainError([*raw.unreadable, *consequences])
    problems.raise_if_any()
    return cast(CustomerRef, ref), cast(Occurrence, occurrence)


def _related(field: str, other: str) -> bool:
    """One field path is the other, or lies within it."""
    return (
        not field
        or not other
        or field == other
        or field.startswith(f"{other}.")
        or other.startswith(f"{field}.")
    )


class _Customers:
    """Turns the references of one batch into customer ids with a few set-based lookups."""

    def __init__(
        self,
        uow: UnitOfWork,
        refs: Sequence[CustomerRef],
        *,
        actor: Principal,
        ids: IdGenerator,
        now: datetime,
    ) -> None:
        self._uow = uow
        self._actor = actor
        self._ids = ids
        self._now = now
        lookup = uow.customer_lookup
        self._known = set(lookup.statuses({ref.id for ref in refs if ref.id is not None}))
        self._by_email = dict(lookup.ids_by_email({ref.email for ref in refs if ref.email}))
        self._by_external_id: dict[tuple[str, str], str | None] = {}
        self.created: list[Customer] = []

    def resolve(self, ref: CustomerRef) -> str:
        if ref.id is not None:
            if ref.id not in self._known:
                raise NotFound("customer.id", "no customer has this id")
            return ref.id
        if ref.email is not None:
            return self._by_email.get(ref.email) or self._identify(ref.email)
        if ref.external_id is not None:
            key = (ref.external_id.source, ref.external_id.value)
            if key not in self._by_external_id:
                self._by_external_id[key] = self._uow.customer_lookup.by_external_id(*key)
            found = self._by_external_id[key]
            if found is not None:
                return found
        raise NotFound("customer.externalId", "no customer has this external id")

    def _identify(self, email: EmailAddress) -> str:
        """A new customer for an email nobody has, as a tracking "identify" would make.

        Every role that may track events may create customers, so this needs no check.
        """
        customer = Customer.register(
            id=self._ids.new_id(),
            first_name="",
            last_name="",
            email=email,
            phone=None,
            custom_fields={},
            schema=CustomFieldSchema(()),
            owner_id=self._actor.actor_id,
            at=self._now,
            by=self._actor.actor_id,
        )
        self.created.append(customer)
        self._by_email[email] = customer.id
        return customer.id
