"""Contracts of custom field definitions: the repository, the reader, and unique values."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from application.errors import AlreadyTaken
from domain.custom_fields import CustomFieldDefinition, FieldType, ObjectType
from tests.contracts.backend import StorageBackend

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def definition(
    key: str,
    field_type: FieldType,
    *,
    choices: Sequence[str] = (),
    required: bool = False,
    unique: bool = False,
    object_type: ObjectType = ObjectType.CUSTOMER,
    at: datetime = T0,
) -> CustomFieldDefinition:
    number = next(_numbers)
    return CustomFieldDefinition.define(
        id=f"field-{number:08d}",
        object_type=object_type,
        key=key,
        label=key.replace("_", " ").capitalize(),
        field_type=field_type,
        choices=choices,
        required=required,
        unique=unique,
        at=at + timedelta(seconds=number),
        by="actor-1",
    )


class CustomFieldDefinitionContract:
    def test_definitions_read_back_per_object_type_in_order(self, backend: StorageBackend) -> None:
        plan = definition("plan", FieldType.SINGLE_CHOICE, choices=["free", "pro"], unique=False)
        budget = definition("budget", FieldType.DECIMAL, required=True)
        tier = definition("tier", FieldType.TEXT, object_type=ObjectType.COMPANY, unique=True)
        with backend.uow() as uow:
            for made in (plan, budget, tier):
                uow.custom_fields.add(made)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.custom_fields.for_object(ObjectType.CUSTOMER)
            assert [d.key for d in loaded] == ["plan", "budget"]
            assert loaded[0].choices == ("free", "pro")
            assert loaded[0].field_type is FieldType.SINGLE_CHOICE
            assert loaded[1].required and not loaded[1].unique
            assert loaded[0].events == []
        views = backend.custom_fields.for_object(ObjectType.COMPANY)
        assert [(v.key, v.field_type, v.unique, v.object_type) for v in views] == [
            ("tier", FieldType.TEXT, True, ObjectType.COMPANY)
        ]
        assert backend.custom_fields.for_object(ObjectType.CUSTOMER)[0].choices == ("free", "pro")
        assert backend.outbox() == [
            ("rapport.custom_field.defined.v1", made.id) for made in (plan, budget, tier)
        ]

    def test_a_key_is_defined_once_per_object_type(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.custom_fields.add(definition("plan", FieldType.TEXT))
            uow.custom_fields.add(
                definition("plan", FieldType.TEXT, object_type=ObjectType.COMPANY)
            )
            uow.commit()
        with pytest.raises(AlreadyTaken), backend.uow() as uow:
            uow.custom_fields.add(definition("plan", FieldType.NUMBER))
            uow.commit()
        assert len(backend.custom_fields.for_object(ObjectType.CUSTOMER)) == 1
