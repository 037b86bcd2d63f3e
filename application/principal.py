"""The acting principal: who is asking, and what they may do, reach and see."""

from __future__ import annotations

from attrs import field, frozen

from application.errors import Forbidden
from domain.access.roles import (
    FieldAccess,
    Permission,
    Resource,
    Role,
    RoleDefinition,
    as_role,
)
from domain.access.visibility import FULL_REACH, Reach, Visibility

SYSTEM_ACTOR_ID = "system"


@frozen
class Principal:
    """Every use case receives one; it is recorded as the actor of every change.

    ``actor_id`` is the acting user's id (or ``system``); ``reach`` holds which owned
    records they may see, worked out from their role, team, reports and shares when they
    authenticated.
    """

    actor_id: str
    role: RoleDefinition = field(converter=as_role)
    name: str
    api_key_id: str | None = None
    team_id: str | None = None
    reach: Reach = FULL_REACH

    @classmethod
    def system(cls) -> Principal:
        """Rapport itself, acting for jobs, migrations and the command line."""
        return cls(actor_id=SYSTEM_ACTOR_ID, role=Role.ADMIN, name="Rapport")

    @property
    def is_system(self) -> bool:
        return self.actor_id == SYSTEM_ACTOR_ID

    @property
    def user_id(self) -> str | None:
        """The acting user, or ``None`` for Rapport itself."""
        return None if self.is_system else self.actor_id

    def may(self, permission: Permission) -> bool:
        return self.role.allows(permission)

    def require(self, permission: Permission) -> None:
        if not self.role.allows(permission):
            raise Forbidden(f"the {self.role.key} role may not {permission.value}")

    def visibility(self, resource: Resource) -> Visibility:
        """Which records of ``resource`` this actor may see; readers apply it."""
        return self.reach.of(resource)

    def field_access(self, resource: Resource, field_name: str) -> FieldAccess:
        return self.role.field_access(resource, field_name)

    def sees_field(self, resource: Resource, field_name: str) -> bool:
        """Whether the field's value (not a mask of it) may be read, filtered or sorted by."""
        return self.role.field_access(resource, field_name).readable
