"""Custom field definitions in memory: the repository of a unit of work, and the reader."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.custom_fields.views import CustomFieldDefinitionView
from application.errors import AlreadyTaken
from domain.custom_fields import CustomFieldDefinition, ObjectType


class InMemoryCustomFieldDefinitionRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.custom_field_definitions)
        transaction.checks(self.check_unique_keys)

    def add(self, definition: CustomFieldDefinition) -> None:
        self.staged.add(definition)

    def for_object(self, object_type: ObjectType) -> list[CustomFieldDefinition]:
        # Definitions never change once made, so reading the committed ones is enough.
        found = {**self._store.custom_field_definitions, **self.staged.seen}.values()
        return sorted(
            (d for d in found if d.object_type is object_type),
            key=lambda d: (d.created_at, d.id),
        )

    def check_unique_keys(self) -> None:
        """Mirror of the SQL adapter's unique index on (object type, key)."""
        taken = {
            (d.object_type, d.key): d.id for d in self._store.custom_field_definitions.values()
        }
        for definition in self.staged.seen.values():
            owner = taken.setdefault((definition.object_type, definition.key), definition.id)
            if owner != definition.id:
                raise AlreadyTaken("key", "this field is defined already")


class InMemoryCustomFieldDefinitionReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def for_object(self, object_type: ObjectType) -> Sequence[CustomFieldDefinitionView]:
        definitions = sorted(
            (
                d
                for d in self._store.custom_field_definitions.values()
                if d.object_type is object_type
            ),
            key=lambda d: (d.created_at, d.id),
        )
        return [CustomFieldDefinitionView.from_definition(d) for d in definitions]
