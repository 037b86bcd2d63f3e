"""Tags in the API: the type, the catalogue as a connection, and tags of customers."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.errors import query_error
from adapters.graphql.relay import Node, PageInfo, to_global_id
from application.pagination import Edge, Page, PageRequest
from application.tags.bundle import Tags
from application.tags.views import TagView
from domain.errors import DomainError
from domain.tags import TagCategory, TagChange

AUTO_TAG_RULE = "AutoTagRule"
MAX_HISTORY = 100

TAG = "Tag"

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


@strawberry.type(name="TagEdge")
class TagEdge:
    node: TagNode
    edge: strawberry.Private[Edge[TagView]]

    @strawberry.field(description="Where this tag stands in the list, for after/before.")
    def cursor(self) -> str:
        return self.edge.cursor


@strawberry.type(name="TagConnection")
class TagConnection:
    edges: list[TagEdge]
    page_info: PageInfo

    @strawberry.field(description="How many tags the catalogue holds.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Tags).list.count(context.principal)

    @classmethod
    def from_page(cls, page: Page[TagView]) -> TagConnection:
        return cls(
            edges=[TagEdge(node=TagNode.from_view(e.node), edge=e) for e in page.edges],
            page_info=PageInfo.from_page(page),  # type: ignore[arg-type]
        )


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


def tag_history_of(info: Info, customer_id: str, first: int) -> list[TagChangeNode]:
    context = info.context
    try:
        changes = context.services.use(Tags).get.history(context.principal, customer_id)
    except DomainError as error:
        raise query_error(error) from None
    return [TagChangeNode.from_change(c) for c in changes[: max(0, min(first, MAX_HISTORY))]]


def fetch_tag(info: Info, tag_id: str) -> TagNode | None:
    context = info.context
    try:
        view = context.services.use(Tags).get(context.principal, [tag_id]).get(tag_id)
    except DomainError as error:
        raise query_error(error) from None
    return TagNode.from_view(view) if view else None


async def tags_of_customer(info: Info, customer_id: str) -> list[TagNode]:
    """A customer's tags through the request's DataLoader: one query for a whole list."""
    views = await info.context.loaders.customer_tags.load(customer_id)
    return [TagNode.from_view(view) for view in views or ()]


@strawberry.type
class TagQuery:
    @strawberry.field(description="The catalogue of tags by name, ignoring case.")
    def tags(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TagConnection:
        context = info.context
        try:
            page = context.services.use(Tags).list(
                context.principal, PageRequest(first, after, last, before)
            )
        except DomainError as error:
            raise query_error(error) from None
        return TagConnection.from_page(page)
