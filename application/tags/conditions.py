"""When a customer should carry a tag: the small condition port that auto-tag rules use.

The full condition language arrives with segments; until then a condition is either a set
of custom field conditions that all hold, or "did event E at least N times in D days".
Each condition computes its whole matching set at once, so a rule costs a few statements
however many customers it tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from attrs import frozen

from application.behaviour.ports import BehaviourReader
from application.custom_fields.criteria import (
    FieldCondition,
    Operator,
    definitions_by_key,
    resolve_conditions,
)
from application.custom_fields.ports import CustomFieldDefinitionReader
from application.customers.ports import CustomerReader
from application.customers.views import CustomerFilter
from application.errors import InvalidInput
from domain.access.visibility import EVERYTHING
from domain.behaviour import EventFrequency
from domain.custom_fields import ObjectType
from domain.errors import ErrorCode


@frozen
class ConditionSources:
    """What conditions read from: the customer, custom field and behaviour readers."""

    customers: CustomerReader
    behaviour: BehaviourReader
    definitions: CustomFieldDefinitionReader


class TagCondition(Protocol):
    """A condition on customers that computes every customer meeting it at once."""

    def customers(self, sources: ConditionSources, today: date) -> set[str]:
        """The customers meeting the condition on UTC day ``today``."""
        ...

    def check(self, sources: ConditionSources) -> None:
        """Raise the problems that would stop the condition from being evaluated."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The condition as JSON, for the rules table; ``condition_from_json`` reads it."""
        ...


@frozen
class FieldsCondition:
    """Custom field conditions that all hold, as customer lists filter by them."""

    conditions: tuple[FieldCondition, ...]

    def customers(self, sources: ConditionSources, today: date) -> set[str]:
        return sources.customers.ids_matching(
            CustomerFilter(custom_fields=self._resolve(sources)), visible=EVERYTHING
        )

    def check(self, sources: ConditionSources) -> None:
        if not self.conditions:
            raise InvalidInput("condition.fields", ErrorCode.REQUIRED, "name at least one")
        self._resolve(sources)

    def _resolve(self, sources: ConditionSources) -> tuple[FieldCondition, ...]:
        definitions = definitions_by_key(sources.definitions.for_object(ObjectType.CUSTOMER))
        return resolve_conditions(self.conditions, definitions, field="condition.fields")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "fields",
            "conditions": [
                {"key": c.key, "op": c.op.value, "value": c.value} for c in self.conditions
            ],
        }


@frozen
class EventCondition:
    """Did event ``frequency.name`` at least ``at_least`` times in the last ``days`` days."""

    frequency: EventFrequency

    def customers(self, sources: ConditionSources, today: date) -> set[str]:
        return sources.behaviour.customers_doing(self.frequency, today=today)

    def check(self, sources: ConditionSources) -> None:
        """Counts and days are checked by ``EventFrequency``; any event name may be tracked."""
        if not self.frequency.name.strip():
            raise InvalidInput("event.name", ErrorCode.REQUIRED, "name the event")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "event",
            "name": self.frequency.name,
            "atLeast": self.frequency.at_least,
            "days": self.frequency.days,
        }


def condition_from_json(raw: Mapping[str, Any]) -> TagCondition:
    """A condition back from ``to_json``; anything else is an ``InvalidInput``."""
    kind = raw.get("type")
    try:
        if kind == "fields":
            return FieldsCondition(
                tuple(
                    FieldCondition(str(c["key"]), Operator(c["op"]), c.get("value"))
                    for c in raw["conditions"]
                )
            )
        if kind == "event":
            return EventCondition(
                EventFrequency(str(raw["name"]), int(raw["atLeast"]), int(raw["days"]))
            )
    except (KeyError, TypeError, ValueError):
        pass
    raise InvalidInput("condition", ErrorCode.INVALID, "is not a condition Rapport knows")


@frozen
class AutoTagRule:
    """While a customer meets ``condition``, they carry ``tag_id``; rules are data.

    A rule not ``enabled`` is skipped by the job; the tags it put on stay."""

    id: str
    tag_id: str
    condition: TagCondition
    created_at: datetime
    created_by: str
    enabled: bool = True
    version: int = 1
    """Grows by one with every change, for optimistic concurrency."""


@frozen(kw_only=True)
class RuleFilter:
    """Rules putting on any of ``tag_ids``, and enabled or not; ``None`` admits any."""

    tag_ids: frozenset[str] | None = None
    enabled: bool | None = None

    def admits(self, rule: AutoTagRule) -> bool:
        return (self.tag_ids is None or rule.tag_id in self.tag_ids) and (
            self.enabled is None or rule.enabled is self.enabled
        )
