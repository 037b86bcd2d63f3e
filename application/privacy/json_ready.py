"""Stored values as plain JSON: what an export holds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs


def json_ready(value: Any) -> Any:
    """``value`` as JSON types: times in ISO 8601, decimals as strings, value objects as
    their one value (an email as its address), records as objects."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return json_ready(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((json_ready(item) for item in value), key=str)
    if attrs.has(type(value)):
        fields = [f for f in attrs.fields(type(value)) if f.name != "events"]
        if len(fields) == 1:
            return json_ready(getattr(value, fields[0].name))
        return {f.name: json_ready(getattr(value, f.name)) for f in fields}
    return str(value)
