"""Custom field definitions in SQL: the repository of a unit of work, and the reader."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, bindparam, select

from adapters.persistence.tables import custom_field_definitions as definitions
from adapters.persistence.transaction import SqlTransaction
from application.custom_fields.views import CustomFieldDefinitionView
from domain.custom_fields import CustomFieldDefinition, ObjectType


class SqlCustomFieldDefinitionRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session

    def add(self, definition: CustomFieldDefinition) -> None:
        self._session.add(self._transaction.saw(definition))

    def for_object(self, object_type: ObjectType) -> list[CustomFieldDefinition]:
        query = (
            select(CustomFieldDefinition)
            .where(definitions.c.object_type == object_type)
            .order_by(definitions.c.created_at, definitions.c.id)
        )
        return list(self._session.scalars(query))


_FOR_OBJECT = (
    select(
        definitions.c.id,
        definitions.c.object_type,
        definitions.c.key,
        definitions.c.label,
        definitions.c.field_type,
        definitions.c.choices,
        definitions.c.required,
        definitions.c.unique,
        definitions.c.created_at,
    )
    .where(definitions.c.object_type == bindparam("object_type"))
    .order_by(definitions.c.created_at, definitions.c.id)
)


class SqlCustomFieldDefinitionReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def for_object(self, object_type: ObjectType) -> Sequence[CustomFieldDefinitionView]:
        with self._engine.connect() as connection:
            rows = connection.execute(_FOR_OBJECT, {"object_type": object_type})
            return [CustomFieldDefinitionView(*row) for row in rows]
