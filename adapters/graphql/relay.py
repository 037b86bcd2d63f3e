"""Relay conventions: the Node interface, opaque global ids and page info."""

from __future__ import annotations

import base64
import binascii
from enum import Enum

import strawberry
from graphql import GraphQLError

from application.pagination import Page
from domain.errors import ErrorCode


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def from_page(cls, page: Page[object]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        )


class MalformedId(ValueError):
    pass


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


def local_id(global_id: str, expected_type: str) -> str:
    """The local id inside ``global_id``, which must name ``expected_type``."""
    type_name, local = from_global_id(global_id)
    if type_name != expected_type:
        raise MalformedId(global_id)
    return local


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
