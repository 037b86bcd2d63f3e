"""Working out who a user is when they act: their role, and the records they reach."""

from __future__ import annotations

import threading
from collections import OrderedDict

from attrs import field, frozen

from application.access.ports import AccessReader
from application.principal import Principal
from domain.access.roles import (
    BUILT_IN_ROLES,
    OWNED_RESOURCES,
    RoleDefinition,
    Scope,
)
from domain.access.user import User
from domain.access.visibility import Reach, Visibility


@frozen
class RoleCatalogue:
    """Role definitions by key: stored ones first, then the built-in defaults."""

    reader: AccessReader

    def get(self, key: str) -> RoleDefinition | None:
        return self.reader.role(key) or BUILT_IN_ROLES.get(key)

    def all(self) -> list[RoleDefinition]:
        stored = {role.key: role for role in self.reader.roles()}
        return [
            *(stored.get(key, role) for key, role in BUILT_IN_ROLES.items()),
            *(role for key, role in stored.items() if key not in BUILT_IN_ROLES),
        ]


ReachKey = tuple[int, str, str, str | None, str | None]
"""The access version, the user's id, role and team, and the key's role."""

REACHES_KEPT = 4096
"""How many users' and keys' reaches one process keeps."""


class ReachCache:
    """Roles and reaches worked out at some access version, most recently used kept.

    An entry is found only by the version it was worked out at: once any change to who
    reaches what moves the version, every process works each reach out afresh.
    """

    def __init__(self, size: int = REACHES_KEPT) -> None:
        self._size = size
        self._entries: OrderedDict[ReachKey, tuple[RoleDefinition, Reach]] = OrderedDict()
        # Requests authenticate on several threads (server loop, worker loops, jobs).
        self._lock = threading.Lock()

    def get(self, key: ReachKey) -> tuple[RoleDefinition, Reach] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: ReachKey, value: tuple[RoleDefinition, Reach]) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


@frozen
class ResolvePrincipal:
    """The principal a user acts as, with a key's role narrowing their own.

    Given the access version its credential was read at, the role and reach are kept in
    ``cache`` and used again until the version moves: they cost several queries.
    """

    reader: AccessReader
    cache: ReachCache = field(factory=ReachCache)

    def __call__(
        self,
        user: User,
        *,
        key_role: str | None = None,
        api_key_id: str | None = None,
        access_version: int | None = None,
    ) -> Principal | None:
        """``None`` when the user is inactive or their role no longer exists."""
        if not user.is_active:
            return None
        key: ReachKey | None = None
        if access_version is not None:
            key = (access_version, user.id, user.role, user.team_id, key_role)
        found = self.cache.get(key) if key is not None else None
        if found is None:
            role = self._role(user, key_role)
            if role is None:
                return None
            found = role, self.reach(user, role)
            if key is not None:
                self.cache.put(key, found)
        role, reach = found
        return Principal(
            actor_id=user.id,
            role=role,
            name=user.name,
            api_key_id=api_key_id,
            team_id=user.team_id,
            reach=reach,
        )

    def _role(self, user: User, key_role: str | None) -> RoleDefinition | None:
        catalogue = RoleCatalogue(self.reader)
        role = catalogue.get(user.role)
        if role is None or key_role is None:
            return role
        key_definition = catalogue.get(key_role)
        return None if key_definition is None else role.narrowed_by(key_definition)

    def reach(self, user: User, role: RoleDefinition) -> Reach:
        scoped = [resource for resource in OWNED_RESOURCES if role.scope(resource) is not Scope.ALL]
        if not scoped:
            return Reach()
        owners: dict[Scope, frozenset[str]] = {Scope.OWN: frozenset({user.id})}
        if any(role.scope(resource) is Scope.TEAM for resource in scoped):
            team = self.reader.team_member_ids(user.team_id) if user.team_id else frozenset()
            owners[Scope.TEAM] = frozenset({user.id}) | team | self.reader.report_ids(user.id)
        shared = self.reader.shared_with(user.id, user.team_id, scoped)
        return Reach(
            {
                resource: Visibility.owned_by(
                    owners[role.scope(resource)], shared.get(resource, frozenset())
                )
                for resource in scoped
            }
        )
