"""Users: who owns records and who is acting."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import USER
from application.access.ports import UserView


@strawberry.type(name="User", description="A person or integration that acts and owns records.")
class UserNode(Node):
    name: str = strawberry.field(description="The name to show.")
    email: str = strawberry.field(description="The user's email address; unique.")
    role: str = strawberry.field(
        description="The key of the user's role: `admin`, `sales_manager`, `sales_rep`, "
        "`marketer`, `support_agent`, `analyst` or a custom role's key."
    )
    active: bool = strawberry.field(description="False once the user is deactivated.")
    created_at: datetime = strawberry.field(description="When the user was created.")

    @classmethod
    def from_view(cls, view: UserView) -> UserNode:
        return cls(
            id=strawberry.ID(to_global_id(USER, view.id)),
            name=view.name,
            email=view.email,
            role=view.role,
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
