"""Who may see and who may reassign a deal, lead or task, as the pipeline's use cases ask.

A record outside the actor's visibility is refused exactly like a missing one; handing a
record to someone else is a permission of its own.
"""

from __future__ import annotations

from application.errors import NotFound
from application.principal import Principal
from domain.access.roles import Permission, Resource, Scope

ASSIGN = {
    Resource.DEALS: Permission.ASSIGN_DEALS,
    Resource.LEADS: Permission.ASSIGN_LEADS,
    Resource.TASKS: Permission.ASSIGN_TASKS,
}


def require_visible(
    actor: Principal,
    resource: Resource,
    owner_id: str | None,
    record_id: str,
    *,
    field: str,
    message: str,
) -> None:
    """Refuse a record the actor may not see with the ``NotFound`` of a missing one."""
    if not actor.visibility(resource).admits(owner_id, record_id):
        raise NotFound(field, message)


def require_assign(actor: Principal, resource: Resource, owner_id: str) -> None:
    """Creating a record for anyone but oneself needs the resource's ``assign`` permission."""
    if owner_id != actor.actor_id:
        actor.require(ASSIGN[resource])


def require_reassign(actor: Principal, resource: Resource, owner_id: str, new_owner: str) -> None:
    """Changing a record's owner needs the ``assign`` permission, even to take it oneself:
    otherwise whoever may edit a record could take it from a colleague."""
    if new_owner != owner_id:
        actor.require(ASSIGN[resource])


def owns_what_it_creates(actor: Principal, resource: Resource) -> bool:
    """Whether what the actor creates is theirs by default: a user whose scope is not
    ``ALL`` could not see a record given to someone else."""
    return actor.user_id is not None and actor.role.scope(resource) is not Scope.ALL
