"""The acting principal: who is asking, and what they may do."""

from __future__ import annotations

from attrs import frozen

from application.errors import Forbidden
from domain.access.roles import Permission, Role

SYSTEM_ACTOR_ID = "system"


@frozen
class Principal:
    """Every use case receives one; it is recorded as the actor of every change."""

    actor_id: str
    role: Role
    name: str
    api_key_id: str | None = None

    @classmethod
    def system(cls) -> Principal:
        """Rapport itself, acting for jobs, migrations and the command line."""
        return cls(actor_id=SYSTEM_ACTOR_ID, role=Role.ADMIN, name="Rapport")

    def require(self, permission: Permission) -> None:
        if not self.role.allows(permission):
            raise Forbidden(f"the {self.role.value} role may not {permission.value}")
