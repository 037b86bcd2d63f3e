"""Custom fields in the API: definitions, defining them, and conditions on their values."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import to_global_id
from adapters.graphql.type_names import CUSTOM_FIELD_DEFINITION
from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.custom_fields.criteria import FieldCondition, Operator
from application.custom_fields.views import CustomFieldDefinitionView
from domain.custom_fields import FieldType, ObjectType


def enum_value(member: object) -> str:
    """The value of a member of an enumeration made from a domain one at import time."""
    return str(cast(Enum, member).value)


_object_types: type[Enum] = Enum(  # type: ignore[misc]
    "CustomFieldObjectType", {kind.name: kind.value for kind in ObjectType}
)
CustomFieldObjectType = strawberry.enum(_object_types, description="Records that have fields.")
_field_types: type[Enum] = Enum(  # type: ignore[misc]
    "CustomFieldType", {kind.name: kind.value for kind in FieldType}
)
CustomFieldType = strawberry.enum(
    _field_types,
    description="What a field holds. DECIMAL values are exact and travel as strings; DATE "
    "and DATETIME values are ISO 8601 strings, datetimes with a timezone.",
)
_operators: type[Enum] = Enum(  # type: ignore[misc]
    "CustomFieldOperator", {op.name: op.value for op in Operator}
)
CustomFieldOperator = strawberry.enum(
    _operators,
    description="How a condition compares. A record without a value matches only NE and "
    "IS_NOT_SET. CONTAINS is a case-sensitive substring of TEXT, or a chosen value of a "
    "MULTIPLE_CHOICE. IN takes a list. Text compares by code point.",
)


@strawberry.type(description="A typed field of customers or companies, defined as data.")
class CustomFieldDefinition:
    id: strawberry.ID
    object_type: CustomFieldObjectType  # type: ignore[valid-type]
    key: str = strawberry.field(description="Where values live: customFields.<key>.")
    label: str
    type: CustomFieldType  # type: ignore[valid-type]
    choices: list[str]
    required: bool
    unique: bool = strawberry.field(description="No two active records share a value.")
    created_at: datetime

    @classmethod
    def from_view(cls, view: CustomFieldDefinitionView) -> CustomFieldDefinition:
        return cls(
            id=strawberry.ID(to_global_id(CUSTOM_FIELD_DEFINITION, view.id)),
            object_type=CustomFieldObjectType[view.object_type.name],
            key=view.key,
            label=view.label,
            type=CustomFieldType[view.field_type.name],
            choices=list(view.choices),
            required=view.required,
            unique=view.unique,
            created_at=view.created_at,
        )


@strawberry.input(description="A condition on one custom field's value.")
class CustomFieldCondition:
    key: str
    op: CustomFieldOperator  # type: ignore[valid-type]
    value: JSON | None = strawberry.field(
        default=None, description="A value of the field's type; a list for IN; none for IS_SET."
    )

    def to_condition(self) -> FieldCondition:
        return FieldCondition(self.key, Operator(enum_value(self.op)), self.value)


def to_conditions(conditions: list[CustomFieldCondition] | None) -> tuple[FieldCondition, ...]:
    return tuple(condition.to_condition() for condition in conditions or ())


@strawberry.input
class DefineCustomFieldInput:
    object_type: CustomFieldObjectType  # type: ignore[valid-type]
    key: str = strawberry.field(description="lower_snake_case, at most 63 characters.")
    label: str
    type: CustomFieldType  # type: ignore[valid-type]
    choices: list[str] = strawberry.field(
        default_factory=list, description="The allowed values of a choice field."
    )
    required: bool = False
    unique: bool = False


@strawberry.type
class DefineCustomFieldPayload:
    custom_field_definition: CustomFieldDefinition | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomFieldQuery:
    @strawberry.field(
        description="The custom fields of an object type, oldest first.", extensions=[QueryErrors()]
    )
    def custom_field_definitions(
        self,
        info: Info,
        object_type: CustomFieldObjectType,  # type: ignore[valid-type]
    ) -> list[CustomFieldDefinition]:
        context = info.context
        views = context.services.use(CustomFields).list(
            context.principal, ObjectType(enum_value(object_type))
        )
        return [CustomFieldDefinition.from_view(view) for view in views]


@strawberry.type
class CustomFieldMutation:
    @strawberry.mutation(
        description="Add a custom field; admins and managers only.", extensions=[UserErrors()]
    )
    def define_custom_field(
        self, info: Info, input: DefineCustomFieldInput
    ) -> DefineCustomFieldPayload:
        context = info.context
        new = NewCustomField(
            object_type=ObjectType(enum_value(input.object_type)),
            key=input.key,
            label=input.label,
            field_type=FieldType(enum_value(input.type)),
            choices=tuple(input.choices),
            required=input.required,
            unique=input.unique,
        )
        view = context.services.use(CustomFields).define(context.principal, new)
        return DefineCustomFieldPayload(
            custom_field_definition=CustomFieldDefinition.from_view(view)
        )


PART = SchemaPart(
    queries=(CustomFieldQuery,),
    mutations=(CustomFieldMutation,),
)
