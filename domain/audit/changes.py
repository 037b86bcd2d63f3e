"""Before and after of an aggregate's fields, as JSON, and what differs between them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache

import attrs
from attrs import frozen

from domain.audit.entry import FieldChange, JsonValue

HIDDEN = "[hidden]"
"""What a secret field (a key's hash) reads before and after: that it changed, not to what."""

_UNRECORDED = frozenset({"events", "version"})
"""Bookkeeping, not data: the events are listed by type, the version counts the changes."""

_SECRET_WORDS = ("hash", "secret", "password", "token")

_PLAIN = frozenset({str, int, float, bool})


@frozen
class ObjectChange:
    """What one operation did to one aggregate: the fields it changed and the events it
    recorded (a new aggregate has its creation event and no field before)."""

    object_type: str
    object_id: str
    changes: tuple[FieldChange, ...]
    events: tuple[str, ...]


def as_json(value: object) -> JsonValue:
    """``value`` in JSON's terms: times in ISO 8601, decimals as strings, enums by value,
    sets sorted, attrs value objects as objects of their fields."""
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, Enum):
        return as_json(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((as_json(item) for item in value), key=repr)
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    kind = type(value)
    if attrs.has(kind):
        return {
            field.name: as_json(getattr(value, field.name))
            for field in attrs.fields(kind)
            if not field.name.startswith("_")
        }
    return str(value)


@cache
def _recorded_fields(kind: type) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in attrs.fields(kind)
        if field.name not in _UNRECORDED and not field.name.startswith("_")
    )


def snapshot(aggregate: object) -> dict[str, JsonValue] | None:
    """The recorded fields of an attrs aggregate, as JSON; None for anything else."""
    kind = type(aggregate)
    if not attrs.has(kind):
        return None
    return {name: as_json(getattr(aggregate, name, None)) for name in _recorded_fields(kind)}


def _is_secret(name: str) -> bool:
    return any(word in name.lower() for word in _SECRET_WORDS)


def diff(
    before: Mapping[str, JsonValue] | None, after: Mapping[str, JsonValue]
) -> tuple[FieldChange, ...]:
    """The fields whose values differ, in the aggregate's order; none for a new aggregate."""
    if before is None:
        return ()
    changes = []
    for name, value in after.items():
        old = before.get(name)
        if old == value:
            continue
        if _is_secret(name):
            changes.append(FieldChange(name, HIDDEN, HIDDEN))
        else:
            changes.append(FieldChange(name, old, value))
    return tuple(changes)


Snapshot = Mapping[str, JsonValue] | None


def object_changes(seen: Iterable[tuple[object, Snapshot, Snapshot]]) -> list[ObjectChange]:
    """What changed in each aggregate, given it, its snapshot when first seen and its
    snapshot now: those with a changed field or a recorded event, in the order given."""
    found = []
    for aggregate, before, after in seen:
        object_id = getattr(aggregate, "id", None)
        if after is None or not isinstance(object_id, str):
            continue
        changes = diff(before, after)
        events = tuple(
            event.event_type
            for event in getattr(aggregate, "events", ())
            if getattr(event, "aggregate_id", object_id) == object_id
        )
        if changes or events:
            found.append(ObjectChange(type(aggregate).__name__, object_id, changes, events))
    return found
