"""Automation rules in the API: a condition and an action, both JSON data."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors, not_an_object
from adapters.graphql.parts import SchemaPart
from application.pipeline.bundle import Sales
from domain.pipeline import AutomationRule


@strawberry.type(name="AutomationRule", description="When the condition holds, the action runs.")
class AutomationRuleNode:
    key: str
    name: str
    condition: JSON
    action: JSON
    enabled: bool

    @classmethod
    def from_rule(cls, rule: AutomationRule) -> AutomationRuleNode:
        return cls(
            key=rule.key,
            name=rule.name,
            condition=cast(JSON, rule.condition_data()),
            action=cast(JSON, rule.action_data()),
            enabled=rule.enabled,
        )


@strawberry.input
class SaveAutomationRuleInput:
    key: str
    name: str
    condition: JSON = strawberry.field(
        description='{"type": "bought_without", "product": "A", "days": 180, "neverBought": "B"}'
    )
    action: JSON = strawberry.field(
        description='{"type": "create_task", "kind": "call", "title": "…", "dueInDays": 3}'
    )
    enabled: bool = True


@strawberry.type
class AutomationRulePayload:
    rule: AutomationRuleNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AutomationQuery:
    @strawberry.field(description="Every automation rule, by key.", extensions=[QueryErrors()])
    def automation_rules(self, info: Info) -> list[AutomationRuleNode]:
        context = info.context
        rules = context.services.use(Sales).list_automation_rules(context.principal)
        return [AutomationRuleNode.from_rule(rule) for rule in rules]


@strawberry.type
class AutomationMutation:
    @strawberry.mutation(
        description="Add or replace an automation rule; it runs with the job.",
        extensions=[UserErrors()],
    )
    def save_automation_rule(
        self, info: Info, input: SaveAutomationRuleInput
    ) -> AutomationRulePayload:
        context = info.context
        condition: object = input.condition
        action: object = input.action
        if not isinstance(condition, dict):
            return AutomationRulePayload(user_errors=not_an_object("condition"))
        if not isinstance(action, dict):
            return AutomationRulePayload(user_errors=not_an_object("action"))
        rule = AutomationRule.from_data(
            key=input.key,
            name=input.name,
            condition=condition,
            action=action,
            enabled=input.enabled,
        )
        saved = context.services.use(Sales).define_automation_rule(context.principal, rule)
        return AutomationRulePayload(rule=AutomationRuleNode.from_rule(saved))


PART = SchemaPart(
    queries=(AutomationQuery,),
    mutations=(AutomationMutation,),
)
