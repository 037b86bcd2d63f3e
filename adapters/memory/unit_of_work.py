"""A unit of work over plain dictionaries, with the transaction semantics of the SQL one."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from adapters.memory.behaviour import InMemoryTrackedEventLog
from adapters.memory.customer_lookup import InMemoryCustomerLookup
from adapters.memory.store import InMemoryStore
from adapters.memory.timeline import InMemoryTimeline
from application.errors import AlreadyTaken, StaleVersion
from application.ports import EventPublisher
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.activities import Activity
from domain.customers import Customer, EmailAddress
from domain.events import DomainEvent


class _Identified(Protocol):
    id: str


class _Recording(Protocol):
    events: list[DomainEvent]


A = TypeVar("A", bound=_Identified)


class _Staged(Generic[A]):
    """Copies of aggregates taken out of the store, written back only on commit."""

    def __init__(self, committed: dict[str, A]) -> None:
        self._committed = committed
        self.seen: dict[str, A] = {}
        self.loaded_versions: dict[str, int | None] = {}

    def add(self, aggregate: A) -> None:
        self.seen[aggregate.id] = aggregate
        self.loaded_versions[aggregate.id] = None

    def get(self, aggregate_id: str) -> A | None:
        if aggregate_id in self.seen:
            return self.seen[aggregate_id]
        stored = self._committed.get(aggregate_id)
        if stored is None:
            return None
        loaded = copy.deepcopy(stored)
        self.seen[aggregate_id] = loaded
        self.loaded_versions[aggregate_id] = getattr(loaded, "version", 0)
        return loaded

    def check_versions(self) -> None:
        for aggregate_id, loaded_version in self.loaded_versions.items():
            stored = self._committed.get(aggregate_id)
            if loaded_version is None:
                if stored is not None:
                    raise AlreadyTaken("id", "another record has this id")
            elif stored is not None and getattr(stored, "version", 0) != loaded_version:
                raise StaleVersion(loaded_version, getattr(stored, "version", None))

    def write_back(self) -> None:
        for aggregate_id, aggregate in self.seen.items():
            self._committed[aggregate_id] = copy.deepcopy(aggregate)

    def clear(self) -> None:
        self.seen.clear()
        self.loaded_versions.clear()


class InMemoryCustomerRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = _Staged(store.customers)

    def add(self, customer: Customer) -> None:
        self.staged.add(customer)

    def add_many(self, customers: Sequence[Customer]) -> None:
        for customer in customers:
            self.staged.add(customer)

    def get(self, customer_id: str) -> Customer | None:
        return self.staged.get(customer_id)

    def get_by_email(self, email: EmailAddress) -> Customer | None:
        for customer in list(self.staged.seen.values()) + list(self._store.customers.values()):
            if customer.email == email and not customer.is_archived:
                return self.get(customer.id)
        return None

    def emails_in_use(self, emails: Collection[EmailAddress]) -> set[EmailAddress]:
        wanted = set(emails)
        return {
            customer.email
            for customer in self._store.customers.values()
            if customer.email in wanted and not customer.is_archived and customer.email
        }

    def check_unique_emails(self) -> None:
        """Mirror of the SQL adapter's unique index on active customers' emails."""
        owners: dict[EmailAddress, str] = {
            c.email: c.id
            for c in self._store.customers.values()
            if c.email and not c.is_archived and c.id not in self.staged.seen
        }
        for customer in self.staged.seen.values():
            if customer.email is None or customer.is_archived:
                continue
            if owners.setdefault(customer.email, customer.id) != customer.id:
                raise AlreadyTaken("email", "another customer has this email")


class InMemoryUserRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = _Staged(store.users)

    def add(self, user: User) -> None:
        self.staged.add(user)

    def get(self, user_id: str) -> User | None:
        return self.staged.get(user_id)

    def get_by_email(self, email: EmailAddress) -> User | None:
        for user in list(self.staged.seen.values()) + list(self._store.users.values()):
            if user.email == email:
                return self.get(user.id)
        return None


class InMemoryApiKeyRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.staged = _Staged(store.api_keys)

    def add(self, key: ApiKey) -> None:
        self.staged.add(key)

    def get(self, key_id: str) -> ApiKey | None:
        return self.staged.get(key_id)


class InMemoryActivityRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.staged = _Staged(store.activities)

    def add(self, activity: Activity) -> None:
        self.staged.add(activity)

    def get(self, activity_id: str) -> Activity | None:
        return self.staged.get(activity_id)


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore, publisher: EventPublisher) -> None:
        self._store = store
        self._publisher = publisher

    def __enter__(self) -> Self:
        self.customers = InMemoryCustomerRepository(self._store)
        self.users = InMemoryUserRepository(self._store)
        self.api_keys = InMemoryApiKeyRepository(self._store)
        self.customer_lookup = InMemoryCustomerLookup(self._store)
        self.activities = InMemoryActivityRepository(self._store)
        self.tracked_events = InMemoryTrackedEventLog(self._store)
        self.timeline = InMemoryTimeline(self._store)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        staged = self._staged()
        with self._store.lock:
            for collection in staged:
                collection.check_versions()
            self.customers.check_unique_emails()
            self.tracked_events.check()
            events = _take_events(
                [*self.customers.staged.seen.values(), *self.activities.staged.seen.values()]
            )
            for collection in staged:
                collection.write_back()
            self.tracked_events.write_back()
            self.timeline.write_back()
            self._store.outbox.extend(events)
        self._forget_staged()
        self._publisher.publish(events)

    def rollback(self) -> None:
        self._forget_staged()

    def _forget_staged(self) -> None:
        for collection in self._staged():
            collection.clear()
        self.tracked_events.clear()
        self.timeline.clear()

    def _staged(self) -> tuple[_Staged[Any], ...]:
        return (
            self.customers.staged,
            self.users.staged,
            self.api_keys.staged,
            self.activities.staged,
        )


def _take_events(aggregates: Collection[_Recording]) -> list[DomainEvent]:
    events = [event for aggregate in aggregates for event in aggregate.events]
    for aggregate in aggregates:
        aggregate.events.clear()
    events.sort(key=lambda event: event.occurred_at)
    return events
