"""Repositories over a SQLAlchemy session; the unit of work owns the session."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from adapters.persistence.mapping import customer_row
from adapters.persistence.tables import customers, users
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.customers import Customer, EmailAddress


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
