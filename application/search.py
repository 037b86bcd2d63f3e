"""Free text that lists are searched by: bounded, and free of characters storage mangles."""

from __future__ import annotations

import unicodedata
from typing import Final

from attrs import Attribute

from application.errors import InvalidInput
from domain.errors import ErrorCode

MAX_SEARCH_LENGTH: Final = 200
"""Longer than any name, email or phone a record holds, so nothing findable is cut off."""
SEARCH_RULE: Final = (
    f"at most {MAX_SEARCH_LENGTH} characters (else TOO_LONG), without control characters "
    "(else INVALID)."
)

# Control characters end a LIKE pattern early on SQLite (a NUL matches everyone) and
# PostgreSQL refuses NUL outright; lone surrogates cannot be encoded for either.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cs"})


def check_search_text(text: str, *, field: str) -> None:
    """Raise an ``InvalidInput`` on ``field`` unless ``text`` can be searched for."""
    if len(text) > MAX_SEARCH_LENGTH:
        raise InvalidInput(
            field, ErrorCode.TOO_LONG, f"must be at most {MAX_SEARCH_LENGTH} characters"
        )
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in text):
        raise InvalidInput(field, ErrorCode.INVALID, "must not contain control characters")


def searchable(_instance: object, _attribute: Attribute[str | None], value: str | None) -> None:
    """An attrs validator for a filter's ``search``."""
    if value is not None:
        check_search_text(value, field="filter.search")
