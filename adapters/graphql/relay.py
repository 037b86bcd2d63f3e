"""Relay conventions: the Node interface, opaque global ids and page info."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from enum import Enum

import strawberry
from graphql import GraphQLError

from application.pagination import Page
from domain.errors import ErrorCode


@strawberry.interface(
    description="An object with a globally unique, opaque id, refetchable by `node(id:)`."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="The global id: opaque, stable, and unique across every type."
    )


@strawberry.enum(description="Which way a list is sorted.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("asc", description="Smallest, earliest or A first.")
    DESC = strawberry.enum_value("desc", description="Largest, latest or Z first.")


@strawberry.type(description="Where a page stands in its list, as Relay's specification has it.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first item, for `before`; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item, for `after`; null on an empty page."
    )

    @classmethod
    def from_page(cls, page: Page[object]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        )


class MalformedId(ValueError):
    """A value that is not a global id (of the expected type).

    With ``field`` it says which argument or input field held it, so the resolver's error
    handling can answer for it (see ``adapters.graphql.errors``)."""

    def __init__(
        self, value: str, *, field: str | None = None, expected_type: str | None = None
    ) -> None:
        super().__init__(value)
        self.value = value
        self.field = field
        self.expected_type = expected_type


def to_global_id(type_name: str, local_id: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str]:
    """``(type name, local id)`` of a global id; ``MalformedId`` for anything else."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise MalformedId(global_id) from None
    type_name, separator, local_id = decoded.partition(":")
    if not separator or not type_name or not local_id or len(local_id) > 64:
        raise MalformedId(global_id)
    return type_name, local_id


def local_id(global_id: str, expected_type: str, *, field: str | None = None) -> str:
    """The local id inside ``global_id``, which must name ``expected_type``.

    ``field`` is the path of the argument or input field that held it, for the error."""
    try:
        type_name, local = from_global_id(global_id)
    except MalformedId:
        raise MalformedId(global_id, field=field, expected_type=expected_type) from None
    if type_name != expected_type:
        raise MalformedId(global_id, field=field, expected_type=expected_type)
    return local


def local_ids(
    global_ids: Iterable[str] | None, expected_type: str, *, field: str
) -> frozenset[str] | None:
    """The local ids of a list argument; ``None`` when it was not given."""
    if global_ids is None:
        return None
    return frozenset(local_id(value, expected_type, field=field) for value in global_ids)


def local_ids_by_field(
    values: dict[str, tuple[str | None, str]], *, within: str = ""
) -> dict[str, str | None]:
    """Local ids of the given global ids, by field; ``MalformedId`` names the field, under
    ``within`` (``"filter."``) when the fields are an argument's."""
    return {
        field: local_id(value, kind, field=within + field) if value is not None else None
        for field, (value, kind) in values.items()
    }


def invalid_id_error(argument: str, expected_type: str) -> GraphQLError:
    return GraphQLError(
        f"{argument} is not the id of a {expected_type}",
        extensions={"code": ErrorCode.INVALID_ID.value, "field": argument},
    )


def invalid_cursor_error(argument: str = "after") -> GraphQLError:
    return GraphQLError(
        f"{argument} is not a cursor of this list",
        extensions={"code": ErrorCode.INVALID.value, "field": argument},
    )
