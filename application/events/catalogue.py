"""Every domain event type with its JSON Schema and an example, derived from the classes.

Adding a ``DomainEvent`` subclass anywhere under ``domain`` adds it here: nothing to register.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import attrs
from attrs import frozen

import domain
from domain.events import DomainEvent

ENVELOPE_FIELDS = frozenset({"aggregate_id", "occurred_at", "actor_id"})
EXAMPLE_TIME = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
EXAMPLE_ID = "0190f5a2-7c1e-7b3a-9d4e-2f6a8b1c0d3e"


@frozen
class EventType:
    """One entry of the catalogue."""

    name: str
    aggregate_type: str
    description: str
    schema: Mapping[str, Any]
    example: Mapping[str, Any]


def _import_domain() -> None:
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)


def _subclasses(cls: type[DomainEvent]) -> Iterator[type[DomainEvent]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def event_classes() -> list[type[DomainEvent]]:
    """The concrete event classes, sorted by their type name."""
    _import_domain()
    found = {cls.event_type: cls for cls in _subclasses(DomainEvent) if "event_type" in vars(cls)}
    return [found[name] for name in sorted(found)]


def _schema_of(annotation: Any) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        options = [_schema_of(arg) for arg in typing.get_args(annotation)]
        kinds = [option["type"] for option in options if "type" in option]
        if len(kinds) == len(options) and all(isinstance(kind, str) for kind in kinds):
            merged = {**options[0], "type": kinds}
            if "enum" in merged and "null" in kinds:
                merged["enum"] = [*merged["enum"], None]
            return merged
        return {"anyOf": options}
    if origin in (list, tuple, frozenset, set):
        item = (typing.get_args(annotation) or (Any,))[0]
        return {"type": "array", "items": _schema_of(item)}
    if origin is dict or annotation is dict:
        return {"type": "object"}
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {"type": "string", "enum": [str(member.value) for member in annotation]}
    simple: dict[Any, dict[str, Any]] = {
        str: {"type": "string"},
        int: {"type": "integer"},
        float: {"type": "number"},
        bool: {"type": "boolean"},
        datetime: {"type": "string", "format": "date-time"},
        type(None): {"type": "null"},
    }
    return dict(simple.get(annotation, {}))


def _example_of(annotation: Any, name: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        first = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        return _example_of(first, name)
    if origin in (list, tuple, frozenset, set):
        return [EXAMPLE_ID] if name.endswith("_ids") else ["example"]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str(next(iter(annotation)).value)
    if origin is dict or annotation is dict:
        return {"first_name": "Ada"} if name == "changes" else {}
    if annotation is bool:
        return False
    if annotation is int:
        return 2
    if annotation is datetime:
        return EXAMPLE_TIME.isoformat()
    if name.endswith("_id"):
        return EXAMPLE_ID
    return f"example {name.replace('_', ' ')}"


def _payload_fields(cls: type[DomainEvent]) -> list[tuple[str, Any, bool]]:
    hints = typing.get_type_hints(cls)
    return [
        (field.name, hints[field.name], field.default is attrs.NOTHING)
        for field in attrs.fields(cls)
        if field.name not in ENVELOPE_FIELDS
    ]


def payload_schema(cls: type[DomainEvent]) -> dict[str, Any]:
    """JSON Schema (2020-12) of the event's ``data``."""
    fields = _payload_fields(cls)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://rapport.dev/events/{cls.event_type}.json",
        "title": cls.event_type,
        "type": "object",
        "properties": {name: _schema_of(annotation) for name, annotation, _ in fields},
        "required": [name for name, _, required in fields if required],
        "additionalProperties": False,
    }


def payload_example(cls: type[DomainEvent]) -> dict[str, Any]:
    return {name: _example_of(annotation, name) for name, annotation, _ in _payload_fields(cls)}


def catalogue() -> list[EventType]:
    return [
        EventType(
            name=cls.event_type,
            aggregate_type=cls.aggregate_type,
            description=(cls.__doc__ or "").strip().splitlines()[0]
            if cls.__doc__ and "DomainEvent(" not in cls.__doc__
            else _described(cls),
            schema=payload_schema(cls),
            example=payload_example(cls),
        )
        for cls in event_classes()
    ]


def _described(cls: type[DomainEvent]) -> str:
    noun = cls.aggregate_type.replace("_", " ")
    article = "An" if noun[0] in "aeiou" else "A"
    return f"{article} {noun} was {cls.event_type.split('.')[2].replace('_', ' ')}."
