"""Custom fields: typed, per-object-type fields that administrators define as data."""

from domain.custom_fields.definition import CustomFieldDefinition, FieldType, ObjectType
from domain.custom_fields.events import CustomFieldDefined
from domain.custom_fields.schema import CustomFieldSchema
from domain.custom_fields.values import CustomValue

__all__ = [
    "CustomFieldDefined",
    "CustomFieldDefinition",
    "CustomFieldSchema",
    "CustomValue",
    "FieldType",
    "ObjectType",
]
