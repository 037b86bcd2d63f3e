"""Changing tags through the API: the catalogue, and tagging customers in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.custom_fields import CustomFieldCondition, enum_value, to_conditions
from adapters.graphql.errors import QueryErrors, UserError, UserErrors, input_error
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import MalformedId, Node, local_id, to_global_id
from adapters.graphql.tags import TagCategoryValue, TagNode, fetch_tag
from adapters.graphql.type_names import AUTO_TAG_RULE, CUSTOMER, TAG
from application.errors import InvalidInput
from application.tags.bundle import Tags
from application.tags.commands import NewTag, TagResult
from application.tags.conditions import (
    AutoTagRule,
    EventCondition,
    FieldsCondition,
    TagCondition,
)
from domain.behaviour import EventFrequency
from domain.errors import ErrorCode
from domain.tags import TagCategory


@strawberry.input
class CreateTagInput:
    name: str
    colour: str = strawberry.field(description="#RRGGBB.")
    category: TagCategoryValue = TagCategoryValue.STATIC  # type: ignore[valid-type, attr-defined]
    description: str = ""


@strawberry.type
class CreateTagPayload:
    tag: TagNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class TagCustomersInput:
    customer_ids: list[strawberry.ID] = strawberry.field(
        description="At most 10,000 customers; every one must exist and be active."
    )
    tag_ids: list[strawberry.ID]


@strawberry.type
class TagCustomersPayload:
    changed_count: int = strawberry.field(
        default=0, description="Customer-tag pairs changed; pairs already as asked are not."
    )
    unchanged_count: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def from_result(cls, result: TagResult) -> TagCustomersPayload:
        return cls(changed_count=result.changed, unchanged_count=result.unchanged)


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


def _parse(input: TagCustomersInput) -> tuple[list[str], list[str], list[UserError]]:
    customers, customer_errors = _local_ids(input.customer_ids, CUSTOMER, "customerIds")
    tags, tag_errors = _local_ids(input.tag_ids, TAG, "tagIds")
    return customers, tags, (customer_errors + tag_errors)[:20]


@strawberry.type(
    name="AutoTagRule", description="While a customer meets the condition, they carry the tag."
)
class AutoTagRuleNode(Node):
    condition: JSON = strawberry.field(description="The condition as the rules table keeps it.")
    created_at: datetime
    tag_id: strawberry.Private[str]

    @classmethod
    def from_rule(cls, rule: AutoTagRule) -> AutoTagRuleNode:
        return cls(
            id=strawberry.ID(to_global_id(AUTO_TAG_RULE, rule.id)),
            condition=cast(JSON, rule.condition.to_json()),
            created_at=rule.created_at,
            tag_id=rule.tag_id,
        )

    @strawberry.field(extensions=[QueryErrors()])
    def tag(self, info: Info) -> TagNode | None:
        return fetch_tag(info, self.tag_id)


@strawberry.input(description="Did the event at least atLeast times in the last days UTC days.")
class EventConditionInput:
    name: str
    at_least: int = 1
    days: int = 30


@strawberry.input(description="Give exactly one of customFields and event.")
class CreateAutoTagRuleInput:
    tag_id: strawberry.ID
    custom_fields: list[CustomFieldCondition] | None = strawberry.field(
        default=None, description="Conditions on custom field values; all must hold."
    )
    event: EventConditionInput | None = None


@strawberry.type
class CreateAutoTagRulePayload:
    rule: AutoTagRuleNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _condition(input: CreateAutoTagRuleInput) -> TagCondition:
    if (input.custom_fields is None) == (input.event is None):
        raise InvalidInput("event", ErrorCode.INVALID, "give exactly one of customFields and event")
    if input.event is not None:
        event = input.event
        return EventCondition(EventFrequency(event.name, event.at_least, event.days))
    return FieldsCondition(to_conditions(input.custom_fields))


@strawberry.input
class DeleteAutoTagRuleInput:
    id: strawberry.ID
    remove_tags: bool = strawberry.field(
        default=False,
        description="Also take the tag off the customers this rule tagged; otherwise they "
        "keep it, as if a person had put it on.",
    )


@strawberry.type
class DeleteAutoTagRulePayload:
    deleted_id: strawberry.ID | None = None
    untagged_count: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AutoTagRuleQuery:
    @strawberry.field(description="Every auto-tag rule, oldest first.", extensions=[QueryErrors()])
    def auto_tag_rules(self, info: Info) -> list[AutoTagRuleNode]:
        context = info.context
        rules = context.services.use(Tags).list_rules(context.principal)
        return [AutoTagRuleNode.from_rule(rule) for rule in rules]


@strawberry.type
class TagMutation:
    @strawberry.mutation(
        description="Add a tag to the catalogue; its name must be new.", extensions=[UserErrors()]
    )
    def create_tag(self, info: Info, input: CreateTagInput) -> CreateTagPayload:
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
        description="Add an auto-tag rule; the hourly auto-tag job (or `rapport jobs run "
        "auto-tag`) applies it.",
        extensions=[UserErrors()],
    )
    def create_auto_tag_rule(
        self, info: Info, input: CreateAutoTagRuleInput
    ) -> CreateAutoTagRulePayload:
        try:
            tag_id = local_id(input.tag_id, TAG)
        except MalformedId:
            return CreateAutoTagRulePayload(
                user_errors=input_error("tagId", ErrorCode.INVALID_ID, "is not the id of a Tag")
            )
        context = info.context
        rule = context.services.use(Tags).define_rule(context.principal, tag_id, _condition(input))
        return CreateAutoTagRulePayload(rule=AutoTagRuleNode.from_rule(rule))

    @strawberry.mutation(
        description="Stop an auto-tag rule, and take its tags off if asked.",
        extensions=[UserErrors()],
    )
    def delete_auto_tag_rule(
        self, info: Info, input: DeleteAutoTagRuleInput
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
    def tag_customers(self, info: Info, input: TagCustomersInput) -> TagCustomersPayload:
        customers, tags, errors = _parse(input)
        if errors:
            return TagCustomersPayload(user_errors=errors)
        context = info.context
        result = context.services.use(Tags).tag(context.principal, customers, tags)
        return TagCustomersPayload.from_result(result)

    @strawberry.mutation(
        description="Take every tag off every customer, all or nothing.", extensions=[UserErrors()]
    )
    def untag_customers(self, info: Info, input: TagCustomersInput) -> TagCustomersPayload:
        customers, tags, errors = _parse(input)
        if errors:
            return TagCustomersPayload(user_errors=errors)
        context = info.context
        result = context.services.use(Tags).untag(context.principal, customers, tags)
        return TagCustomersPayload.from_result(result)


PART = SchemaPart(
    queries=(AutoTagRuleQuery,),
    mutations=(TagMutation,),
)
