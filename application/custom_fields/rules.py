"""Enforcing custom field definitions on writes: the schema of a type, and unique values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from application.custom_fields.ports import CustomFieldDefinitionRepository, CustomValuesInUse
from application.errors import AlreadyTaken
from domain.custom_fields import CustomFieldSchema, CustomValue, ObjectType
from domain.custom_fields.schema import FIELD
from domain.custom_fields.values import comparable


def load_schema(
    definitions: CustomFieldDefinitionRepository, object_type: ObjectType
) -> CustomFieldSchema:
    return CustomFieldSchema(definitions.for_object(object_type))


def require_unique_values(
    records: CustomValuesInUse,
    schema: CustomFieldSchema,
    values: Mapping[str, CustomValue],
    *,
    record_id: str,
    keys: Iterable[str] | None = None,
) -> None:
    """Refuse a value of a unique field that another active record already holds."""
    checked = set(schema.unique_keys if keys is None else keys) & set(schema.unique_keys)
    for key in sorted(checked):
        value = values.get(key)
        if value is None:
            continue
        field_type = schema.definitions[key].field_type
        if records.custom_values_in_use(key, field_type, [value], excluding=record_id):
            raise AlreadyTaken(f"{FIELD}.{key}", "another record has this value")


def unique_clashes(
    records: CustomValuesInUse,
    schema: CustomFieldSchema,
    rows: Sequence[Mapping[str, CustomValue]],
) -> dict[int, str]:
    """For new records in bulk: the position of each row that repeats a unique value,
    held already or by an earlier row, and the key at fault."""
    clashes: dict[int, str] = {}
    for key in schema.unique_keys:
        field_type = schema.definitions[key].field_type
        wanted = [row[key] for row in rows if row.get(key) is not None]
        if not wanted:
            continue
        seen = {
            comparable(field_type, value)
            for value in records.custom_values_in_use(key, field_type, wanted)
        }
        for position, row in enumerate(rows):
            value = row.get(key)
            if value is None or position in clashes:
                continue
            normal = comparable(field_type, value)
            if normal in seen:
                clashes[position] = key
            else:
                seen.add(normal)
    return clashes


class BatchUniqueValues:
    """The values of unique fields that the records of one unsaved batch hold, which a
    query of storage cannot see until the batch is written."""

    def __init__(self, schema: CustomFieldSchema) -> None:
        self._types = {key: schema.definitions[key].field_type for key in schema.unique_keys}
        self._holders: dict[tuple[str, object], str] = {}

    def require(self, values: Mapping[str, CustomValue], *, record_id: str) -> None:
        """Refuse a value that another record of the batch holds, else hold ``values``."""
        held: dict[tuple[str, object], str] = {}
        for key, field_type in self._types.items():
            value = values.get(key)
            if value is None:
                continue
            token = (key, comparable(field_type, value))
            if self._holders.get(token, record_id) != record_id:
                raise AlreadyTaken(f"{FIELD}.{key}", "another record has this value")
            held[token] = record_id
        self._holders.update(held)
