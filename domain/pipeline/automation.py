"""Automation rules: a condition and an action, both data, evaluated by a job.

The classic cross-sell rule reads: customers who bought product A more than N days ago and
never bought product B get a task for their account manager (the customer's owner).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from domain.errors import ErrorCode, InvalidValue
from domain.pipeline.tasks import TaskKind
from domain.text import clean_line


@frozen(kw_only=True)
class BoughtWithout:
    """Bought ``product`` at least ``days`` ago (first time) and never ``never_bought``."""

    product: str
    days: int
    never_bought: str

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)


@frozen(kw_only=True)
class CreateTaskAction:
    kind: TaskKind
    title: str
    due_in_days: int = 3


@frozen(kw_only=True)
class AutomationRule:
    key: str
    name: str
    condition: BoughtWithout
    action: CreateTaskAction
    enabled: bool = True

    def dedupe_key(self, customer_id: str) -> str:
        return f"{self.key}:{customer_id}"

    @classmethod
    def from_data(
        cls,
        *,
        key: str,
        name: str,
        condition: Mapping[str, Any],
        action: Mapping[str, Any],
        enabled: bool = True,
    ) -> AutomationRule:
        """Read a rule as stored and as clients send it; anything else is ``INVALID``."""
        try:
            if condition.get("type") != "bought_without":
                raise ValueError("condition.type")
            if action.get("type") != "create_task":
                raise ValueError("action.type")
            days = int(condition["days"])
            due = int(action.get("dueInDays", 3))
            if days < 1 or due < 0:
                raise ValueError("days")
            return cls(
                key=clean_line(key, field="key", max_length=60),
                name=clean_line(name, field="name", max_length=200),
                condition=BoughtWithout(
                    product=str(condition["product"]),
                    days=days,
                    never_bought=str(condition["neverBought"]),
                ),
                action=CreateTaskAction(
                    kind=TaskKind(action.get("kind", "call")),
                    title=str(action["title"]),
                    due_in_days=due,
                ),
                enabled=enabled,
            )
        except (KeyError, ValueError, TypeError) as error:
            raise InvalidValue(
                "rule", ErrorCode.INVALID, f"not a rule Rapport knows: {error}"
            ) from None

    def condition_data(self) -> dict[str, Any]:
        c = self.condition
        return {
            "type": "bought_without",
            "product": c.product,
            "days": c.days,
            "neverBought": c.never_bought,
        }

    def action_data(self) -> dict[str, Any]:
        a = self.action
        return {
            "type": "create_task",
            "kind": a.kind.value,
            "title": a.title,
            "dueInDays": a.due_in_days,
        }
