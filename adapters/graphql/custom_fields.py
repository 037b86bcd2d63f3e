"""Custom fields in the API: definitions, defining them, and conditions on their values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.type_names import CUSTOM_FIELD_DEFINITION
from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.custom_fields.criteria import FieldCondition, Operator
from application.custom_fields.views import CustomFieldDefinitionView
from domain.custom_fields import FieldType, ObjectType


def enum_value(member: object) -> str:
    """The value of a member of an enumeration made from a domain one at import time."""
    return str(cast(Enum, member).value)


def described_enum(
    name: str, members: Iterable[Enum], descriptions: Mapping[str, str], description: str
) -> Any:
    """The API enumeration of a domain one: the same names and values, each described.

    ``descriptions`` is by member name and must describe every member."""
    values = {
        member.name: strawberry.enum_value(member.value, description=descriptions[member.name])
        for member in members
    }
    made: type[Enum] = Enum(name, values)  # type: ignore[misc]
    return strawberry.enum(made, description=description)


CustomFieldObjectType = described_enum(
    "CustomFieldObjectType",
    ObjectType,
    {"CUSTOMER": "Fields of customers.", "COMPANY": "Fields of companies."},
    "Records that have fields.",
)
CustomFieldType = described_enum(
    "CustomFieldType",
    FieldType,
    {
        "TEXT": "A line of text.",
        "NUMBER": "A number, integer or not.",
        "DECIMAL": 'An exact decimal, as a string: "12.50".',
        "DATE": 'A calendar date, ISO 8601: "2026-03-01".',
        "DATETIME": 'An instant with its offset, ISO 8601: "2026-03-01T10:00:00Z".',
        "BOOLEAN": "Either true or false.",
        "SINGLE_CHOICE": "One of the field's choices.",
        "MULTIPLE_CHOICE": "A list of the field's choices.",
    },
    "What a field holds. DECIMAL values are exact and travel as strings; DATE "
    "and DATETIME values are ISO 8601 strings, datetimes with a timezone.",
)
CustomFieldOperator = described_enum(
    "CustomFieldOperator",
    Operator,
    {
        "EQ": "Equal to value.",
        "NE": "Not equal to value; a record without a value matches.",
        "LT": "Less than value.",
        "LTE": "Less than or equal to value.",
        "GT": "Greater than value.",
        "GTE": "Greater than or equal to value.",
        "IN": "Equal to one of the values of a list.",
        "CONTAINS": "A substring of TEXT (case-sensitive), or a chosen value of a MULTIPLE_CHOICE.",
        "IS_SET": "Has a value; takes no value.",
        "IS_NOT_SET": "Has no value; takes no value.",
    },
    "How a condition compares. A record without a value matches only NE and "
    "IS_NOT_SET. CONTAINS is a case-sensitive substring of TEXT, or a chosen value of a "
    "MULTIPLE_CHOICE. IN takes a list. Text compares by code point.",
)


@strawberry.type(description="A typed field of customers or companies, defined as data.")
class CustomFieldDefinition(Node):
    object_type: CustomFieldObjectType = strawberry.field(  # type: ignore[valid-type]
        description="The records that have this field."
    )
    key: str = strawberry.field(description="Where values live: customFields.<key>.")
    label: str = strawberry.field(description="The name to show.")
    type: CustomFieldType = strawberry.field(  # type: ignore[valid-type]
        description="What the field holds."
    )
    choices: list[str] = strawberry.field(
        description="The allowed values of a choice field, in order; empty for other types."
    )
    required: bool = strawberry.field(description="Every record must have a value.")
    unique: bool = strawberry.field(description="No two active records share a value.")
    created_at: datetime = strawberry.field(description="When the field was defined.")

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
    key: str = strawberry.field(description="The key of the custom field.")
    op: CustomFieldOperator = strawberry.field(  # type: ignore[valid-type]
        description="How the value compares."
    )
    value: JSON | None = strawberry.field(
        default=None, description="A value of the field's type; a list for IN; none for IS_SET."
    )

    def to_condition(self) -> FieldCondition:
        return FieldCondition(self.key, Operator(enum_value(self.op)), self.value)


def to_conditions(conditions: list[CustomFieldCondition] | None) -> tuple[FieldCondition, ...]:
    return tuple(condition.to_condition() for condition in conditions or ())


@strawberry.input(description="A new custom field.")
class DefineCustomFieldInput:
    object_type: CustomFieldObjectType = strawberry.field(  # type: ignore[valid-type]
        description="The records that get the field."
    )
    key: str = strawberry.field(description="In lower_snake_case, at most 63 characters.")
    label: str = strawberry.field(description="The name to show.")
    type: CustomFieldType = strawberry.field(  # type: ignore[valid-type]
        description="What the field holds; it cannot change later."
    )
    choices: list[str] = strawberry.field(
        default_factory=list, description="The allowed values of a choice field."
    )
    required: bool = strawberry.field(default=False, description="Every record must have a value.")
    unique: bool = strawberry.field(
        default=False, description="No two active records may share a value."
    )


@strawberry.type(description="The result of defineCustomField.")
class DefineCustomFieldPayload:
    custom_field_definition: CustomFieldDefinition | None = strawberry.field(
        default=None, description="The field defined; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


def fetch_custom_field_definition(info: Info, definition_id: str) -> CustomFieldDefinition | None:
    """One definition by id: definitions are few, and read whole per object type."""
    context = info.context
    for object_type in ObjectType:
        for view in context.services.use(CustomFields).list(context.principal, object_type):
            if view.id == definition_id:
                return CustomFieldDefinition.from_view(view)
    return None


@strawberry.type
class CustomFieldQuery:
    @strawberry.field(
        description="The custom fields of an object type, oldest first.", extensions=[QueryErrors()]
    )
    def custom_field_definitions(
        self,
        info: Info,
        object_type: Annotated[
            CustomFieldObjectType,  # type: ignore[valid-type]
            strawberry.argument(description="The records whose fields to list."),
        ],
    ) -> list[CustomFieldDefinition]:
        context = info.context
        views = context.services.use(CustomFields).list(
            context.principal, ObjectType(enum_value(object_type))
        )
        return [CustomFieldDefinition.from_view(view) for view in views]

    @strawberry.field(
        description="One custom field definition by id; null when there is none.",
        extensions=[QueryErrors()],
    )
    def custom_field_definition(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The definition's global id.")
        ],
    ) -> CustomFieldDefinition | None:
        return fetch_custom_field_definition(
            info, local_id(id, CUSTOM_FIELD_DEFINITION, field="id")
        )


@strawberry.type
class CustomFieldMutation:
    @strawberry.mutation(
        description="Add a custom field; admins and managers only.", extensions=[UserErrors()]
    )
    def define_custom_field(
        self,
        info: Info,
        input: Annotated[DefineCustomFieldInput, strawberry.argument(description="The field.")],
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
    nodes={CUSTOM_FIELD_DEFINITION: fetch_custom_field_definition},
)
