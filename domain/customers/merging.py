"""Merging duplicates into one customer, field by field, by survivorship rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from attrs import field, frozen

from domain.changes import KEEP
from domain.custom_fields import CustomFieldSchema
from domain.customers.customer import Customer, CustomerChanges
from domain.customers.identity import ExternalId
from domain.errors import ErrorCode, RuleViolated

MERGEABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "owner_id",
    "company_id",
    "custom_fields",
)


class Survivorship(StrEnum):
    MOST_RECENT = "most_recent"
    """The most recently updated record with a value for the field wins."""
    SURVIVOR = "survivor"
    """The survivor's value stays, even when empty."""


@frozen
class MergePolicy:
    default: Survivorship = Survivorship.MOST_RECENT
    fields: Mapping[str, Survivorship] = field(factory=dict)

    def rule(self, name: str) -> Survivorship:
        return self.fields.get(name, self.default)


@frozen
class MergePlan:
    """What survives of each field, decided before anything changes.

    Carried out in two steps, retire then complete, so that storage can release the
    duplicates' unique values (email, external ids) before the survivor takes them.
    """

    survivor: Customer
    duplicates: tuple[Customer, ...]
    changes: CustomerChanges

    @classmethod
    def of(
        cls, survivor: Customer, duplicates: Sequence[Customer], policy: MergePolicy
    ) -> MergePlan:
        if not duplicates:
            raise RuleViolated("duplicateIds", ErrorCode.REQUIRED, "name at least one duplicate")
        if len({d.id for d in duplicates} | {survivor.id}) != len(duplicates) + 1:
            raise RuleViolated("duplicateIds", ErrorCode.INVALID, "each customer may appear once")
        newest_first = sorted([survivor, *duplicates], key=lambda c: c.updated_at, reverse=True)
        values: dict[str, Any] = {}
        for name in MERGEABLE_FIELDS:
            if policy.rule(name) is Survivorship.SURVIVOR:
                continue
            if name == "custom_fields":
                merged: dict[str, object] = {}
                for record in reversed(newest_first):
                    merged.update(record.custom_fields)
                values[name] = merged
                continue
            winner = next((getattr(c, name) for c in newest_first if getattr(c, name)), None)
            if winner is not None:
                values[name] = winner
        changes = CustomerChanges(**{name: values.get(name, KEEP) for name in MERGEABLE_FIELDS})
        return cls(survivor, tuple(duplicates), changes)

    def retire(self, *, at: datetime, by: str) -> frozenset[ExternalId]:
        """Archive the duplicates, pointing at the survivor; returns their external ids."""
        return frozenset().union(
            *(d.merge_into(self.survivor.id, at=at, by=by) for d in self.duplicates)
        )

    def complete(
        self,
        handed_over: frozenset[ExternalId],
        *,
        schema: CustomFieldSchema,
        at: datetime,
        by: str,
    ) -> None:
        self.survivor.absorb(
            self.changes, handed_over, [d.id for d in self.duplicates], schema=schema, at=at, by=by
        )


def merge_customers(
    survivor: Customer,
    duplicates: Sequence[Customer],
    policy: MergePolicy,
    *,
    schema: CustomFieldSchema,
    at: datetime,
    by: str,
) -> None:
    """Fold ``duplicates`` into ``survivor`` at once; nothing any of them held is dropped."""
    plan = MergePlan.of(survivor, duplicates, policy)
    plan.complete(plan.retire(at=at, by=by), schema=schema, at=at, by=by)
