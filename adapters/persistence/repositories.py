"""Repositories over a SQLAlchemy session; the unit of work owns the session."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    Table,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from adapters.persistence.bulk import insert_rows
from adapters.persistence.custom_field_sql import CustomFieldSql
from adapters.persistence.integrity import conflicts_as_taken
from adapters.persistence.mapping import CUSTOMER_COLUMNS, customer_values
from adapters.persistence.tables import customer_external_ids, customers, users
from adapters.persistence.transaction import SqlTransaction
from application.custom_fields.criteria import FieldCondition, Operator
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.custom_fields import CustomValue, FieldType
from domain.custom_fields.values import comparable
from domain.customers import Customer, EmailAddress, ExternalId

T = TypeVar("T")


def custom_values_in_use(
    session: Session,
    table: Table,
    key: str,
    field_type: FieldType,
    values: Collection[CustomValue],
    excluding: str | None,
) -> list[CustomValue]:
    """Which of ``values`` active rows of ``table`` other than ``excluding`` hold for ``key``.

    On PostgreSQL, writers of the same unique field queue here until the first commits, so
    that two transactions cannot both find a value free and both store it. SQLite's
    writers are serialised already.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        digest = hashlib.sha256(f"{table.name}.{key}".encode()).digest()
        lock = int.from_bytes(digest[:8], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(lock)))
    if not values:
        return []
    wanted = tuple(comparable(field_type, value) for value in values)
    condition = CustomFieldSql(dialect).condition(
        table.c.custom_fields, FieldCondition(key, Operator.IN, wanted, field_type)
    )
    query = select(table.c.custom_fields).where(condition, table.c.archived_at.is_(None))
    if excluding is not None:
        query = query.where(table.c.id != excluding)
    return [document[key] for document in session.scalars(query)]


