"""What the access use cases need from storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.pagination import SortKey
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


@frozen
class FoundUser:
    """A user as a request's credential lookup reads them.

    ``access_version`` moves with every committed change to who reaches what (record
    shares, stored roles, users' roles, teams and managers), so a reach worked out at one
    version holds for as long as the version does.
    """

    user: User
    access_version: int


@frozen
class FoundKey(FoundUser):
    """An API key and its user, as a request's credential lookup reads them."""

    key: ApiKey


class CredentialReader(Protocol):
    """Read-only lookup of a key and its user, for authenticating every request."""

    def find(self, key_id: str) -> FoundKey | None: ...

    def user_by_email(self, email: EmailAddress) -> FoundUser | None:
        """The user an identity token's email claim names."""
        ...


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


class ApiKeyUsage(Protocol):
    def record_use(self, key_id: str, at: datetime) -> None:
        """Note that the key was presented at ``at``; an earlier time never overwrites a
        later one."""
        ...


@frozen
class ApiKeyView:
    """A key as administrators see it: never its secret or hash."""

    id: str
    user_id: str
    name: str
    role: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool
    """Neither revoked nor expired when read."""

    @classmethod
    def of(cls, key: ApiKey, *, at: datetime) -> ApiKeyView:
        return cls(
            id=key.id,
            user_id=key.user_id,
            name=key.name,
            role=key.role,
            created_at=key.created_at,
            expires_at=key.expires_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
            active=key.is_usable(at),
        )


@frozen
class ApiKeyFilter:
    """Which keys a list holds; all conditions hold. ``active`` is judged at ``at``."""

    at: datetime
    user_id: str | None = None
    active: bool | None = None

    def admits(self, key: ApiKey) -> bool:
        if self.user_id is not None and key.user_id != self.user_id:
            return False
        return self.active is None or key.is_usable(self.at) == self.active


class ApiKeyReader(Protocol):
    """Keys newest first (``created_at`` then id, both descending), a page at a time."""

    def slice(
        self,
        where: ApiKeyFilter,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[ApiKeyView]: ...

    def count(self, where: ApiKeyFilter) -> int: ...

    def get_many(self, ids: Iterable[str], *, at: datetime) -> Mapping[str, ApiKeyView]: ...
