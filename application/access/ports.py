"""What the access use cases need from storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from attrs import frozen

from domain.access.api_key import ApiKey
from domain.access.roles import Role
from domain.access.user import User
from domain.customers import EmailAddress


@frozen
class UserView:
    id: str
    name: str
    email: str
    role: Role
    created_at: datetime
    active: bool

    @classmethod
    def from_user(cls, user: User) -> UserView:
        return cls(user.id, user.name, user.email.value, user.role, user.created_at, user.is_active)


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...

    def get(self, user_id: str) -> User | None: ...

    def get_by_email(self, email: EmailAddress) -> User | None: ...


class ApiKeyRepository(Protocol):
    def add(self, key: ApiKey) -> None: ...

    def get(self, key_id: str) -> ApiKey | None: ...


class UserReader(Protocol):
    def get_many(self, ids: Iterable[str]) -> Mapping[str, UserView]: ...


class CredentialReader(Protocol):
    """Read-only lookup of a key and its user, for authenticating every request."""

    def find(self, key_id: str) -> tuple[ApiKey, User] | None: ...
