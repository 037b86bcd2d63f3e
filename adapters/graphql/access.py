"""Users: who owns records and who is acting."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, to_global_id
from adapters.graphql.type_names import USER
from application.access.ports import UserView
from domain.access.roles import Role

_roles: type[Enum] = Enum("UserRole", {role.name: role.value for role in Role})  # type: ignore[misc]
UserRole = strawberry.enum(_roles, description="What a user may do.")


@strawberry.type(name="User", description="A person or integration that acts and owns records.")
class UserNode(Node):
    name: str
    email: str
    role: UserRole  # type: ignore[valid-type]
    active: bool
    created_at: datetime

    @classmethod
    def from_view(cls, view: UserView) -> UserNode:
        return cls(
            id=strawberry.ID(to_global_id("User", view.id)),
            name=view.name,
            email=view.email,
            role=UserRole[view.role.name],
            active=view.active,
            created_at=view.created_at,
        )


async def load_user(info: Info, user_id: str) -> UserNode | None:
    view = await info.context.loaders.users.load(user_id)
    return UserNode.from_view(view) if view else None


@strawberry.type
class AccessQuery:
    @strawberry.field(description="The user behind the API key of this request.")
    async def viewer(self, info: Info) -> UserNode | None:
        return await load_user(info, info.context.principal.actor_id)


PART = SchemaPart(
    queries=(AccessQuery,),
    types=(UserNode,),
    nodes={USER: load_user},
)
