"""A unit of work over plain dictionaries, with the transaction semantics of the SQL one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import TracebackType
from typing import Any, Protocol, Self

from adapters.memory.behaviour import InMemoryTrackedEventLog
from adapters.memory.companies import InMemoryCompanyRepository
from adapters.memory.custom_fields import InMemoryCustomFieldDefinitionRepository
from adapters.memory.customer_lookup import InMemoryCustomerLookup
from adapters.memory.lifecycle import InMemoryLifecycleRepository
from adapters.memory.pipeline import (
    InMemoryAutomationRules,
    InMemoryLeadRepository,
    InMemoryOpportunityRepository,
    InMemoryPipelineRepository,
    InMemoryPurchases,
    InMemorySalesTeamRepository,
    InMemoryTaskRepository,
)
from adapters.memory.querying import values_in_use
from adapters.memory.scheduling import InMemoryTimers
from adapters.memory.segments import InMemorySegments
from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from adapters.memory.tags import InMemoryTags
from adapters.memory.timeline import InMemoryTimeline
from application.errors import AlreadyTaken
from application.ports import EventPublisher
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.activities import Activity
from domain.custom_fields import CustomValue, FieldType
from domain.customers import Customer, EmailAddress, ExternalId
from domain.events import DomainEvent
from domain.orders import Order


class InMemoryCustomerRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.customers)

    def add(self, customer: Customer) -> None:
        self.staged.add(customer)

    def add_many(self, customers: Sequence[Customer]) -> None:
        for customer in customers:
            self.staged.add(customer)

    def get(self, customer_id: str) -> Customer | None:
        return self.staged.get(customer_id)

    def get_many(self, customer_ids: Collection[str]) -> dict[str, Customer]:
        loaded = {customer_id: self.staged.get(customer_id) for customer_id in customer_ids}
        return {customer_id: c for customer_id, c in loaded.items() if c is not None}

    def get_by_email(self, email: EmailAddress) -> Customer | None:
        for customer in list(self.staged.seen.values()) + list(self._store.customers.values()):
            if customer.email == email and not customer.is_archived:
                return self.get(customer.id)
        return None

    def custom_values_in_use(
        self,
        key: str,
        field_type: FieldType,
        values: Collection[CustomValue],
        *,
        excluding: str | None = None,
    ) -> list[CustomValue]:
        records = ((c.id, c.is_archived, c.custom_fields) for c in self._store.customers.values())
        return values_in_use(records, key, field_type, values, excluding)

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
        self.staged = Staged(store.users)

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
        self.staged = Staged(store.api_keys)

    def add(self, key: ApiKey) -> None:
        self.staged.add(key)

    def get(self, key_id: str) -> ApiKey | None:
        return self.staged.get(key_id)


class InMemoryOrderRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.orders)

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


class InMemoryActivityRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.activities)

    def add(self, activity: Activity) -> None:
        self.staged.add(activity)

    def get(self, activity_id: str) -> Activity | None:
        return self.staged.get(activity_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        ids = {a.id for a in self._store.activities.values() if a.customer_id in duplicate_ids}
        ids |= {a.id for a in self.staged.seen.values() if a.customer_id in duplicate_ids}
        for activity_id in ids:
            activity = self.get(activity_id)
            if activity is not None:
                activity.customer_id = survivor_id
        return len(ids)


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore, publisher: EventPublisher) -> None:
        self._store = store
        self._publisher = publisher

    def __enter__(self) -> Self:
        self.customers = InMemoryCustomerRepository(self._store)
        self.companies = InMemoryCompanyRepository(self._store)
        self.custom_fields = InMemoryCustomFieldDefinitionRepository(self._store)
        self.users = InMemoryUserRepository(self._store)
        self.api_keys = InMemoryApiKeyRepository(self._store)
        self.orders = InMemoryOrderRepository(self._store)
        self.customer_lookup = InMemoryCustomerLookup(self._store)
        self.activities = InMemoryActivityRepository(self._store)
        self.tracked_events = InMemoryTrackedEventLog(self._store)
        self.timeline = InMemoryTimeline(self._store)
        self.tags = InMemoryTags(self._store)
        self.lifecycle = InMemoryLifecycleRepository(self._store)
        self.timers = InMemoryTimers(self._store)
        self.segments = InMemorySegments(self._store)
        self.pipelines = InMemoryPipelineRepository(self._store)
        self.opportunities = InMemoryOpportunityRepository(self._store)
        self.leads = InMemoryLeadRepository(self._store)
        self.sales_teams = InMemorySalesTeamRepository(self._store)
        self.tasks = InMemoryTaskRepository(self._store)
        self.automation_rules = InMemoryAutomationRules(self._store)
        self.purchases = InMemoryPurchases(self._store)
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
            self.custom_fields.check_unique_keys()
            self.tags.check()
            self.tasks.check()
            events = _take_events(
                [
                    *self.customers.staged.seen.values(),
                    *self.orders.staged.seen.values(),
                    *self.companies.staged.seen.values(),
                    *self.custom_fields.staged.seen.values(),
                    *self.activities.staged.seen.values(),
                    *self.lifecycle.seen.values(),
                    *self.opportunities.staged.seen.values(),
                    *self.leads.staged.seen.values(),
                    *self.tasks.staged.seen.values(),
                ],
                [*self.tags.take_events(), *self.segments.take_events()],
            )
            self.tracked_events.check()
            self.lifecycle.check()
            for collection in staged:
                collection.write_back()
            self.tracked_events.write_back()
            self.timeline.write_back()
            self.tags.write_back()
            self.lifecycle.write_back()
            self.timers.write_back()
            self.segments.write_back()
            self.pipelines.write_back()
            self.automation_rules.write_back()
            self._store.outbox.extend(events)
        self._forget_staged()
        self._publisher.publish(events)

    def flush(self) -> None:
        """Nothing to send: every check runs against the staged state at commit."""

    def rollback(self) -> None:
        self._forget_staged()

    def _forget_staged(self) -> None:
        for collection in self._staged():
            collection.clear()
        self.tracked_events.clear()
        self.timeline.clear()
        self.tags.clear()
        self.lifecycle.clear()
        self.timers.clear()
        self.segments.clear()
        self.pipelines.added.clear()
        self.automation_rules.saved.clear()

    def _staged(self) -> tuple[Staged[Any], ...]:
        return (
            self.customers.staged,
            self.companies.staged,
            self.custom_fields.staged,
            self.users.staged,
            self.api_keys.staged,
            self.orders.staged,
            self.activities.staged,
            self.opportunities.staged,
            self.leads.staged,
            self.sales_teams.staged,
            self.tasks.staged,
        )


class _Recorder(Protocol):
    events: list[DomainEvent]


def _take_events(
    aggregates: Collection[_Recorder], recorded: Sequence[DomainEvent] = ()
) -> list[DomainEvent]:
    events = [event for aggregate in aggregates for event in aggregate.events]
    events.extend(recorded)
    for aggregate in aggregates:
        aggregate.events.clear()
    events.sort(key=lambda event: event.occurred_at)
    return events
