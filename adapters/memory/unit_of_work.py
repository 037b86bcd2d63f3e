"""A unit of work over plain dictionaries, with the transaction semantics of the SQL one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import TracebackType
from typing import Self

from adapters.memory.access import (
    InMemoryRoleRepository,
    InMemoryShareRepository,
    InMemoryTeamRepository,
)
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
from adapters.memory.transaction import InMemoryTransaction
from adapters.transaction import repository
from application.errors import AlreadyTaken
from application.ports import EventPublisher
from application.unit_of_work import UnitOfWork
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.activities import Activity
from domain.custom_fields import CustomValue, FieldType
from domain.customers import Customer, EmailAddress, ExternalId
from domain.orders import Order


class InMemoryCustomerRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.customers)
        transaction.checks(self.check_unique_emails)
        transaction.checks(self.check_unique_external_ids)

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


def _reach_of(user: User) -> tuple[object, ...]:
    """What of a user decides what they and others reach; their name and email do not."""
    return (user.role, user.team_id, user.manager_id, user.deactivated_at)


class InMemoryUserRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        # Registered before the staging, so it compares with the store before write-back.
        transaction.stages(write_back=self._note_access_changes, clear=lambda: None)
        self.staged = Staged(transaction, self._store.users)

    def _note_access_changes(self) -> None:
        committed = self._store.users
        if any(
            user_id not in committed or _reach_of(committed[user_id]) != _reach_of(user)
            for user_id, user in self.staged.seen.items()
        ):
            self._store.access_changed()

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
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self.staged = Staged(transaction, transaction.store.api_keys)

    def add(self, key: ApiKey) -> None:
        self.staged.add(key)

    def get(self, key_id: str) -> ApiKey | None:
        return self.staged.get(key_id)


class InMemoryOrderRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.orders)
        transaction.checks(self.check_unique_external_ids)

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
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.activities)

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
    """Each repository is built from the transaction's store when first used."""

    customers = repository(InMemoryCustomerRepository)
    companies = repository(InMemoryCompanyRepository)
    custom_fields = repository(InMemoryCustomFieldDefinitionRepository)
    users = repository(InMemoryUserRepository)
    api_keys = repository(InMemoryApiKeyRepository)
    teams = repository(InMemoryTeamRepository)
    roles = repository(InMemoryRoleRepository)
    record_shares = repository(InMemoryShareRepository)
    orders = repository(InMemoryOrderRepository)
    customer_lookup = repository(InMemoryCustomerLookup)
    activities = repository(InMemoryActivityRepository)
    tracked_events = repository(InMemoryTrackedEventLog)
    timeline = repository(InMemoryTimeline)
    tags = repository(InMemoryTags)
    lifecycle = repository(InMemoryLifecycleRepository)
    timers = repository(InMemoryTimers)
    segments = repository(InMemorySegments)
    pipelines = repository(InMemoryPipelineRepository)
    opportunities = repository(InMemoryOpportunityRepository)
    leads = repository(InMemoryLeadRepository)
    sales_teams = repository(InMemorySalesTeamRepository)
    tasks = repository(InMemoryTaskRepository)
    automation_rules = repository(InMemoryAutomationRules)
    purchases = repository(InMemoryPurchases)

    def __init__(self, store: InMemoryStore, publisher: EventPublisher) -> None:
        self._store = store
        self._publisher = publisher

    def __enter__(self) -> Self:
        self.transaction = InMemoryTransaction(self._store)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        with self._store.lock:
            # Every check runs before anything is written: a failed one writes nothing.
            self.transaction.check()
            events = self.transaction.take_events()
            self.transaction.write_back()
            self._store.outbox.extend(events)
        self.transaction.clear()
        self._publisher.publish(events)

    def flush(self) -> None:
        """Nothing to send: every check runs against the staged state at commit."""

    def rollback(self) -> None:
        self.transaction.clear()


def _keeps_the_protocol(unit: InMemoryUnitOfWork) -> UnitOfWork:
    """Never called: here the type checker compares the class with the protocol."""
    return unit
