"""Working out who a user is when they act: their role, and the records they reach."""

from __future__ import annotations

from attrs import frozen

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


@frozen
class ResolvePrincipal:
    """The principal a user acts as, with a key's role narrowing their own."""

    reader: AccessReader

    def __call__(
        self, user: User, *, key_role: str | None = None, api_key_id: str | None = None
    ) -> Principal | None:
        """``None`` when the user is inactive or their role no longer exists."""
        if not user.is_active:
            return None
        catalogue = RoleCatalogue(self.reader)
        role = catalogue.get(user.role)
        if role is None:
            return None
        if key_role is not None:
            key_definition = catalogue.get(key_role)
            if key_definition is None:
                return None
            role = role.narrowed_by(key_definition)
        return Principal(
            actor_id=user.id,
            role=role,
            name=user.name,
            api_key_id=api_key_id,
            team_id=user.team_id,
            reach=self.reach(user, role),
        )

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
