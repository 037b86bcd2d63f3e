"""Read models of custom field definitions."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from domain.custom_fields import CustomFieldDefinition, FieldType, ObjectType


@frozen
class CustomFieldDefinitionView:
    id: str
    object_type: ObjectType
    key: str
    label: str
    field_type: FieldType
    choices: tuple[str, ...]
    required: bool
    unique: bool
    created_at: datetime

    @classmethod
    def from_definition(cls, definition: CustomFieldDefinition) -> CustomFieldDefinitionView:
        return cls(
            id=definition.id,
            object_type=definition.object_type,
            key=definition.key,
            label=definition.label,
            field_type=definition.field_type,
            choices=tuple(definition.choices),
            required=definition.required,
            unique=definition.unique,
            created_at=definition.created_at,
        )
