"""What the custom field use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from application.custom_fields.views import CustomFieldDefinitionView
from domain.custom_fields import CustomFieldDefinition, CustomValue, FieldType, ObjectType


class CustomFieldDefinitionRepository(Protocol):
    """Definitions inside a unit of work."""

    def add(self, definition: CustomFieldDefinition) -> None: ...

    def for_object(self, object_type: ObjectType) -> list[CustomFieldDefinition]:
        """Every definition of ``object_type``, in the order they were defined."""
        ...


class CustomFieldDefinitionReader(Protocol):
    """Read-only queries over definitions, outside any unit of work."""

    def for_object(self, object_type: ObjectType) -> Sequence[CustomFieldDefinitionView]:
        """Every definition of ``object_type``, in the order they were defined."""
        ...


class CustomValuesInUse(Protocol):
    """The part of a record repository that unique custom fields need."""

    def custom_values_in_use(
        self,
        key: str,
        field_type: FieldType,
        values: Collection[CustomValue],
        *,
        excluding: str | None = None,
    ) -> list[CustomValue]:
        """Which of ``values`` active records other than ``excluding`` hold for ``key``.

        Values compare as their type compares (decimals by number). Where writers run
        concurrently, the adapter serialises writers of the same field from here to commit.
        """
        ...
