"""Automation rules in the API: a condition and an action, both JSON data."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors, not_an_object
from adapters.graphql.parts import SchemaPart
from application.pipeline.bundle import Sales
from domain.access.roles import Permission
from domain.pipeline import AutomationRule


@strawberry.type(name="AutomationRule", description="When the condition holds, the action runs.")
class AutomationRuleNode:
    key: str = strawberry.field(description="The rule's unique key.")
    name: str = strawberry.field(description="The rule's name as people read it.")
    condition: JSON = strawberry.field(
        description='When the rule applies: {"type": "bought_without", ...}.'
    )
    action: JSON = strawberry.field(description='What it does: {"type": "create_task", ...}.')
    enabled: bool = strawberry.field(description="Whether the job runs the rule.")

    @classmethod
    def from_rule(cls, rule: AutomationRule) -> AutomationRuleNode:
        return cls(
            key=rule.key,
            name=rule.name,
            condition=cast(JSON, rule.condition_data()),
            action=cast(JSON, rule.action_data()),
            enabled=rule.enabled,
        )


@strawberry.input(description="An automation rule to add or replace, by its key.")
class SaveAutomationRuleInput:
    key: str = strawberry.field(description="The rule's unique key; an existing one is replaced.")
    name: str = strawberry.field(description="The rule's name as people read it.")
    condition: JSON = strawberry.field(
        description='{"type": "bought_without", "product": "A", "days": 180, "neverBought": "B"}'
    )
    action: JSON = strawberry.field(
        description='{"type": "create_task", "kind": "call", "title": "…", "dueInDays": 3}'
    )
    enabled: bool = strawberry.field(default=True, description="Whether the job runs the rule.")


@strawberry.type(description="The rule saved, or why it was not.")
class SaveAutomationRulePayload:
    rule: AutomationRuleNode | None = strawberry.field(
        default=None, description="The rule as saved; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the rule was not saved; empty on success."
    )


@strawberry.type
class AutomationQuery:
    @strawberry.field(
        description="Every automation rule, by key. A plain list: rules are a handful of "
        "configuration records, never a growing list.",
        extensions=[QueryErrors()],
    )
    def automation_rules(self, info: Info) -> list[AutomationRuleNode]:
        context = info.context
        rules = context.services.use(Sales).list_automation_rules(context.principal)
        return [AutomationRuleNode.from_rule(rule) for rule in rules]


@strawberry.type
class AutomationMutation:
    @strawberry.mutation(
        description="Add or replace an automation rule; it runs with the job.",
        extensions=[UserErrors(requires=(Permission.MANAGE_PIPELINE,))],
    )
    def save_automation_rule(
        self,
        info: Info,
        input: Annotated[
            SaveAutomationRuleInput, strawberry.argument(description="The rule to add or replace.")
        ],
    ) -> SaveAutomationRulePayload:
        context = info.context
        condition: object = input.condition
        action: object = input.action
        if not isinstance(condition, dict):
            return SaveAutomationRulePayload(user_errors=not_an_object("condition"))
        if not isinstance(action, dict):
            return SaveAutomationRulePayload(user_errors=not_an_object("action"))
        rule = AutomationRule.from_data(
            key=input.key,
            name=input.name,
            condition=condition,
            action=action,
            enabled=input.enabled,
        )
        saved = context.services.use(Sales).define_automation_rule(context.principal, rule)
        return SaveAutomationRulePayload(rule=AutomationRuleNode.from_rule(saved))


PART = SchemaPart(
    queries=(AutomationQuery,),
    mutations=(AutomationMutation,),
)
