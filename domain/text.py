"""Rules for the free text that people type into names and labels."""

from __future__ import annotations

import unicodedata
from typing import Final

from domain.errors import ErrorCode, InvalidValue

_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cs"})
"""Control characters, and lone surrogates: a JSON "\\ud800" decodes to one, and no storage
can encode it (SQLite and PostgreSQL both fail on it)."""


def has_control_characters(text: str, *, allowed: str = "") -> bool:
    """Whether ``text`` holds a control character or a lone surrogate not in ``allowed``."""
    return any(
        unicodedata.category(char) in _REFUSED_CATEGORIES and char not in allowed for char in text
    )


def clean_line(raw: str, *, field: str, max_length: int) -> str:
    """NFC-normalise, trim and bound one line of text; control characters are refused."""
    text = unicodedata.normalize("NFC", raw).strip()
    if len(text) > max_length:
        raise InvalidValue(field, ErrorCode.TOO_LONG, f"must be at most {max_length} characters")
    if has_control_characters(text):
        raise InvalidValue(field, ErrorCode.INVALID, "must not contain control characters")
    return text


_LAYOUT: Final = "\n\t"


def clean_text(raw: str, *, field: str, max_length: int) -> str:
    """Like ``clean_line`` for text of several lines: newlines and tabs are kept."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()
    if len(text) > max_length:
        raise InvalidValue(field, ErrorCode.TOO_LONG, f"must be at most {max_length} characters")
    if has_control_characters(text, allowed=_LAYOUT):
        raise InvalidValue(field, ErrorCode.INVALID, "must not contain control characters")
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list)."""


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula if it were a cell."""
    return text.startswith(FORMULA_STARTS)
