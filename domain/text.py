"""Rules for the free text that people type into names and labels."""

from __future__ import annotations

import unicodedata

from domain.errors import ErrorCode, InvalidValue


def clean_line(raw: str, *, field: str, max_length: int) -> str:
    """NFC-normalise, trim and bound one line of text; control characters are refused."""
    text = unicodedata.normalize("NFC", raw).strip()
    if len(text) > max_length:
        raise InvalidValue(field, ErrorCode.TOO_LONG, f"must be at most {max_length} characters")
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise InvalidValue(field, ErrorCode.INVALID, "must not contain control characters")
    return text


_LAYOUT = frozenset("\n\t")


def clean_text(raw: str, *, field: str, max_length: int) -> str:
    """Like ``clean_line`` for text of several lines: newlines and tabs are kept."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()
    if len(text) > max_length:
        raise InvalidValue(field, ErrorCode.TOO_LONG, f"must be at most {max_length} characters")
    if any(unicodedata.category(char) == "Cc" and char not in _LAYOUT for char in text):
        raise InvalidValue(field, ErrorCode.INVALID, "must not contain control characters")
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list)."""


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula if it were a cell."""
    return text.startswith(FORMULA_STARTS)
