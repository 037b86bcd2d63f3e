"""A user: a person or an integration that acts in Rapport and owns records."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from domain.access.roles import Role
from domain.customers.contact import EmailAddress
from domain.text import clean_line


@define(slots=False, eq=False)
class User:
    id: str
    name: str
    email: EmailAddress
    role: Role
    created_at: datetime
    deactivated_at: datetime | None = None

    @classmethod
    def register(cls, *, id: str, name: str, email: EmailAddress, role: Role, at: datetime) -> User:
        return cls(
            id=id,
            name=clean_line(name, field="name", max_length=200),
            email=email,
            role=role,
            created_at=at,
        )

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None
