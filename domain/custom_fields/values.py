"""Values of custom fields: what each type accepts, and the one normal form it is stored in.

Values are stored as JSON: decimals as strings (exact, never float), dates and datetimes
as ISO 8601 strings (datetimes in UTC), choices as the choice's text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final, cast

from domain.custom_fields.definition import FieldType
from domain.errors import ErrorCode, InvalidValue
from domain.text import has_control_characters

CustomValue = str | int | float | bool | list[str]
"""A stored value; ``None`` is never stored, it removes the value."""

MAX_TEXT_LENGTH: Final = 2000
MAX_SAFE_INTEGER: Final = 2**53 - 1
"""Larger integers do not survive JSON clients (JavaScript numbers are doubles)."""
MAX_NUMBER: Final = 1e15
MAX_DECIMAL_DIGITS: Final = 38


def parse_value(
    field_type: FieldType, choices: Sequence[str], raw: object, *, path: str
) -> CustomValue:
    """The normal form of ``raw`` for a field of ``field_type``, or ``InvalidValue``."""
    parser = _PARSERS[field_type]
    return parser(raw, choices, path)


def _text(raw: object, _choices: Sequence[str], path: str) -> CustomValue:
    if not isinstance(raw, str):
        raise _wrong(path, "must be a string")
    if len(raw) > MAX_TEXT_LENGTH:
        raise InvalidValue(
            path, ErrorCode.TOO_LONG, f"must be at most {MAX_TEXT_LENGTH} characters"
        )
    # PostgreSQL's JSON refuses NUL, and no other control character belongs in a field.
    if has_control_characters(raw, allowed="\t\n\r"):
        raise _wrong(path, "must not contain control characters other than tabs and newlines")
    return raw


def _number(raw: object, _choices: Sequence[str], path: str) -> CustomValue:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _wrong(path, "must be a number")
    if isinstance(raw, int):
        if abs(raw) > MAX_SAFE_INTEGER:
            raise _wrong(path, f"must be an integer of at most {MAX_SAFE_INTEGER} in magnitude")
        return raw
    if not math.isfinite(raw) or abs(raw) > MAX_NUMBER:
        raise _wrong(path, "must be a finite number of at most 1e15 in magnitude")
    return raw + 0.0  # -0.0 becomes 0.0: storage does not keep the sign of zero


def _decimal(raw: object, _choices: Sequence[str], path: str) -> CustomValue:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _wrong(path, 'must be a decimal as a string, such as "12.50"')
    try:
        number = Decimal(raw.strip() if isinstance(raw, str) else raw)
    except InvalidOperation:
        raise _wrong(path, "is not a decimal number") from None
    if not number.is_finite():
        raise _wrong(path, "must be a finite decimal number")
    digits = number.as_tuple().digits
    exponent = cast(int, number.as_tuple().exponent)  # an int for every finite number
    if max(len(digits), len(digits) + exponent, -exponent) > MAX_DECIMAL_DIGITS:
        raise _wrong(path, f"must have at most {MAX_DECIMAL_DIGITS} digits")
    if number.is_zero():
        number = abs(number)
    return format(number, "f")


def _date(raw: object, _choices: Sequence[str], path: str) -> CustomValue:
    if not isinstance(raw, str):
        raise _wrong(path, 'must be an ISO 8601 date string, such as "2026-03-01"')
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise _wrong(path, 'is not an ISO 8601 date, such as "2026-03-01"') from None


def _datetime(raw: object, _choices: Sequence[str], path: str) -> CustomValue:
    message = 'must be an ISO 8601 date and time with a timezone, such as "2026-03-01T09:30:00Z"'
    if not isinstance(raw, str):
        raise _wrong(path, message)
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise _wrong(path, message) from None
    if moment.tzinfo is None:
        raise _wrong(path, message)
    try:
        # In UTC the strings sort in time order, so every store compares them as text.
        return moment.astimezone(UTC).isoformat()
    except OverflowError:
        raise _wrong(path, "is out of range") from None


def _boolean(raw: object, _choices: Sequence[str], path: str) -> CustomValue:
    if not isinstance(raw, bool):
        raise _wrong(path, "must be true or false")
    return raw


def _single_choice(raw: object, choices: Sequence[str], path: str) -> CustomValue:
    if not isinstance(raw, str):
        raise _wrong(path, "must be one of the field's choices, as a string")
    if raw not in choices:
        raise _not_a_choice(path, raw)
    return raw


def _multiple_choice(raw: object, choices: Sequence[str], path: str) -> CustomValue:
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise _wrong(path, "must be a list of the field's choices")
    for item in raw:
        if item not in choices:
            raise _not_a_choice(path, item)
    if len(set(raw)) != len(raw):
        raise _wrong(path, "must not repeat a choice")
    # Stored in the order of the definition, so that equal selections are equal values.
    chosen = set(raw)
    return [choice for choice in choices if choice in chosen]


def _wrong(path: str, message: str) -> InvalidValue:
    return InvalidValue(path, ErrorCode.INVALID, message)


def _not_a_choice(path: str, value: str) -> InvalidValue:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return InvalidValue(path, ErrorCode.INVALID_CHOICE, f"{shown!r} is not one of the choices")


_PARSERS = {
    FieldType.TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.DECIMAL: _decimal,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.BOOLEAN: _boolean,
    FieldType.SINGLE_CHOICE: _single_choice,
    FieldType.MULTIPLE_CHOICE: _multiple_choice,
}


def comparable(field_type: FieldType, value: CustomValue) -> object:
    """What a stored value is compared and ordered by: decimals by number, the rest as is."""
    if field_type is FieldType.DECIMAL and isinstance(value, str):
        return Decimal(value)
    return value


def is_blank(value: object) -> bool:
    """Whether a value counts as missing for a required field."""
    return value is None or value == "" or value == [] or value == ()
