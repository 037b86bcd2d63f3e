"""The event catalogue as the schema names it: the ``EventType`` enum, and event data in the
schema's terms (camelCase keys, global ids, enum names).

Partners get CloudEvents as the catalogue writes them (``docs/events.md``); GraphQL clients
get the same events in the schema's own words, so a client cache can be updated from them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Collection, Mapping
from enum import Enum
from typing import Any, Final

import strawberry
from graphql import GraphQLError

from adapters.graphql.context import Info
from adapters.graphql.errors import query_error
from adapters.graphql.relay import MalformedId, invalid_id_error, to_global_id
from adapters.graphql.type_names import (
    ACTIVITY,
    AUTO_TAG_RULE,
    COMPANY,
    CUSTOM_FIELD_DEFINITION,
    CUSTOMER,
    LEAD,
    OPPORTUNITY,
    ORDER,
    PIPELINE,
    SEGMENT,
    STAGE,
    STAGE_CHANGE,
    TAG,
    TASK,
    USER,
)
from application.events.bundle import Events
from application.events.catalogue import EventType as CatalogueEntry
from application.events.catalogue import catalogue, event_classes
from domain.errors import DomainError
from domain.events import DomainEvent

SUBJECT_TYPES: Final[Mapping[str, str]] = {
    "activity": ACTIVITY,
    "company": COMPANY,
    "custom_field": CUSTOM_FIELD_DEFINITION,
    "customer": CUSTOMER,
    "lead": LEAD,
    "opportunity": OPPORTUNITY,
    "order": ORDER,
    "segment": SEGMENT,
    "tag": TAG,
    "task": TASK,
}
"""The type of the record an event is about, by the catalogue's aggregate type."""

ID_FIELDS: Final[Mapping[str, str]] = {
    "customer_id": CUSTOMER,
    "company_id": COMPANY,
    "owner_id": USER,
    "author_id": USER,
    "assignee_id": USER,
    "pipeline_id": PIPELINE,
    "stage_id": STAGE,
    "from_stage_id": STAGE,
    "to_stage_id": STAGE,
    "segment_id": SEGMENT,
    "tag_id": TAG,
    "rule_id": AUTO_TAG_RULE,
    "change_id": STAGE_CHANGE,
    "opportunity_id": OPPORTUNITY,
    "lead_id": LEAD,
    "merged_ids": CUSTOMER,
}
"""Fields of event data that hold record ids, and the type each names."""

ENUM_FIELDS: Final[frozenset[str]] = frozenset(
    {"kind", "direction", "object_type", "field_type", "status", "outcome", "category"}
)
"""Fields of event data whose values are the values of a schema enum."""

_VERSION = re.compile(r"^v([0-9]+)$")


def enum_name(event_type: str) -> str:
    """``rapport.customer.created.v1`` is ``CUSTOMER_CREATED``; a later version adds ``_V2``."""
    _, aggregate, verb, version = event_type.split(".")
    name = f"{aggregate}_{verb}".upper()
    number = _VERSION.match(version)
    return name if number is not None and number.group(1) == "1" else f"{name}_{version.upper()}"


def _described(entry: CatalogueEntry, cls: type[DomainEvent]) -> str:
    """The event class's first paragraph (the catalogue keeps only its first line), with
    the CloudEvents type."""
    own: str | None = vars(cls).get("__doc__")
    written = own is not None and f"{cls.__name__}(" not in own and own != DomainEvent.__doc__
    doc = inspect.cleandoc(own) if own is not None and written else None
    paragraph = " ".join(doc.split("\n\n")[0].split()) if doc else entry.description
    return f"{paragraph.replace('``', '`')} CloudEvents type `{entry.name}`."


def _event_type_enum() -> Any:
    classes = {cls.event_type: cls for cls in event_classes()}
    members = {
        enum_name(entry.name): strawberry.enum_value(
            entry.name, description=_described(entry, classes[entry.name])
        )
        for entry in catalogue()
    }
    values: type[Enum] = Enum("EventType", members)  # type: ignore[misc]
    return strawberry.enum(
        values,
        description="A type of event of the catalogue (docs/events.md); its value is the "
        "CloudEvents type that webhooks and the event stream carry.",
    )


EventType = _event_type_enum()


def event_type_of(name: str) -> Any:
    """The ``EventType`` member of a CloudEvents type."""
    return EventType(name)


def event_type_names(types: list[Enum] | None) -> list[str] | None:
    """The CloudEvents types of ``EventType`` members; ``None`` stays ``None`` (all)."""
    return None if types is None else [str(member.value) for member in types]


def subject_id(aggregate_type: str, local: str) -> str:
    """The global id of the record an event of ``aggregate_type`` is about."""
    return to_global_id(SUBJECT_TYPES[aggregate_type], local)


def aggregate_type_of(event_type: str) -> str:
    return _AGGREGATES[event_type]


_AGGREGATES: Final[Mapping[str, str]] = {entry.name: entry.aggregate_type for entry in catalogue()}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def graphql_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Event data in the schema's terms: camelCase keys, record ids as global ids, enum
    values as the schema's enum names; nested objects (``changes``) alike."""
    return {camel(key): _value(key, value) for key, value in data.items()}


def _value(key: str, value: Any) -> Any:
    kind = ID_FIELDS.get(key)
    if kind is not None:
        if isinstance(value, str):
            return to_global_id(kind, value)
        if isinstance(value, list):
            return [to_global_id(kind, v) if isinstance(v, str) else v for v in value]
    if key in ENUM_FIELDS and isinstance(value, str):
        return value.upper()
    if isinstance(value, Mapping):
        return graphql_data(value)
    return value


def refusal(error: DomainError | MalformedId, expected_type: str = "") -> GraphQLError:
    """A subscription's refusal of its arguments, coded as a query field's would be."""
    if isinstance(error, MalformedId):
        return invalid_id_error(error.field or "id", error.expected_type or expected_type)
    return query_error(error)


async def deliveries(info: Info, types: Collection[str] | None) -> AsyncIterator[Mapping[str, Any]]:
    """Relayed CloudEvents of ``types`` (all when None), from now on.

    Before each one the request's DataLoaders are renewed, so what a delivery resolves is
    read afresh, with the subscriber's principal, when it is delivered.
    """
    async for event in info.context.services.use(Events).live.listen(types):
        info.context.renew_loaders()
        yield event
