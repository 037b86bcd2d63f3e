"""Users: who owns records and who is acting."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import USER
from application.access.ports import UserView
from domain.access.roles import Role

_roles: type[Enum] = Enum(  # type: ignore[misc]
    "UserRole",
    {
        role.name: strawberry.enum_value(role.value, description=description)
        for role, description in (
            (Role.ADMIN, "Every permission there is."),
            (Role.MANAGER, "Every record, archiving, custom fields, lifecycle and segments."),
            (Role.AGENT, "Reads and writes customers, companies, orders and activities."),
            (Role.VIEWER, "Reads customers, companies and orders."),
        )
    },
)
UserRole = strawberry.enum(_roles, description="What a user may do.")


@strawberry.type(name="User", description="A person or integration that acts and owns records.")
class UserNode(Node):
    name: str = strawberry.field(description="The name to show.")
    email: str = strawberry.field(description="The user's email address; unique.")
    role: UserRole = strawberry.field(  # type: ignore[valid-type]
        description="What the user may do."
    )
    active: bool = strawberry.field(description="False once the user is deactivated.")
    created_at: datetime = strawberry.field(description="When the user was created.")

    @classmethod
    def from_view(cls, view: UserView) -> UserNode:
        return cls(
            id=strawberry.ID(to_global_id(USER, view.id)),
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

    @strawberry.field(
        description="One user by id; null when there is none.", extensions=[QueryErrors()]
    )
    async def user(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The user's global id.")],
    ) -> UserNode | None:
        return await load_user(info, local_id(id, USER, field="id"))


PART = SchemaPart(
    queries=(AccessQuery,),
    types=(UserNode,),
    nodes={USER: load_user},
)
