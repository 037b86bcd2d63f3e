"""Repositories over a SQLAlchemy session; the unit of work owns the session."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from adapters.persistence.custom_field_sql import CustomFieldSql
from adapters.persistence.mapping import customer_row
from adapters.persistence.tables import customers, users
from application.custom_fields.criteria import FieldCondition, Operator
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.custom_fields import CustomValue, FieldType
from domain.custom_fields.values import comparable
from domain.customers import Customer, EmailAddress


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
    def __init__(self, session: Session) -> None:
        self._session = session
        self.seen: list[Customer] = []

    def add(self, customer: Customer) -> None:
        self._session.add(customer)
        self.seen.append(customer)

    def add_many(self, new_customers: Sequence[Customer]) -> None:
        if new_customers:
            self._session.execute(insert(customers), [customer_row(c) for c in new_customers])
            self.seen.extend(new_customers)

    def get(self, customer_id: str) -> Customer | None:
        customer = self._session.get(Customer, customer_id)
        if customer is not None:
            self.seen.append(customer)
        return customer

    def get_by_email(self, email: EmailAddress) -> Customer | None:
        customer = self._session.scalars(
            select(Customer).where(customers.c.email == email, customers.c.archived_at.is_(None))
        ).first()
        if customer is not None:
            self.seen.append(customer)
        return customer

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


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: User) -> None:
        self._session.add(user)
        # Keys refer to users with no ORM relationship between them, so the ORM cannot
        # order their inserts; writing the user now keeps foreign keys satisfied.
        self._session.flush()

    def get(self, user_id: str) -> User | None:
        return self._session.get(User, user_id)

    def get_by_email(self, email: EmailAddress) -> User | None:
        return self._session.scalars(select(User).where(users.c.email == email)).first()


class SqlApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, key: ApiKey) -> None:
        self._session.add(key)

    def get(self, key_id: str) -> ApiKey | None:
        return self._session.get(ApiKey, key_id)
