"""Free text that lists are searched by: bounded, and free of characters storage mangles."""

from __future__ import annotations

from typing import Final

from attrs import Attribute

from application.errors import InvalidInput
from domain.errors import ErrorCode
from domain.text import has_control_characters

MAX_SEARCH_LENGTH: Final = 200
"""Enough to find any record by part of its text, and short enough for any LIKE pattern."""
SEARCH_RULE: Final = (
    f"at most {MAX_SEARCH_LENGTH} characters (else TOO_LONG), without control characters "
    "(else INVALID)."
)


def check_search_text(text: str, *, field: str) -> None:
    """Raise an ``InvalidInput`` on ``field`` unless ``text`` can be searched for."""
    if len(text) > MAX_SEARCH_LENGTH:
        raise InvalidInput(
            field, ErrorCode.TOO_LONG, f"must be at most {MAX_SEARCH_LENGTH} characters"
        )
    # A NUL ends a LIKE pattern early on SQLite, which then matches everyone, and
    # PostgreSQL refuses it outright.
    if has_control_characters(text):
        raise InvalidInput(field, ErrorCode.INVALID, "must not contain control characters")


def searchable(_instance: object, _attribute: Attribute[str | None], value: str | None) -> None:
    """An attrs validator for a filter's ``search``."""
    if value is not None:
        check_search_text(value, field="filter.search")
