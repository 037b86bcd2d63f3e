"""What the access use cases need from storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from domain.access.api_key import ApiKey
from domain.access.roles import Resource, RoleDefinition
from domain.access.sharing import RecordShare
from domain.access.team import Team
from domain.access.user import User
from domain.customers import EmailAddress


@frozen
class UserView:
    id: str
    name: str
    email: str
    role: str
    created_at: datetime
    active: bool
    team_id: str | None = None
    manager_id: str | None = None

    @classmethod
    def from_user(cls, user: User) -> UserView:
        return cls(
            user.id,
            user.name,
            user.email.value,
            user.role,
            user.created_at,
            user.is_active,
            user.team_id,
            user.manager_id,
        )


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...

    def get(self, user_id: str) -> User | None: ...

    def get_by_email(self, email: EmailAddress) -> User | None: ...


class ApiKeyRepository(Protocol):
    def add(self, key: ApiKey) -> None: ...

    def get(self, key_id: str) -> ApiKey | None: ...


class TeamRepository(Protocol):
    def add(self, team: Team) -> None: ...

    def get(self, team_id: str) -> Team | None: ...

    def get_by_name(self, name: str) -> Team | None: ...


class RoleRepository(Protocol):
    """Stored roles: custom ones, and built-in ones whose reach or rules were changed."""

    def put(self, role: RoleDefinition) -> None: ...

    def get(self, key: str) -> RoleDefinition | None: ...


class ShareRepository(Protocol):
    def add(self, share: RecordShare) -> None: ...

    def remove(
        self, resource: Resource, record_id: str, *, user_id: str | None, team_id: str | None
    ) -> bool:
        """Remove the share; ``False`` if there was none."""
        ...


class UserReader(Protocol):
    def get_many(self, ids: Iterable[str]) -> Mapping[str, UserView]: ...


class CredentialReader(Protocol):
    """Read-only lookup of a key and its user, for authenticating every request."""

    def find(self, key_id: str) -> tuple[ApiKey, User] | None: ...


class AccessReader(Protocol):
    """What working out a principal's reach reads, once per request."""

    def role(self, key: str) -> RoleDefinition | None:
        """The stored definition of ``key``, or ``None`` to use the built-in one."""
        ...

    def roles(self) -> Sequence[RoleDefinition]:
        """Every stored role definition."""
        ...

    def team_member_ids(self, team_id: str) -> frozenset[str]: ...

    def report_ids(self, manager_id: str) -> frozenset[str]:
        """Everyone who reports to ``manager_id``, directly or through others."""
        ...

    def shared_with(
        self, user_id: str, team_id: str | None, resources: Iterable[Resource]
    ) -> Mapping[Resource, frozenset[str]]:
        """The ids of records of each kind shared with the user or their team."""
        ...

    def teams(self) -> Sequence[Team]: ...

    def users(self) -> Sequence[UserView]:
        """Every user, by name."""
        ...

    def owner_of(self, resource: Resource, record_id: str) -> tuple[bool, str | None]:
        """Whether the record exists, and who owns it."""
        ...
