"""Changing tags through the API: the catalogue, and tagging customers in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Self

import strawberry

from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import (
    CustomFieldCondition,
    enum_value,
    to_conditions,
)
from adapters.graphql.errors import QueryErrors, UserError, UserErrors, input_error
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import MalformedId, local_id, local_ids
from adapters.graphql.tags import (
    AutoTagRuleNode,
    PageAfter,
    PageBefore,
    PageFirst,
    PageLast,
    TagCategoryValue,
    TagNode,
    fetch_rule,
)
from adapters.graphql.type_names import AUTO_TAG_RULE, CUSTOMER, TAG
from application.errors import InvalidInput
from application.pagination import PageRequest
from application.tags.bundle import Tags
from application.tags.commands import NewTag, TagPatch, TagResult
from application.tags.conditions import (
    EventCondition,
    FieldsCondition,
    TagCondition,
)
from application.tags.rules import RulePatch
from domain.access.roles import Permission
from domain.behaviour import EventFrequency
from domain.errors import ErrorCode
from domain.tags import TagCategory


@strawberry.input(description="A new tag for the catalogue.")
class CreateTagInput:
    name: str = strawberry.field(description="Unique, ignoring case; at most 50 characters.")
    colour: str = strawberry.field(description="#RRGGBB.")
    category: TagCategoryValue = strawberry.field(
        default=TagCategoryValue.STATIC,
        description="What the tag says about a customer.",
    )
    description: str = strawberry.field(default="", description="What the tag means.")


@strawberry.type(description="The result of createTag.")
class CreateTagPayload:
    tag: TagNode | None = strawberry.field(default=None, description="The new tag.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was created; empty on success."
    )


@strawberry.input(description="What to change on a tag; fields left out stay as they are.")
class UpdateTagInput:
    id: strawberry.ID = strawberry.field(description="The tag's global id.")
    version: int = strawberry.field(
        description="The version the change was based on; another is STALE_VERSION."
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new name, unique ignoring case; not null."
    )
    colour: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new colour, #RRGGBB; not null."
    )
    category: TagCategoryValue | None = strawberry.field(
        default=strawberry.UNSET, description="A new category; not null."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )

    def to_patch(self) -> TagPatch:
        for field in ("name", "colour", "category"):
            if getattr(self, field) is None:
                raise InvalidInput(
                    field, ErrorCode.REQUIRED, "cannot be null; leave it out to keep it"
                )
        unset = strawberry.UNSET
        category = self.category
        return TagPatch(
            tag_id=local_id(self.id, TAG, field="id"),
            expected_version=self.version,
            name=None if self.name is unset else self.name,
            colour=None if self.colour is unset else self.colour,
            category=None if category is unset else TagCategory(enum_value(category)),
            description=(None if self.description is unset else (self.description or "")),
        )


@strawberry.type(description="The result of updateTag.")
class UpdateTagPayload:
    tag: TagNode | None = strawberry.field(default=None, description="The tag as changed.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was changed; empty on success."
    )


@strawberry.input(
    description="Customers and tags: every tag is put on or taken off every customer."
)
class TagCustomersInput:
    customer_ids: list[strawberry.ID] = strawberry.field(
        description="At most 10,000 customers; every one must exist and be active."
    )
    tag_ids: list[strawberry.ID] = strawberry.field(description="At most 100 tags, by global id.")


@strawberry.input(
    description="Customers and tags: every tag is taken off every customer that carries it."
)
class UntagCustomersInput(TagCustomersInput):
    pass


@strawberry.type(description="How many customer-tag pairs a bulk change changed.")
class TagCount:
    changed_count: int = strawberry.field(
        default=0, description="Customer-tag pairs changed; pairs already as asked are not."
    )
    unchanged_count: int = strawberry.field(
        default=0, description="Customer-tag pairs that were already as asked."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was changed; empty on success."
    )

    @classmethod
    def from_result(cls, result: TagResult) -> Self:
        return cls(changed_count=result.changed, unchanged_count=result.unchanged)


@strawberry.type(description="The result of tagCustomers.")
class TagCustomersPayload(TagCount):
    pass


@strawberry.type(description="The result of untagCustomers.")
class UntagCustomersPayload(TagCount):
    pass


def _local_ids(
    ids: Sequence[strawberry.ID], type_name: str, field: str
) -> tuple[list[str], list[UserError]]:
    found: list[str] = []
    errors: list[UserError] = []
    for index, global_id in enumerate(ids):
        try:
            found.append(local_id(global_id, type_name))
        except MalformedId:
            errors += input_error(
                f"{field}.{index}", ErrorCode.INVALID_ID, f"is not the id of a {type_name}"
            )
    return found, errors


def _parse(
    input: TagCustomersInput | UntagCustomersInput,
) -> tuple[list[str], list[str], list[UserError]]:
    customers, customer_errors = _local_ids(input.customer_ids, CUSTOMER, "customerIds")
    tags, tag_errors = _local_ids(input.tag_ids, TAG, "tagIds")
    return customers, tags, (customer_errors + tag_errors)[:20]


@strawberry.type(name="AutoTagRuleEdge", description="An auto-tag rule in a page of rules.")
class AutoTagRuleEdge(Edge[AutoTagRuleNode]):
    pass


@strawberry.type(name="AutoTagRuleConnection", description="A page of auto-tag rules.")
class AutoTagRuleConnection(Connection[AutoTagRuleNode]):
    edges: list[AutoTagRuleEdge] = strawberry.field(  # type: ignore[assignment]
        description="The rules of this page, oldest first."
    )
    edge_type = AutoTagRuleEdge
    tag_ids: strawberry.Private[frozenset[str] | None] = None
    enabled: strawberry.Private[bool | None] = None

    @strawberry.field(description="How many rules the filter admits, over every page.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Tags).list_rules.count(
            context.principal, tag_ids=self.tag_ids, enabled=self.enabled
        )


@strawberry.input(name="AutoTagRuleFilter", description="Which auto-tag rules a list holds.")
class AutoTagRuleFilterInput:
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Rules putting on any of these tags; null for every tag."
    )
    enabled: bool | None = strawberry.field(
        default=None, description="Only enabled (true) or disabled (false) rules; null for both."
    )


@strawberry.input(description="Did the event at least atLeast times in the last days UTC days.")
class EventConditionInput:
    name: str = strawberry.field(description="The tracked event's name.")
    at_least: int = strawberry.field(default=1, description="How many times, at least.")
    days: int = strawberry.field(default=30, description="Over how many UTC days, today included.")


@strawberry.input(description="A new auto-tag rule; give exactly one of customFields and event.")
class CreateAutoTagRuleInput:
    tag_id: strawberry.ID = strawberry.field(description="The tag the rule puts on.")
    custom_fields: list[CustomFieldCondition] | None = strawberry.field(
        default=None, description="Conditions on custom field values; all must hold."
    )
    event: EventConditionInput | None = strawberry.field(
        default=None, description="A condition on tracked events."
    )
    enabled: bool = strawberry.field(
        default=True, description="Whether the auto-tag job applies the rule."
    )


@strawberry.type(description="The result of createAutoTagRule.")
class CreateAutoTagRulePayload:
    rule: AutoTagRuleNode | None = strawberry.field(default=None, description="The new rule.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was created; empty on success."
    )


@strawberry.input(
    description="What to change on an auto-tag rule; fields left out stay as they are. Give "
    "at most one of customFields and event, to replace the condition."
)
class UpdateAutoTagRuleInput:
    id: strawberry.ID = strawberry.field(description="The rule's global id.")
    version: int = strawberry.field(
        description="The version the change was based on; another is STALE_VERSION."
    )
    tag_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Another tag to put on, not null; the tags the rule put on stay, as if "
        "a person had put them on.",
    )
    custom_fields: list[CustomFieldCondition] | None = strawberry.field(
        default=None, description="A new condition on custom field values; all must hold."
    )
    event: EventConditionInput | None = strawberry.field(
        default=None, description="A new condition on tracked events."
    )
    enabled: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Switch the rule on or off, not null; its tags stay either way.",
    )


@strawberry.type(description="The result of updateAutoTagRule.")
class UpdateAutoTagRulePayload:
    rule: AutoTagRuleNode | None = strawberry.field(
        default=None, description="The rule as changed."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was changed; empty on success."
    )


def _condition(
    custom_fields: list[CustomFieldCondition] | None, event: EventConditionInput | None
) -> TagCondition:
    if (custom_fields is None) == (event is None):
        raise InvalidInput("event", ErrorCode.INVALID, "give exactly one of customFields and event")
    if event is not None:
        return EventCondition(EventFrequency(event.name, event.at_least, event.days))
    return FieldsCondition(to_conditions(custom_fields))


@strawberry.input(description="The auto-tag rule to delete.")
class DeleteAutoTagRuleInput:
    id: strawberry.ID = strawberry.field(description="The rule's global id.")
    remove_tags: bool = strawberry.field(
        default=False,
        description="Also take the tag off the customers this rule tagged; otherwise they "
        "keep it, as if a person had put it on.",
    )


@strawberry.type(description="The result of deleteAutoTagRule.")
class DeleteAutoTagRulePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of the deleted rule."
    )
    untagged_count: int = strawberry.field(
        default=0, description="How many customers lost the rule's tag (with removeTags)."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was deleted; empty on success."
    )


@strawberry.type
class AutoTagRuleQuery:
    @strawberry.field(description="Auto-tag rules, oldest first.", extensions=[QueryErrors()])
    def auto_tag_rules(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
        filter: Annotated[
            AutoTagRuleFilterInput | None,
            strawberry.argument(description="Which rules to list."),
        ] = None,
    ) -> AutoTagRuleConnection:
        context = info.context
        tag_ids = local_ids(filter.tag_ids, TAG, field="filter.tagIds") if filter else None
        enabled = filter.enabled if filter else None
        page = context.services.use(Tags).list_rules.page(
            context.principal,
            PageRequest(first, after, last, before),
            tag_ids=tag_ids,
            enabled=enabled,
        )
        return AutoTagRuleConnection.from_page(
            page, AutoTagRuleNode.from_rule, tag_ids=tag_ids, enabled=enabled
        )

    @strawberry.field(
        description="One auto-tag rule by its id; null if none has it.",
        extensions=[QueryErrors()],
    )
    def auto_tag_rule(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The rule's global id.")],
    ) -> AutoTagRuleNode | None:
        return fetch_rule(info, local_id(id, AUTO_TAG_RULE, field="id"))


@strawberry.type
class TagMutation:
    @strawberry.mutation(
        description="Add a tag to the catalogue; its name must be new.", extensions=[UserErrors()]
    )
    def create_tag(
        self,
        info: Info,
        input: Annotated[CreateTagInput, strawberry.argument(description="The tag to add.")],
    ) -> CreateTagPayload:
        context = info.context
        new = NewTag(
            name=input.name,
            colour=input.colour,
            category=TagCategory(enum_value(input.category)),
            description=input.description,
        )
        view = context.services.use(Tags).create(context.principal, new)
        return CreateTagPayload(tag=TagNode.from_view(view))

    @strawberry.mutation(
        description="Change a tag's name, colour, category or description.",
        extensions=[UserErrors()],
    )
    def update_tag(
        self,
        info: Info,
        input: Annotated[
            UpdateTagInput, strawberry.argument(description="The tag and what to change.")
        ],
    ) -> UpdateTagPayload:
        context = info.context
        view = context.services.use(Tags).update(context.principal, input.to_patch())
        return UpdateTagPayload(tag=TagNode.from_view(view))

    @strawberry.mutation(
        description="Add an auto-tag rule; the hourly auto-tag job (or `rapport jobs run "
        "auto-tag`) applies it.",
        extensions=[UserErrors(requires=(Permission.MANAGE_TAGS,))],
    )
    def create_auto_tag_rule(
        self,
        info: Info,
        input: Annotated[
            CreateAutoTagRuleInput, strawberry.argument(description="The rule to add.")
        ],
    ) -> CreateAutoTagRulePayload:
        try:
            tag_id = local_id(input.tag_id, TAG)
        except MalformedId:
            return CreateAutoTagRulePayload(
                user_errors=input_error("tagId", ErrorCode.INVALID_ID, "is not the id of a Tag")
            )
        context = info.context
        tags = context.services.use(Tags)
        condition = _condition(input.custom_fields, input.event)
        rule = tags.define_rule(context.principal, tag_id, condition, enabled=input.enabled)
        return CreateAutoTagRulePayload(rule=AutoTagRuleNode.from_rule(rule))

    @strawberry.mutation(
        description="Change an auto-tag rule's tag, condition, or whether it runs.",
        extensions=[UserErrors()],
    )
    def update_auto_tag_rule(
        self,
        info: Info,
        input: Annotated[
            UpdateAutoTagRuleInput, strawberry.argument(description="The rule and what to change.")
        ],
    ) -> UpdateAutoTagRulePayload:
        context = info.context
        condition = None
        if input.custom_fields is not None and input.event is not None:
            raise InvalidInput(
                "event", ErrorCode.INVALID, "give at most one of customFields and event"
            )
        if input.custom_fields is not None or input.event is not None:
            condition = _condition(input.custom_fields, input.event)
        unset = strawberry.UNSET
        for field, value in (("tagId", input.tag_id), ("enabled", input.enabled)):
            if value is None:
                raise InvalidInput(
                    field, ErrorCode.REQUIRED, "cannot be null; leave it out to keep it"
                )
        patch = RulePatch(
            rule_id=local_id(input.id, AUTO_TAG_RULE, field="id"),
            expected_version=input.version,
            tag_id=None
            if input.tag_id is unset
            else local_id(str(input.tag_id), TAG, field="tagId"),
            condition=condition,
            enabled=None if input.enabled is unset else input.enabled,
        )
        rule = context.services.use(Tags).update_rule(context.principal, patch)
        return UpdateAutoTagRulePayload(rule=AutoTagRuleNode.from_rule(rule))

    @strawberry.mutation(
        description="Stop an auto-tag rule, and take its tags off if asked.",
        extensions=[UserErrors()],
    )
    def delete_auto_tag_rule(
        self,
        info: Info,
        input: Annotated[
            DeleteAutoTagRuleInput, strawberry.argument(description="The rule to delete.")
        ],
    ) -> DeleteAutoTagRulePayload:
        try:
            rule_id = local_id(input.id, AUTO_TAG_RULE)
        except MalformedId:
            return DeleteAutoTagRulePayload(
                user_errors=input_error("id", ErrorCode.INVALID_ID, "is not the id of a rule")
            )
        context = info.context
        untagged = context.services.use(Tags).delete_rule(
            context.principal, rule_id, remove_tags=input.remove_tags
        )
        return DeleteAutoTagRulePayload(deleted_id=input.id, untagged_count=untagged)

    @strawberry.mutation(
        description="Put every tag on every customer, all or nothing.", extensions=[UserErrors()]
    )
    def tag_customers(
        self,
        info: Info,
        input: Annotated[
            TagCustomersInput,
            strawberry.argument(description="The customers and the tags to put on them."),
        ],
    ) -> TagCustomersPayload:
        customers, tags, errors = _parse(input)
        if errors:
            return TagCustomersPayload(user_errors=errors)
        context = info.context
        result = context.services.use(Tags).tag(context.principal, customers, tags)
        return TagCustomersPayload.from_result(result)

    @strawberry.mutation(
        description="Take every tag off every customer, all or nothing.", extensions=[UserErrors()]
    )
    def untag_customers(
        self,
        info: Info,
        input: Annotated[
            UntagCustomersInput,
            strawberry.argument(description="The customers and the tags to take off them."),
        ],
    ) -> UntagCustomersPayload:
        customers, tags, errors = _parse(input)
        if errors:
            return UntagCustomersPayload(user_errors=errors)
        context = info.context
        result = context.services.use(Tags).untag(context.principal, customers, tags)
        return UntagCustomersPayload.from_result(result)


PART = SchemaPart(
    queries=(AutoTagRuleQuery,),
    mutations=(TagMutation,),
    nodes={AUTO_TAG_RULE: fetch_rule},
)
