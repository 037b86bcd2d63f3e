"""Tags in the API: the type, the catalogue as a connection, ``Customer.tags`` and its history."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import CustomFieldOperator, enum_value
from adapters.graphql.errors import QueryErrors
from adapters.graphql.listing import DirectionInput
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.segment_rules import described_enum
from adapters.graphql.type_names import AUTO_TAG_RULE, TAG
from application.pagination import PageRequest
from application.tags.bundle import Tags
from application.tags.conditions import (
    AutoTagRule,
    EventCondition,
    FieldsCondition,
    TagCondition,
)
from application.tags.views import TagFilter, TagOrder, TagSortField, TagView
from domain.tags import TagCategory, TagChange

TagCategoryValue = described_enum(
    TagCategory,
    "TagCategory",
    "What a tag says about a customer.",
    {
        "STATIC": "A fact about the customer, put on by hand or by import.",
        "BEHAVIOUR": "Something the customer does, such as events they trigger.",
        "TRANSACTION": "Something about the customer's orders and spending.",
        "MARKETING_RESPONSE": "How the customer responds to campaigns.",
    },
)

_FIRST = "How many items from the start (or after `after`); at most 100, 20 when neither first nor last is given."
_AFTER = "The cursor of the item the page starts after."
_LAST = "How many items from the end (or before `before`); at most 100."
_BEFORE = "The cursor of the item the page ends before."
PageFirst = Annotated[int | None, strawberry.argument(description=_FIRST)]
PageAfter = Annotated[str | None, strawberry.argument(description=_AFTER)]
PageLast = Annotated[int | None, strawberry.argument(description=_LAST)]
PageBefore = Annotated[str | None, strawberry.argument(description=_BEFORE)]
"""The Relay arguments of every connection of tags, segments and lifecycle, described."""


@strawberry.type(name="Tag", description="A label from the catalogue that customers carry.")
class TagNode(Node):
    name: str = strawberry.field(description="Unique, ignoring case.")
    colour: str = strawberry.field(description="#RRGGBB, upper-case.")
    category: TagCategoryValue = strawberry.field(  # type: ignore[valid-type]
        description="What the tag says about the customers carrying it."
    )
    description: str = strawberry.field(description="What the tag means; may be empty.")
    created_at: datetime = strawberry.field(description="When the tag was added to the catalogue.")
    version: int = strawberry.field(
        description="Grows with every change; give it to updateTag to change the tag."
    )

    @classmethod
    def from_view(cls, view: TagView) -> TagNode:
        return cls(
            id=strawberry.ID(to_global_id(TAG, view.id)),
            name=view.name,
            colour=view.colour,
            category=TagCategoryValue[view.category.name],
            description=view.description,
            created_at=view.created_at,
            version=view.version,
        )


@strawberry.type(name="TagEdge", description="A tag in a page of the catalogue.")
class TagEdge(Edge[TagNode]):
    pass


@strawberry.type(name="TagConnection", description="A page of the catalogue of tags.")
class TagConnection(Connection[TagNode]):
    edges: list[TagEdge] = strawberry.field(  # type: ignore[assignment]
        description="The tags of this page, in order."
    )
    edge_type = TagEdge
    filter: strawberry.Private[TagFilter] = TagFilter()

    @strawberry.field(description="How many tags the filter admits, over every page.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Tags).list.count(context.principal, self.filter)


@strawberry.enum(name="TagOrderField", description="What lists of tags are ordered by.")
class TagOrderField(Enum):
    NAME = strawberry.enum_value("name", description="The name, ignoring case.")
    CREATED_AT = strawberry.enum_value(
        "created_at", description="When the tag was added to the catalogue."
    )


@strawberry.input(name="TagOrder", description="How a list of tags is ordered.")
class TagOrderInput(DirectionInput):
    field: TagOrderField = strawberry.field(
        default=TagOrderField.NAME, description="What the tags are ordered by."
    )

    def to_order(self) -> TagOrder:
        return TagOrder(
            field=TagSortField(enum_value(self.field)),
            descending=self.descending,
        )


@strawberry.input(name="TagFilter", description="Which tags a list holds; all conditions hold.")
class TagFilterInput:
    categories: list[TagCategoryValue] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Tags of any of these categories; null for every category."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Tags whose name holds this text, ignoring case."
    )

    def to_filter(self) -> TagFilter:
        categories = self.categories
        return TagFilter(
            categories=(
                None
                if categories is None
                else frozenset(TagCategory(enum_value(c)) for c in categories)
            ),
            name_contains=self.name_contains,
        )


@strawberry.type(name="TagChange", description="A tag put on, or taken off, a customer.")
class TagChangeNode:
    added: bool = strawberry.field(description="False when the tag was taken off.")
    occurred_at: datetime = strawberry.field(description="When the change was made.")
    tag_id: strawberry.ID = strawberry.field(description="The global id of the tag.")
    local_tag_id: strawberry.Private[str]
    tag_name: str = strawberry.field(description="The tag's name now.")
    rule_id: strawberry.ID | None = strawberry.field(
        description="The auto-tag rule that made the change; null when a person did."
    )
    actor_id: strawberry.Private[str]
    local_rule_id: strawberry.Private[str | None] = None

    @classmethod
    def from_change(cls, change: TagChange) -> TagChangeNode:
        return cls(
            added=change.added,
            occurred_at=change.occurred_at,
            tag_id=strawberry.ID(to_global_id(TAG, change.tag_id)),
            local_tag_id=change.tag_id,
            tag_name=change.tag_name,
            rule_id=(
                strawberry.ID(to_global_id(AUTO_TAG_RULE, change.rule_id))
                if change.rule_id
                else None
            ),
            actor_id=change.actor_id,
            local_rule_id=change.rule_id,
        )

    @strawberry.field(
        description="The auto-tag rule that made the change; null when a person did or the "
        "rule is gone."
    )
    async def rule(
        self, info: Info
    ) -> Annotated[AutoTagRuleNode, strawberry.lazy("adapters.graphql.tag_mutations")] | None:
        if self.local_rule_id is None:
            return None
        found = await info.context.loaders.auto_tag_rules.load(self.local_rule_id)
        if found is None:
            return None
        return AutoTagRuleNode.from_rule(found)

    @strawberry.field(
        description="Who made the change; null when Rapport itself did (rules, jobs)."
    )
    async def actor(self, info: Info) -> UserNode | None:
        return await load_user(info, self.actor_id)

    @strawberry.field(description="The tag put on or taken off, as it is now.")
    async def tag(self, info: Info) -> TagNode | None:
        view = await info.context.loaders.tags.load(self.local_tag_id)
        return None if view is None else TagNode.from_view(view)


@strawberry.type(
    name="TagChangeEdge", description="A change in a page of a customer's tag history."
)
class TagChangeEdge(Edge[TagChangeNode]):
    pass


@strawberry.type(
    name="TagChangeConnection", description="A page of a customer's tag history, newest first."
)
class TagChangeConnection(Connection[TagChangeNode]):
    edges: list[TagChangeEdge] = strawberry.field(  # type: ignore[assignment]
        description="The changes of this page, newest first."
    )
    edge_type = TagChangeEdge
    customer_id: strawberry.Private[str] = ""

    @strawberry.field(description="How many changes the customer's tag history holds.")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.tag_history_counts.load(self.customer_id) or 0


@strawberry.type(
    name="AutoTagFieldCondition", description="A condition on one custom field's value."
)
class AutoTagFieldCondition:
    key: str = strawberry.field(description="The custom field's key.")
    op: CustomFieldOperator = strawberry.field(description="What is asked of the value.")
    value: JSON | None = strawberry.field(
        description="A value of the field's type; a list for IN; null for IS_SET."
    )


@strawberry.type(
    name="AutoTagEventCondition",
    description="Did the event at least atLeast times in the last days UTC days.",
)
class AutoTagEventCondition:
    name: str = strawberry.field(description="The tracked event's name.")
    at_least: int = strawberry.field(description="How many times, at least.")
    days: int = strawberry.field(description="Over how many UTC days, today included.")


@strawberry.type(
    name="AutoTagRule", description="While a customer meets the condition, they carry the tag."
)
class AutoTagRuleNode(Node):
    custom_fields: list[AutoTagFieldCondition] | None = strawberry.field(
        description="Conditions on custom field values that all hold; null for an event rule."
    )
    event: AutoTagEventCondition | None = strawberry.field(
        description="The condition on tracked events; null for a custom field rule."
    )
    created_at: datetime = strawberry.field(description="When the rule was made.")
    enabled: bool = strawberry.field(
        description="Whether the auto-tag job applies the rule; a disabled rule's tags stay."
    )
    version: int = strawberry.field(
        description="Grows with every change; give it to updateAutoTagRule to change the rule."
    )
    tag_id: strawberry.Private[str]

    @classmethod
    def from_rule(cls, rule: AutoTagRule) -> AutoTagRuleNode:
        return cls(
            id=strawberry.ID(to_global_id(AUTO_TAG_RULE, rule.id)),
            custom_fields=_field_conditions(rule.condition),
            event=_event_condition(rule.condition),
            created_at=rule.created_at,
            enabled=rule.enabled,
            version=rule.version,
            tag_id=rule.tag_id,
        )

    @strawberry.field(description="The tag the rule puts on.")
    async def tag(self, info: Info) -> TagNode | None:
        # Through the request's DataLoader: one query for a whole page of rules.
        view = await info.context.loaders.tags.load(self.tag_id)
        return None if view is None else TagNode.from_view(view)


def _field_conditions(condition: TagCondition) -> list[AutoTagFieldCondition] | None:
    if not isinstance(condition, FieldsCondition):
        return None
    return [
        AutoTagFieldCondition(
            key=c.key, op=CustomFieldOperator[c.op.name], value=cast(JSON, c.value)
        )
        for c in condition.conditions
    ]


def _event_condition(condition: TagCondition) -> AutoTagEventCondition | None:
    if not isinstance(condition, EventCondition):
        return None
    frequency = condition.frequency
    return AutoTagEventCondition(
        name=frequency.name, at_least=frequency.at_least, days=frequency.days
    )


def fetch_rule(info: Info, rule_id: str) -> AutoTagRuleNode | None:
    context = info.context
    found = context.services.use(Tags).list_rules.get_many(context.principal, [rule_id])
    rule = found.get(rule_id)
    return None if rule is None else AutoTagRuleNode.from_rule(rule)


def fetch_tag(info: Info, tag_id: str) -> TagNode | None:
    context = info.context
    view = context.services.use(Tags).get(context.principal, [tag_id]).get(tag_id)
    return TagNode.from_view(view) if view else None


@strawberry.type
class CustomerTags:
    """``Customer.tags`` and ``Customer.tagHistory``."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The tags the customer carries, by name: a plain list, as the catalogue "
        "bounds it."
    )
    async def tags(self, info: Info) -> list[TagNode]:
        # Through the request's DataLoader: one query for a whole list of customers.
        views = await info.context.loaders.customer_tags.load(self.id_local)
        return [TagNode.from_view(view) for view in views or ()]

    @strawberry.field(
        description="Tags put on and taken off this customer, newest first.",
        extensions=[QueryErrors()],
    )
    async def tag_history(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
    ) -> TagChangeConnection:
        context = info.context
        request = PageRequest(first, after, last, before)
        request.size  # noqa: B018 - refuses a page size out of range before any loading
        if after is None and last is None and before is None:
            # First pages through a DataLoader: one query for a whole list of customers.
            page = await context.loaders.tag_history_pages.load((self.id_local, first))
        else:
            page = context.services.use(Tags).get.history_page(
                context.principal, self.id_local, request
            )
        return TagChangeConnection.from_page(
            page, TagChangeNode.from_change, customer_id=self.id_local
        )


@strawberry.type
class TagQuery:
    @strawberry.field(
        description="The catalogue of tags, by name ignoring case unless orderBy says otherwise.",
        extensions=[QueryErrors()],
    )
    def tags(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
        filter: Annotated[
            TagFilterInput | None, strawberry.argument(description="Which tags to list.")
        ] = None,
        order_by: Annotated[
            TagOrderInput | None, strawberry.argument(description="How to order them.")
        ] = None,
    ) -> TagConnection:
        context = info.context
        criteria = filter.to_filter() if filter else TagFilter()
        page = context.services.use(Tags).list(
            context.principal,
            PageRequest(first, after, last, before),
            criteria,
            order_by.to_order() if order_by else TagOrder(),
        )
        return TagConnection.from_page(page, TagNode.from_view, filter=criteria)

    @strawberry.field(
        description="One tag by its id; null if none has it.", extensions=[QueryErrors()]
    )
    def tag(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The tag's global id.")],
    ) -> TagNode | None:
        return fetch_tag(info, local_id(id, TAG, field="id"))


PART = SchemaPart(
    queries=(TagQuery,),
    customer_fields=(CustomerTags,),
    nodes={TAG: fetch_tag},
)
