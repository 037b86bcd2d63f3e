"""Tags in the API: the type, the catalogue as a connection, and ``Customer.tags``."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, to_global_id
from adapters.graphql.type_names import AUTO_TAG_RULE, TAG
from application.pagination import PageRequest
from application.tags.bundle import Tags
from application.tags.views import TagView
from domain.tags import TagCategory, TagChange

MAX_HISTORY = 100

_categories: type[Enum] = Enum(  # type: ignore[misc]
    "TagCategory", {category.name: category.value for category in TagCategory}
)
TagCategoryValue = strawberry.enum(_categories, description="What a tag says about a customer.")


@strawberry.type(name="Tag", description="A label from the catalogue that customers carry.")
class TagNode(Node):
    name: str = strawberry.field(description="Unique, ignoring case.")
    colour: str = strawberry.field(description="#RRGGBB, upper-case.")
    category: TagCategoryValue  # type: ignore[valid-type]
    description: str
    created_at: datetime

    @classmethod
    def from_view(cls, view: TagView) -> TagNode:
        return cls(
            id=strawberry.ID(to_global_id(TAG, view.id)),
            name=view.name,
            colour=view.colour,
            category=TagCategoryValue[view.category.name],
            description=view.description,
            created_at=view.created_at,
        )


@strawberry.type(name="TagConnection")
class TagConnection(Connection[TagNode]):
    @strawberry.field(description="How many tags the catalogue holds.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Tags).list.count(context.principal)


@strawberry.type(name="TagChange", description="A tag put on, or taken off, a customer.")
class TagChangeNode:
    added: bool = strawberry.field(description="False when the tag was taken off.")
    occurred_at: datetime
    tag_id: strawberry.ID
    tag_name: str = strawberry.field(description="The tag's name now.")
    rule_id: strawberry.ID | None = strawberry.field(
        description="The auto-tag rule that made the change; null when a person did."
    )
    actor_id: strawberry.Private[str]

    @classmethod
    def from_change(cls, change: TagChange) -> TagChangeNode:
        return cls(
            added=change.added,
            occurred_at=change.occurred_at,
            tag_id=strawberry.ID(to_global_id(TAG, change.tag_id)),
            tag_name=change.tag_name,
            rule_id=(
                strawberry.ID(to_global_id(AUTO_TAG_RULE, change.rule_id))
                if change.rule_id
                else None
            ),
            actor_id=change.actor_id,
        )

    @strawberry.field(
        description="Who made the change; null when Rapport itself did (rules, jobs)."
    )
    async def actor(self, info: Info) -> UserNode | None:
        return await load_user(info, self.actor_id)


def fetch_tag(info: Info, tag_id: str) -> TagNode | None:
    context = info.context
    view = context.services.use(Tags).get(context.principal, [tag_id]).get(tag_id)
    return TagNode.from_view(view) if view else None


@strawberry.type
class CustomerTags:
    """``Customer.tags`` and ``Customer.tagHistory``."""

    id_local: strawberry.Private[str]

    @strawberry.field(description="The tags the customer carries, by name.")
    async def tags(self, info: Info) -> list[TagNode]:
        # Through the request's DataLoader: one query for a whole list of customers.
        views = await info.context.loaders.customer_tags.load(self.id_local)
        return [TagNode.from_view(view) for view in views or ()]

    @strawberry.field(
        description="Tags put on and taken off this customer, newest first (at most 100).",
        extensions=[QueryErrors()],
    )
    def tag_history(self, info: Info, first: int = 20) -> list[TagChangeNode]:
        context = info.context
        changes = context.services.use(Tags).get.history(context.principal, self.id_local)
        return [TagChangeNode.from_change(c) for c in changes[: max(0, min(first, MAX_HISTORY))]]


@strawberry.type
class TagQuery:
    @strawberry.field(
        description="The catalogue of tags by name, ignoring case.", extensions=[QueryErrors()]
    )
    def tags(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TagConnection:
        context = info.context
        page = context.services.use(Tags).list(
            context.principal, PageRequest(first, after, last, before)
        )
        return TagConnection.from_page(page, TagNode.from_view)


PART = SchemaPart(
    queries=(TagQuery,),
    customer_fields=(CustomerTags,),
    nodes={TAG: fetch_tag},
)
