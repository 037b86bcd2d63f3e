"""The definition of one custom field: its key, label, type and rules, for one object type."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Final

from attrs import define, field

from domain.custom_fields.events import CustomFieldDefined
from domain.errors import ErrorCode, InvalidValue, ProblemCollector
from domain.events import DomainEvent
from domain.text import clean_line

KEY_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
LABEL_MAX_LENGTH: Final = 100
CHOICE_MAX_LENGTH: Final = 100
MAX_CHOICES: Final = 200


class ObjectType(StrEnum):
    """The kinds of record that carry custom fields; opportunities and cases come later."""

    CUSTOMER = "customer"
    COMPANY = "company"


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"

    @property
    def has_choices(self) -> bool:
        return self in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE)

    @property
    def can_be_unique(self) -> bool:
        return self not in (FieldType.BOOLEAN, FieldType.MULTIPLE_CHOICE)

    @property
    def is_sortable(self) -> bool:
        return self is not FieldType.MULTIPLE_CHOICE


def check_key(key: str, *, field_name: str = "key") -> str:
    if not KEY_PATTERN.match(key):
        raise InvalidValue(
            field_name,
            ErrorCode.INVALID_NAME,
            "keys are lower_snake_case, start with a letter, at most 63 characters",
        )
    return key


def _clean_choices(field_type: FieldType, choices: Sequence[str]) -> tuple[str, ...]:
    if not field_type.has_choices:
        if choices:
            raise InvalidValue("choices", ErrorCode.INVALID, "only choice fields have choices")
        return ()
    cleaned = tuple(
        clean_line(choice, field="choices", max_length=CHOICE_MAX_LENGTH) for choice in choices
    )
    if not cleaned or not all(cleaned):
        raise InvalidValue("choices", ErrorCode.REQUIRED, "a choice field needs non-empty choices")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidValue("choices", ErrorCode.INVALID, "choices must be distinct")
    if len(cleaned) > MAX_CHOICES:
        raise InvalidValue("choices", ErrorCode.INVALID, f"at most {MAX_CHOICES} choices")
    return cleaned


@define(slots=False, eq=False)
class CustomFieldDefinition:
    """A typed field of one object type; its values live on the records themselves."""

    id: str
    object_type: ObjectType
    key: str
    label: str
    field_type: FieldType
    choices: tuple[str, ...]
    required: bool
    unique: bool
    created_at: datetime
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def define(
        cls,
        *,
        id: str,
        object_type: ObjectType,
        key: str,
        label: str,
        field_type: FieldType,
        choices: Sequence[str] = (),
        required: bool = False,
        unique: bool = False,
        at: datetime,
        by: str,
    ) -> CustomFieldDefinition:
        problems = ProblemCollector()
        problems.check(lambda: check_key(key))
        clean_label = problems.check(
            lambda: clean_line(label, field="label", max_length=LABEL_MAX_LENGTH)
        )
        if clean_label == "":
            problems.check(lambda: _required("label"))
        clean_choices = problems.check(lambda: _clean_choices(field_type, choices))
        if unique and not field_type.can_be_unique:
            problems.check(
                lambda: _invalid("unique", f"a {field_type.value} field cannot be unique")
            )
        problems.raise_if_any()
        definition = cls(
            id=id,
            object_type=object_type,
            key=key,
            label=clean_label or "",
            field_type=field_type,
            choices=clean_choices or (),
            required=required,
            unique=unique,
            created_at=at,
        )
        definition.events.append(
            CustomFieldDefined(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                object_type=object_type.value,
                key=key,
                label=definition.label,
                field_type=field_type.value,
                choices=list(definition.choices),
                required=required,
                unique=unique,
            )
        )
        return definition


def _required(field_name: str) -> None:
    raise InvalidValue(field_name, ErrorCode.REQUIRED, "is required")


def _invalid(field_name: str, message: str) -> None:
    raise InvalidValue(field_name, ErrorCode.INVALID, message)
