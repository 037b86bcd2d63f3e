"""Free-form attributes on a customer: named scalar values with bounded size."""

from __future__ import annotations

import re
from collections.abc import Mapping

from domain.errors import DomainError, ErrorCode, InvalidValue, Problem

AttributeValue = str | int | float | bool
MAX_ATTRIBUTES = 100
MAX_TEXT_LENGTH = 2000
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def validate_attributes(values: Mapping[str, object]) -> dict[str, AttributeValue]:
    """Check names and values; every problem is reported under ``attributes.<name>``."""
    problems: list[Problem] = []
    clean: dict[str, AttributeValue] = {}
    for name, value in values.items():
        path = f"attributes.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(
                Problem(
                    path,
                    ErrorCode.INVALID_NAME,
                    "attribute names are lower_snake_case, start with a letter, "
                    "at most 63 characters",
                )
            )
        elif isinstance(value, bool | int | float):
            if isinstance(value, float) and value != value:  # NaN never equals itself
                problems.append(Problem(path, ErrorCode.INVALID, "must be a finite number"))
            else:
                clean[name] = value
        elif isinstance(value, str):
            if len(value) > MAX_TEXT_LENGTH:
                problems.append(
                    Problem(
                        path, ErrorCode.TOO_LONG, f"must be at most {MAX_TEXT_LENGTH} characters"
                    )
                )
            else:
                clean[name] = value
        else:
            problems.append(Problem(path, ErrorCode.INVALID, "must be a string, number or boolean"))
    if problems:
        raise DomainError(problems)
    if len(clean) > MAX_ATTRIBUTES:
        raise InvalidValue(
            "attributes", ErrorCode.INVALID, f"a customer has at most {MAX_ATTRIBUTES} attributes"
        )
    return clean


def merge_attributes(
    current: Mapping[str, AttributeValue], patch: Mapping[str, object | None]
) -> dict[str, AttributeValue]:
    """Apply a patch where ``None`` removes a name and any other value sets it."""
    merged: dict[str, object] = dict(current)
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return validate_attributes(merged)
