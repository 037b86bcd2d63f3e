"""Record-level visibility in use cases: a record outside the actor's reach is missing.

Readers take the actor's ``Visibility`` and apply it in their queries; use cases that
load one record by id for a change ask here, so an invisible record is refused with the
very error a missing one gets and the actor learns nothing of it.
"""

from __future__ import annotations

from application.errors import Forbidden, NotFound
from application.principal import Principal
from domain.access.roles import Permission, Resource


def is_visible(actor: Principal, resource: Resource, owner_id: str | None, record_id: str) -> bool:
    return actor.visibility(resource).admits(owner_id, record_id)


def require_visible(
    actor: Principal,
    resource: Resource,
    owner_id: str | None,
    record_id: str,
    *,
    field: str,
    message: str,
) -> None:
    """Refuse a record the actor may not see as ``NotFound(field, message)``: the same
    error the caller raises for a record that does not exist."""
    if not is_visible(actor, resource, owner_id, record_id):
        raise NotFound(field, message)


def require_assignable(
    actor: Principal, permission: Permission, owner_id: str, *, current_owner_id: str | None
) -> None:
    """Giving a record to someone other than its current owner (or, for a new record, to
    someone other than the actor) needs ``permission`` (``ASSIGN_<kind>``)."""
    if owner_id == (current_owner_id if current_owner_id is not None else actor.actor_id):
        return
    if not actor.may(permission):
        raise Forbidden(f"the {actor.role.key} role may not {permission.value}")
