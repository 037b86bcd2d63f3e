"""Custom field conditions typed on the command line."""

from __future__ import annotations

import pytest

from adapters.cli.filters import FilterSyntaxError, parse_field_condition
from application.custom_fields.criteria import FieldCondition, Operator


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plan=pro", FieldCondition("plan", Operator.EQ, "pro")),
        ("plan != pro", FieldCondition("plan", Operator.NE, "pro")),
        ("seats>=5", FieldCondition("seats", Operator.GTE, 5)),
        ("seats<2.5", FieldCondition("seats", Operator.LT, 2.5)),
        ("renewal<2025-01-01", FieldCondition("renewal", Operator.LT, "2025-01-01")),
        ('code="5"', FieldCondition("code", Operator.EQ, "5")),
        ("newsletter=true", FieldCondition("newsletter", Operator.EQ, True)),
        ("notes~late delivery", FieldCondition("notes", Operator.CONTAINS, "late delivery")),
        ("notes~5", FieldCondition("notes", Operator.CONTAINS, "5")),
        ("plan in free, pro", FieldCondition("plan", Operator.IN, ["free", "pro"])),
        ("renewal is set", FieldCondition("renewal", Operator.IS_SET)),
        ("renewal IS NOT SET", FieldCondition("renewal", Operator.IS_NOT_SET)),
        ("tier=[1]", FieldCondition("tier", Operator.EQ, "[1]")),
    ],
)
def test_conditions_read_as_typed(text: str, expected: FieldCondition) -> None:
    assert parse_field_condition(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plan", "is not a condition"),
        ("plan=", "no value after '='"),
        ("plan in  ,", "'in' needs at least one value"),
        ("=pro", "is not a condition"),
    ],
)
def test_malformed_conditions_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError, match=message):
        parse_field_condition(text)
