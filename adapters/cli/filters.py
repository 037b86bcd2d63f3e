"""Custom field conditions as people type them on a command line: ``plan=pro``,
``seats>=5``, ``plan in free,pro``, ``renewal is set``.

Values are read as JSON where they parse (``5``, ``true``, ``"5"``) and as text otherwise,
so ``renewal<2025-01-01`` compares a date and ``code="5"`` a text. The list use case then
checks each condition against the field's definition, as it does for the API.
"""

from __future__ import annotations

import json
import re

from application.custom_fields.criteria import FieldCondition, Operator

_UNARY = re.compile(r"^\s*([\w-]+)\s+(is\s+not\s+set|is\s+set)\s*$", re.IGNORECASE)
_IN = re.compile(r"^\s*([\w-]+)\s+in\s+(.+)$", re.IGNORECASE)
_BINARY = re.compile(r"^\s*([\w-]+)\s*(>=|<=|!=|=|>|<|~)\s*(.*?)\s*$")
_OPERATORS = {
    "=": Operator.EQ,
    "!=": Operator.NE,
    "<": Operator.LT,
    "<=": Operator.LTE,
    ">": Operator.GT,
    ">=": Operator.GTE,
    "~": Operator.CONTAINS,
}
SYNTAX = "KEY=VALUE, KEY!=VALUE, KEY<VALUE (<=, >, >=), KEY~TEXT, KEY in A,B, KEY is [not] set"


class FilterSyntaxError(ValueError):
    """A condition that is not one of the forms of :data:`SYNTAX`."""


def parse_field_condition(text: str) -> FieldCondition:
    """One condition on a custom field, or :class:`FilterSyntaxError` saying what was wrong."""
    if match := _UNARY.match(text):
        negated = "not" in match.group(2).lower()
        return FieldCondition(match.group(1), Operator.IS_NOT_SET if negated else Operator.IS_SET)
    if match := _IN.match(text):
        values = [_value(item.strip()) for item in match.group(2).split(",") if item.strip()]
        if not values:
            raise FilterSyntaxError(f"{text!r}: 'in' needs at least one value")
        return FieldCondition(match.group(1), Operator.IN, values)
    if match := _BINARY.match(text):
        key, operator, raw = match.groups()
        if not raw:
            raise FilterSyntaxError(f"{text!r}: no value after {operator!r}")
        value = raw if operator == "~" else _value(raw)
        return FieldCondition(key, _OPERATORS[operator], value)
    raise FilterSyntaxError(f"{text!r} is not a condition; expected one of: {SYNTAX}")


def _value(raw: str) -> object:
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    # Only scalars: a list or object typed here is a mistake, not a value.
    return value if isinstance(value, str | int | float | bool) else raw
