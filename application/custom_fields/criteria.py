"""Conditions on custom field values and orders by them, as lists ask for them.

A condition or an order names a field by key; the list use case resolves it against the
definitions, which fixes the type that every reader adapter compares by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Final

from attrs import evolve, frozen

from application.custom_fields.views import CustomFieldDefinitionView
from application.errors import InvalidInput
from application.pagination import SortValue
from application.search import check_search_text
from domain.custom_fields import CustomValue, FieldType
from domain.custom_fields.values import comparable, parse_value
from domain.errors import DomainError, ErrorCode, Problem


class Operator(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    CONTAINS = "contains"
    IS_SET = "is_set"
    IS_NOT_SET = "is_not_set"


_COMPARISONS: Final = frozenset({Operator.LT, Operator.LTE, Operator.GT, Operator.GTE})
_EVERYWHERE: Final = frozenset({Operator.IS_SET, Operator.IS_NOT_SET})
_EQUALITY: Final = frozenset({Operator.EQ, Operator.NE, Operator.IN})
ALLOWED: Final[Mapping[FieldType, frozenset[Operator]]] = {
    FieldType.TEXT: _EVERYWHERE | _EQUALITY | _COMPARISONS | {Operator.CONTAINS},
    FieldType.NUMBER: _EVERYWHERE | _EQUALITY | _COMPARISONS,
    FieldType.DECIMAL: _EVERYWHERE | _EQUALITY | _COMPARISONS,
    FieldType.DATE: _EVERYWHERE | _EQUALITY | _COMPARISONS,
    FieldType.DATETIME: _EVERYWHERE | _EQUALITY | _COMPARISONS,
    FieldType.BOOLEAN: _EVERYWHERE | {Operator.EQ, Operator.NE},
    FieldType.SINGLE_CHOICE: _EVERYWHERE | _EQUALITY,
    FieldType.MULTIPLE_CHOICE: _EVERYWHERE | {Operator.CONTAINS},
}


@frozen
class FieldCondition:
    """``key op value``; ``field_type`` is filled in by resolution, and ``value`` normalised.

    Semantics every reader keeps: a missing value matches only ``NE`` and ``IS_NOT_SET``;
    text compares by code point; ``CONTAINS`` is a case-sensitive substring of text, or a
    choice among the chosen ones of a multiple choice field; ``IN`` takes a list.
    """

    key: str
    op: Operator
    value: object = None
    field_type: FieldType | None = None


@frozen
class FieldSort:
    """An order by a custom field's value; records without one come last either way."""

    key: str
    field_type: FieldType | None = None


def resolve_conditions(
    conditions: Iterable[FieldCondition],
    definitions: Mapping[str, CustomFieldDefinitionView],
    *,
    field: str = "filter.customFields",
) -> tuple[FieldCondition, ...]:
    problems: list[Problem] = []
    resolved: list[FieldCondition] = []
    for condition in conditions:
        try:
            resolved.append(_resolve(condition, definitions, f"{field}.{condition.key}"))
        except DomainError as error:
            problems.extend(error.problems)
    if problems:
        raise DomainError(problems)
    return tuple(resolved)


def _resolve(
    condition: FieldCondition, definitions: Mapping[str, CustomFieldDefinitionView], path: str
) -> FieldCondition:
    definition = _definition(condition.key, definitions, path)
    field_type = definition.field_type
    if condition.op not in ALLOWED[field_type]:
        raise InvalidInput(
            path, ErrorCode.INVALID, f"{condition.op.name} does not apply to a {field_type} field"
        )
    if condition.op in _EVERYWHERE:
        return FieldCondition(condition.key, condition.op, None, field_type)
    if condition.op is Operator.IN:
        if not isinstance(condition.value, list | tuple):
            raise InvalidInput(path, ErrorCode.INVALID, "IN takes a list of values")
        values = tuple(_operand(definition, item, path) for item in condition.value)
        return FieldCondition(condition.key, condition.op, values, field_type)
    if condition.op is Operator.CONTAINS:
        if not isinstance(condition.value, str):
            raise InvalidInput(path, ErrorCode.INVALID, "CONTAINS takes a string")
        check_search_text(condition.value, field=path)
        if field_type is FieldType.MULTIPLE_CHOICE:
            _operand(definition, [condition.value], path)
        return FieldCondition(condition.key, condition.op, condition.value, field_type)
    return FieldCondition(
        condition.key, condition.op, _operand(definition, condition.value, path), field_type
    )


def _operand(definition: CustomFieldDefinitionView, raw: object, path: str) -> object:
    if raw is None:
        raise InvalidInput(path, ErrorCode.INVALID, "needs a value; use IS_NOT_SET for none")
    value = parse_value(definition.field_type, definition.choices, raw, path=path)
    return comparable(definition.field_type, value)


def _definition(
    key: str, definitions: Mapping[str, CustomFieldDefinitionView], path: str
) -> CustomFieldDefinitionView:
    definition = definitions.get(key)
    if definition is None:
        raise InvalidInput(path, ErrorCode.UNKNOWN_FIELD, "is not a defined field")
    return definition


def resolve_sort(
    sort: FieldSort,
    definitions: Mapping[str, CustomFieldDefinitionView],
    *,
    field: str = "orderBy.customField",
) -> FieldSort:
    definition = _definition(sort.key, definitions, field)
    if not definition.field_type.is_sortable:
        raise InvalidInput(field, ErrorCode.INVALID, "a multiple choice field has no order")
    return evolve(sort, field_type=definition.field_type)


def sort_value(values: Mapping[str, CustomValue], sort: FieldSort) -> SortValue:
    """The value a record sorts by: the stored one (decimals as ``Decimal``), or ``None``."""
    value = values.get(sort.key)
    if value is None or sort.field_type is None or isinstance(value, list):
        return None
    if sort.field_type is FieldType.DECIMAL and isinstance(value, str):
        return Decimal(value)
    return value


def read_sort_value(field_type: FieldType, raw: object) -> SortValue:
    """A sort value back from a cursor, where it was written as JSON."""
    if raw is None:
        return None
    if field_type is FieldType.DECIMAL and isinstance(raw, str):
        return Decimal(raw)
    if isinstance(raw, bool):
        if field_type is FieldType.BOOLEAN:
            return raw
        raise ValueError(raw)
    if field_type is FieldType.NUMBER and isinstance(raw, int | float):
        return raw
    if field_type in _TEXTUAL and isinstance(raw, str):
        return raw
    raise ValueError(raw)


_TEXTUAL: Final = frozenset(
    {FieldType.TEXT, FieldType.DATE, FieldType.DATETIME, FieldType.SINGLE_CHOICE}
)


def definitions_by_key(
    views: Iterable[CustomFieldDefinitionView],
) -> dict[str, CustomFieldDefinitionView]:
    return {view.key: view for view in views}
