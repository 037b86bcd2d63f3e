"""API keys through the API (admins only): the list, one key, creating and revoking."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.tags import PageAfter, PageBefore, PageFirst, PageLast
from adapters.graphql.type_names import API_KEY, USER
from application.access.bundle import Access
from application.access.ports import ApiKeyFilter, ApiKeyView
from application.pagination import PageRequest


@strawberry.type(
    name="ApiKey",
    description="A bearer credential that acts for a user; its secret is never shown again.",
)
class ApiKeyNode(Node):
    name: str = strawberry.field(description="A label for the key, such as what uses it.")
    role_key: str = strawberry.field(
        description="The key of the role the key acts with; never more than its user's role."
    )
    created_at: datetime = strawberry.field(description="When the key was created.")
    expires_at: datetime | None = strawberry.field(
        description="When the key stops working; null for a key that never expires."
    )
    last_used_at: datetime | None = strawberry.field(
        description="When a request last presented the key, to within a minute; null if never."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When the key was revoked; null while it is not."
    )
    active: bool = strawberry.field(
        description="True while the key is neither revoked nor expired."
    )
    user_local: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: ApiKeyView) -> ApiKeyNode:
        return cls(
            id=strawberry.ID(to_global_id(API_KEY, view.id)),
            name=view.name,
            role_key=view.role,
            created_at=view.created_at,
            expires_at=view.expires_at,
            last_used_at=view.last_used_at,
            revoked_at=view.revoked_at,
            active=view.active,
            user_local=view.user_id,
        )

    @strawberry.field(description="The user the key acts for.")
    async def user(self, info: Info) -> UserNode | None:
        return await load_user(info, self.user_local)


@strawberry.type(name="ApiKeyEdge", description="An API key in a page of keys.")
class ApiKeyEdge(Edge[ApiKeyNode]):
    pass


@strawberry.type(name="ApiKeyConnection", description="A page of API keys, newest first.")
class ApiKeyConnection(Connection[ApiKeyNode]):
    edges: list[ApiKeyEdge] = strawberry.field(  # type: ignore[assignment]
        description="The keys of this page, newest first."
    )
    edge_type = ApiKeyEdge
    where: strawberry.Private[ApiKeyFilter]

    @strawberry.field(description="How many keys the filter admits, over every page.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Access).api_keys.count(context.principal, self.where)


@strawberry.input(name="ApiKeyFilter", description="Which API keys a list holds; all hold.")
class ApiKeyFilterInput:
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the keys of this user (a global id)."
    )
    active: bool | None = strawberry.field(
        default=None,
        description="True for keys that work now, false for revoked or expired ones; null "
        "for both.",
    )


_KEY_ID = "The global id of the API key."


@strawberry.input(description="A new API key.")
class CreateApiKeyInput:
    role: str = strawberry.field(
        description="The key of the role the key acts with; a new user gets this role too."
    )
    user_email: str = strawberry.field(
        description="The user the key acts for; a user with this email is created if new."
    )
    name: str = strawberry.field(default="api key", description="A label for the key.")
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the key stops working, in the future; null for never.",
    )


@strawberry.input(description="The API key to revoke.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description=_KEY_ID)


@strawberry.type(description="The result of createApiKey.")
class CreateApiKeyPayload:
    api_key: ApiKeyNode | None = strawberry.field(
        default=None, description="The new key; null when nothing was created."
    )
    token: str | None = strawberry.field(
        default=None,
        description="The bearer token, shown this once: only a hash of it is kept.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was done; empty on success."
    )


@strawberry.type(description="The result of revokeApiKey.")
class RevokeApiKeyPayload:
    api_key: ApiKeyNode | None = strawberry.field(
        default=None, description="The key, revoked; null when nothing was done."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why nothing was done: NOT_FOUND for no such key, ALREADY_REVOKED for a "
        "key revoked before.",
    )


def fetch_api_key(info: Info, key_id: str) -> ApiKeyNode | None:
    context = info.context
    view = context.services.use(Access).api_keys.get(context.principal, key_id)
    return ApiKeyNode.from_view(view) if view is not None else None


@strawberry.type
class ApiKeyQuery:
    @strawberry.field(
        description="Every API key, newest first (admins only).", extensions=[QueryErrors()]
    )
    def api_keys(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
        filter: Annotated[
            ApiKeyFilterInput | None, strawberry.argument(description="Only keys that match.")
        ] = None,
    ) -> ApiKeyConnection:
        context = info.context
        given = filter or ApiKeyFilterInput()
        user_id = local_id(given.user_id, USER, field="filter.userId") if given.user_id else None
        listing = context.services.use(Access).api_keys
        where = listing.filter(context.principal, user_id=user_id, active=given.active)
        page = listing(context.principal, PageRequest(first, after, last, before), where)
        return ApiKeyConnection.from_page(page, ApiKeyNode.from_view, where=where)

    @strawberry.field(
        description="One API key; null when there is none (admins only).",
        extensions=[QueryErrors()],
    )
    def api_key(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=_KEY_ID)],
    ) -> ApiKeyNode | None:
        return fetch_api_key(info, local_id(id, API_KEY, field="id"))


@strawberry.type
class ApiKeyMutation:
    @strawberry.mutation(
        description="Create an API key for a user; the payload shows its token once (admins only).",
        extensions=[UserErrors()],
    )
    def create_api_key(
        self,
        info: Info,
        input: Annotated[CreateApiKeyInput, strawberry.argument(description="The key.")],
    ) -> CreateApiKeyPayload:
        context = info.context
        access = context.services.use(Access)
        issued = access.issue_api_key(
            context.principal,
            role=input.role,
            name=input.name,
            user_email=input.user_email,
            expires_at=input.expires_at,
        )
        view = access.api_keys.get(context.principal, issued.key_id)
        return CreateApiKeyPayload(
            api_key=ApiKeyNode.from_view(view) if view is not None else None,
            token=issued.token,
        )

    @strawberry.mutation(
        description="Revoke an API key: every request presenting it is refused from now on, "
        "in every server process (admins only).",
        extensions=[UserErrors()],
    )
    def revoke_api_key(
        self,
        info: Info,
        input: Annotated[RevokeApiKeyInput, strawberry.argument(description="The key.")],
    ) -> RevokeApiKeyPayload:
        context = info.context
        view = context.services.use(Access).revoke_api_key(
            context.principal, local_id(input.id, API_KEY, field="id")
        )
        return RevokeApiKeyPayload(api_key=ApiKeyNode.from_view(view))


PART = SchemaPart(
    queries=(ApiKeyQuery,),
    mutations=(ApiKeyMutation,),
    types=(ApiKeyNode,),
    nodes={API_KEY: fetch_api_key},
)
