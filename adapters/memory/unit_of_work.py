"""A unit of work over plain dictionaries, with the transaction semantics of the SQL one."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from adapters.memory.store import InMemoryStore
from application.errors import AlreadyTaken, StaleVersion
from application.ports import EventPublisher
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.customers import Customer, EmailAddress, ExternalId
from domain.events import DomainEvent
from domain.orders import Order


class _Identified(Protocol):
    id: str


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

    def find_by_emails(self, emails: Collection[EmailAddress]) -> dict[EmailAddress, str]:
        wanted = set(emails)
        return {
            c.email: c.id
            for c in self._store.customers.values()
            if c.email in wanted and c.email is not None and not c.is_archived
        }

    def find_by_external_ids(self, external_ids: Collection[ExternalId]) -> dict[ExternalId, str]:
        wanted = set(external_ids)
        return {
            external_id: customer.id
            for customer in self._store.customers.values()
            for external_id in customer.external_ids & wanted
        }

    def check_unique_external_ids(self) -> None:
        """Mirror of the SQL adapter's primary key on (source, external id)."""
        owners = {
            external_id: customer.id
            for customer in self._store.customers.values()
            if customer.id not in self.staged.seen
            for external_id in customer.external_ids
        }
        for customer in self.staged.seen.values():
            for external_id in customer.external_ids:
                if owners.setdefault(external_id, customer.id) != customer.id:
                    raise AlreadyTaken("externalIds", f"another customer is {external_id}")

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


class InMemoryOrderRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = _Staged(store.orders)

    def add(self, order: Order) -> None:
        self.staged.add(order)

    def add_many(self, orders: Sequence[Order]) -> None:
        for order in orders:
            self.staged.add(order)

    def get(self, order_id: str) -> Order | None:
        return self.staged.get(order_id)

    def external_ids_in_use(self, external_ids: Collection[str]) -> set[str]:
        wanted = set(external_ids)
        return {o.external_id for o in self._store.orders.values() if o.external_id in wanted}

    def reassign(self, from_customer_ids: Collection[str], to_customer_id: str) -> int:
        moved = 0
        for order_id, stored in list(self._store.orders.items()) + [
            (o.id, o) for o in self.staged.seen.values()
        ]:
            if stored.customer_id in from_customer_ids:
                order = self.get(order_id)
                if order is not None and order.customer_id in from_customer_ids:
                    order.customer_id = to_customer_id
                    moved += 1
        return moved

    def check_unique_external_ids(self) -> None:
        owners = {
            o.external_id: o.id
            for o in self._store.orders.values()
            if o.external_id and o.id not in self.staged.seen
        }
        for order in self.staged.seen.values():
            if order.external_id and owners.setdefault(order.external_id, order.id) != order.id:
                raise AlreadyTaken("externalId", "another order has this external id")


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore, publisher: EventPublisher) -> None:
        self._store = store
        self._publisher = publisher

    def __enter__(self) -> Self:
        self.customers = InMemoryCustomerRepository(self._store)
        self.users = InMemoryUserRepository(self._store)
        self.api_keys = InMemoryApiKeyRepository(self._store)
        self.orders = InMemoryOrderRepository(self._store)
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
            self.customers.check_unique_external_ids()
            self.orders.check_unique_external_ids()
            events = _take_events(
                [*self.customers.staged.seen.values(), *self.orders.staged.seen.values()]
            )
            for collection in staged:
                collection.write_back()
            self._store.outbox.extend(events)
        for collection in staged:
            collection.clear()
        self._publisher.publish(events)

    def flush(self) -> None:
        """Nothing to send: every check runs against the staged state at commit."""

    def rollback(self) -> None:
        for collection in self._staged():
            collection.clear()

    def _staged(self) -> tuple[_Staged[Any], ...]:
        return (
            self.customers.staged,
            self.users.staged,
            self.api_keys.staged,
            self.orders.staged,
        )


def _take_events(aggregates: Collection[Customer | Order]) -> list[DomainEvent]:
    events = [event for aggregate in aggregates for event in aggregate.events]
    for aggregate in aggregates:
        aggregate.events.clear()
    events.sort(key=lambda event: event.occurred_at)
    return events
