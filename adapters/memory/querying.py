"""List semantics shared by the in-memory readers: keyset walks and custom field conditions.

They mirror the SQL readers exactly: missing sort values last in either direction, ties
broken by id, text compared by code point.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from application.custom_fields.criteria import FieldCondition, Operator
from application.pagination import SortKey
from domain.custom_fields import CustomValue, FieldType
from domain.custom_fields.values import comparable

V = TypeVar("V")


def _compare(a: SortKey, b: SortKey, descending: bool) -> int:
    if (a.value is None) != (b.value is None):
        return 1 if a.value is None else -1
    sign = -1 if descending else 1
    first: Any = a.value
    second: Any = b.value
    if first is not None and first != second:
        return sign if first > second else -sign
    if a.id != b.id:
        return sign if a.id > b.id else -sign
    return 0


def walk(
    items: Iterable[V],
    key_of: Callable[[V], SortKey],
    *,
    descending: bool,
    after: SortKey | None,
    before: SortKey | None,
    limit: int,
    from_end: bool,
) -> list[V]:
    """Up to ``limit`` items strictly between the keys, from the end if asked."""
    keyed = [(key_of(item), item) for item in items]
    if after is not None:
        keyed = [pair for pair in keyed if _compare(pair[0], after, descending) > 0]
    if before is not None:
        keyed = [pair for pair in keyed if _compare(pair[0], before, descending) < 0]

    def order(first: tuple[SortKey, V], second: tuple[SortKey, V]) -> int:
        return _compare(first[0], second[0], descending)

    keyed.sort(key=functools.cmp_to_key(order), reverse=from_end)
    return [item for _, item in keyed[:limit]]


def matches_all(values: Mapping[str, CustomValue], conditions: Iterable[FieldCondition]) -> bool:
    return all(matches(values, condition) for condition in conditions)


def matches(values: Mapping[str, CustomValue], condition: FieldCondition) -> bool:
    stored = values.get(condition.key)
    op = condition.op
    if op is Operator.IS_SET:
        return stored is not None
    if op is Operator.IS_NOT_SET:
        return stored is None
    if op is Operator.NE:
        return not matches(values, FieldCondition(condition.key, Operator.EQ, *_rest(condition)))
    if stored is None or condition.field_type is None:
        return False
    if op is Operator.CONTAINS:
        # A substring of text, or one of the chosen values of a multiple choice.
        container: Any = stored
        return isinstance(condition.value, str) and condition.value in container
    value: Any = comparable(condition.field_type, stored)
    operand: Any = condition.value
    if op is Operator.EQ:
        return bool(value == operand)
    if op is Operator.IN:
        return any(value == item for item in operand)
    if op is Operator.LT:
        return bool(value < operand)
    if op is Operator.LTE:
        return bool(value <= operand)
    if op is Operator.GT:
        return bool(value > operand)
    return bool(value >= operand)


def _rest(condition: FieldCondition) -> tuple[object, FieldType | None]:
    return condition.value, condition.field_type


def values_in_use(
    records: Iterable[tuple[str, bool, Mapping[str, CustomValue]]],
    key: str,
    field_type: FieldType,
    values: Collection[CustomValue],
    excluding: str | None,
) -> list[CustomValue]:
    """Which of ``values`` the active ``(id, archived, values)`` records hold for ``key``."""
    wanted = {comparable(field_type, value) for value in values}
    found: list[CustomValue] = []
    for record_id, archived, stored_values in records:
        stored = stored_values.get(key)
        if archived or record_id == excluding or stored is None:
            continue
        if comparable(field_type, stored) in wanted:
            found.append(stored)
    return found
