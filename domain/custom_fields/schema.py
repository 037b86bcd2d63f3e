"""The domain service that checks custom field values against their definitions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol

from attrs import frozen

from domain.custom_fields.definition import KEY_PATTERN, FieldType
from domain.custom_fields.values import CustomValue, is_blank, parse_value
from domain.errors import DomainError, ErrorCode, Problem

FIELD: Final = "customFields"
"""The name of custom field values in every error path: ``customFields.<key>``."""


class DefinesField(Protocol):
    """What the schema reads from a definition (or a read model of one)."""

    @property
    def key(self) -> str: ...

    @property
    def field_type(self) -> FieldType: ...

    @property
    def choices(self) -> Sequence[str]: ...

    @property
    def required(self) -> bool: ...

    @property
    def unique(self) -> bool: ...


@frozen
class FieldRule:
    key: str
    field_type: FieldType
    choices: tuple[str, ...]
    required: bool
    unique: bool


class CustomFieldSchema:
    """The definitions of one object type; checks whole value sets and patches to them."""

    def __init__(self, definitions: Iterable[DefinesField]) -> None:
        self.definitions: dict[str, FieldRule] = {
            d.key: FieldRule(d.key, d.field_type, tuple(d.choices), d.required, d.unique)
            for d in definitions
        }

    @property
    def unique_keys(self) -> list[str]:
        return [key for key, definition in self.definitions.items() if definition.unique]

    def validate(self, values: Mapping[str, object]) -> dict[str, CustomValue]:
        """The normal form of a new record's values; every required field must have one."""
        given = {k: v for k, v in values.items() if v is not None}
        problems: list[Problem] = []
        try:
            clean = self._parse(given)
        except DomainError as error:
            problems.extend(error.problems)
            clean = {}
        problems += [
            Problem(f"{FIELD}.{key}", ErrorCode.REQUIRED, "is required")
            for key, definition in self.definitions.items()
            if definition.required and is_blank(clean.get(key, given.get(key)))
        ]
        if problems:
            raise DomainError(problems)
        return clean

    def merge(
        self, current: Mapping[str, CustomValue], patch: Mapping[str, object | None]
    ) -> dict[str, CustomValue]:
        """Apply a patch where ``None`` removes a key and any other value sets it.

        Only the keys in the patch are checked: values stored before a field was
        defined, or required since, stay as they are until someone changes them.
        """
        clean = self._parse({k: v for k, v in patch.items() if v is not None})
        removed = [
            Problem(f"{FIELD}.{key}", ErrorCode.REQUIRED, "is required and cannot be removed")
            for key, value in patch.items()
            if value is None and key in self.definitions and self.definitions[key].required
        ]
        blank = [
            Problem(f"{FIELD}.{key}", ErrorCode.REQUIRED, "is required")
            for key, value in clean.items()
            if self.definitions[key].required and is_blank(value)
        ]
        if removed or blank:
            raise DomainError(removed + blank)
        merged = {key: value for key, value in current.items() if patch.get(key, ...) is not None}
        merged.update(clean)
        return merged

    def _parse(self, values: Mapping[str, object]) -> dict[str, CustomValue]:
        problems: list[Problem] = []
        clean: dict[str, CustomValue] = {}
        for key, raw in values.items():
            path = f"{FIELD}.{key}"
            definition = self.definitions.get(key)
            if definition is None:
                if not isinstance(key, str) or not KEY_PATTERN.match(key):
                    problems.append(
                        Problem(
                            path,
                            ErrorCode.INVALID_NAME,
                            "keys are lower_snake_case, start with a letter, at most 63 characters",
                        )
                    )
                else:
                    problems.append(
                        Problem(path, ErrorCode.UNKNOWN_FIELD, "is not a defined field")
                    )
                continue
            try:
                clean[key] = parse_value(definition.field_type, definition.choices, raw, path=path)
            except DomainError as error:
                problems.extend(error.problems)
        if problems:
            raise DomainError(problems)
        return clean