class SqlCustomerRepository:
    """The ORM keeps the customer's columns; its external ids are synchronised by hand."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._stored_external_ids: dict[str, frozenset[ExternalId]] = {}
        self._pending: list[Customer] = []
        transaction.writes(self)

    def add(self, customer: Customer) -> None:
        self._session.add(customer)
        self._track(customer, frozenset())

    def add_many(self, new_customers: Sequence[Customer]) -> None:
        # Written on flush, in one statement per table, so errors surface at commit.
        self._pending.extend(new_customers)
        for customer in new_customers:
            self._track(customer, customer.external_ids)
        # Written at once: rows that other repositories add in this transaction refer to them.
        with conflicts_as_taken():
            self._write_pending()

    def get(self, customer_id: str) -> Customer | None:
        return self._loaded(self._session.get(Customer, customer_id))

    def get_many(self, customer_ids: Collection[str]) -> dict[str, Customer]:
        found: dict[str, Customer] = {}
        table = customer_external_ids
        for chunk in _chunks(sorted(customer_ids)):
            loaded = list(self._session.scalars(select(Customer).where(customers.c.id.in_(chunk))))
            fresh = [c for c in loaded if c.id not in self._stored_external_ids]
            owned: dict[str, set[ExternalId]] = {c.id: set() for c in fresh}
            if fresh:
                rows = self._session.execute(
                    select(table.c.source, table.c.external_id, table.c.customer_id).where(
                        table.c.customer_id.in_(list(owned))
                    )
                )
                for row in rows:
                    owned[row.customer_id].add(ExternalId(row.source, row.external_id))
            for customer in fresh:
                customer.external_ids = frozenset(owned[customer.id])
                self._track(customer, customer.external_ids)
            found.update({customer.id: customer for customer in loaded})
        return found

    def get_by_email(self, email: EmailAddress) -> Customer | None:
        return self._loaded(
            self._session.scalars(
                select(Customer).where(
                    customers.c.email == email, customers.c.archived_at.is_(None)
                )
            ).first()
        )

    def find_by_emails(self, emails: Collection[EmailAddress]) -> dict[EmailAddress, str]:
        found: dict[EmailAddress, str] = {}
        for chunk in _chunks(list(emails)):
            rows = self._session.execute(
                select(customers.c.email, customers.c.id).where(
                    self._one_of(customers.c.email, [email.value for email in chunk]),
                    customers.c.archived_at.is_(None),
                )
            )
            found.update({row.email: row.id for row in rows})
        return found

    def find_by_external_ids(self, external_ids: Collection[ExternalId]) -> dict[ExternalId, str]:
        # One IN list per source uses the primary key on both databases; a list of
        # (source, value) pairs makes PostgreSQL plan thousands of OR branches.
        found: dict[ExternalId, str] = {}
        table = customer_external_ids
        by_source: dict[str, list[str]] = {}
        for identity in external_ids:
            by_source.setdefault(identity.source, []).append(identity.value)
        for source, values in sorted(by_source.items()):
            for chunk in _chunks(values):
                rows = self._session.execute(
                    select(table.c.external_id, table.c.customer_id).where(
                        table.c.source == source, self._one_of(table.c.external_id, chunk)
                    )
                )
                found.update({ExternalId(source, r.external_id): r.customer_id for r in rows})
        return found

    def _write_pending(self) -> None:
        if not self._pending:
            return
        dialect = self._session.get_bind().dialect.name
        rows = (customer_values(customer, dialect) for customer in self._pending)
        insert_rows(self._session, customers, CUSTOMER_COLUMNS, rows)
        identities = [(i.source, i.value, c.id) for c in self._pending for i in c.external_ids]
        insert_rows(
            self._session,
            customer_external_ids,
            ("source", "external_id", "customer_id"),
            identities,
        )
        self._pending.clear()

    def flush(self) -> None:
        """Write changed external ids; the ORM writes the customers' own columns."""
        table = customer_external_ids
        self._write_pending()
        for customer in self._transaction.seen(Customer):
            stored = self._stored_external_ids[customer.id]
            if customer.external_ids == stored:
                continue
            # A customer's first insert must precede rows that refer to it.
            self._session.flush()
            added = customer.external_ids - stored
            removed = stored - customer.external_ids
            if added:
                self._session.execute(
                    insert(table),
                    [
                        {"source": i.source, "external_id": i.value, "customer_id": customer.id}
                        for i in added
                    ],
                )
            for identity in removed:
                self._session.execute(
                    delete(table).where(
                        table.c.source == identity.source, table.c.external_id == identity.value
                    )
                )
            self._stored_external_ids[customer.id] = customer.external_ids

    def _one_of(self, column: ColumnElement[Any], values: list[str]) -> ColumnElement[bool]:
        """``column IN (values)``; on PostgreSQL ``= ANY(array)``, one parameter however many
        values, which saves it planning thousands of parameters on every batch."""
        if self._session.get_bind().dialect.name == "postgresql":
            return column == any_(bindparam(None, values, type_=ARRAY(String)))
        return column.in_(values)

    def _loaded(self, customer: Customer | None) -> Customer | None:
        if customer is None or customer.id in self._stored_external_ids:
            return customer
        table = customer_external_ids
        rows = self._session.execute(
            select(table.c.source, table.c.external_id).where(table.c.customer_id == customer.id)
        )
        customer.external_ids = frozenset(ExternalId(r.source, r.external_id) for r in rows)
        self._track(customer, customer.external_ids)
        return customer

    def _track(self, customer: Customer, stored: frozenset[ExternalId]) -> None:
        self._stored_external_ids[customer.id] = stored
        self._transaction.saw(customer)

    def custom_values_in_use(
        self,
        key: str,
        field_type: FieldType,
        values: Collection[CustomValue],
        *,
        excluding: str | None = None,
    ) -> list[CustomValue]:
        return custom_values_in_use(self._session, customers, key, field_type, values, excluding)

    def emails_in_use(self, emails: Collection[EmailAddress]) -> set[EmailAddress]:
        if not emails:
            return set()
        found = self._session.scalars(
            select(customers.c.email).where(
                customers.c.email.in_(list(emails)), customers.c.archived_at.is_(None)
            )
        )
        return {email for email in found if email is not None}


def _chunks(items: list[T], size: int = 5000) -> list[list[T]]:
    # Bounded IN lists: one batch of a file can name tens of thousands of keys.
    return [items[start : start + size] for start in range(0, len(items), size)]


class SqlUserRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session

    def add(self, user: User) -> None:
        self._session.add(self._transaction.saw(user))
        # Keys refer to users with no ORM relationship between them, so the ORM cannot
        # order their inserts; writing the user now keeps foreign keys satisfied.
        self._session.flush()

    def get(self, user_id: str) -> User | None:
        return self._transaction.saw(self._session.get(User, user_id))

    def get_by_email(self, email: EmailAddress) -> User | None:
        query = select(User).where(users.c.email == email)
        return self._transaction.saw(self._session.scalars(query).first())


class SqlApiKeyRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session

    def add(self, key: ApiKey) -> None:
        self._session.add(self._transaction.saw(key))

    def get(self, key_id: str) -> ApiKey | None:
        return self._transaction.saw(self._session.get(ApiKey, key_id))
