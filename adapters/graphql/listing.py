"""What the lists of customers and of companies share: how they order and what they filter."""

from __future__ import annotations

import strawberry

from adapters.graphql.custom_fields import CustomFieldCondition, to_conditions
from adapters.graphql.relay import OrderDirection, local_ids
from adapters.graphql.type_names import USER
from application.custom_fields.criteria import FieldCondition, FieldSort


@strawberry.input
class DirectionInput:
    """The direction every list's order takes; each list adds its own ``field``."""

    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending (the default) or descending."
    )

    @property
    def descending(self) -> bool:
        return self.direction is OrderDirection.DESC


@strawberry.input
class ListOrderInput(DirectionInput):
    """The direction of an order and its custom field; each list adds its own ``field``."""

    custom_field: str | None = strawberry.field(
        default=None,
        description="Order by this custom field instead of field; records without a value "
        "come last in either direction.",
    )

    @property
    def custom_sort(self) -> FieldSort | None:
        return FieldSort(self.custom_field) if self.custom_field else None


@strawberry.input
class OwnedRecordFilterInput:
    """Conditions every list of owned, archivable records with custom fields takes."""

    owner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Records owned by any of these users."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Archived records too; only active ones by default."
    )
    custom_fields: list[CustomFieldCondition] | None = strawberry.field(
        default=None, description="Conditions on custom field values; all must hold."
    )

    @property
    def owners(self) -> frozenset[str] | None:
        return local_ids(self.owner_ids, USER, field="filter.ownerIds")

    @property
    def conditions(self) -> tuple[FieldCondition, ...]:
        return to_conditions(self.custom_fields)
