from datetime import date
from decimal import Decimal

import pytest

from domain.errors import ErrorCode, InvalidValue
from domain.segments.rules import Attribute, Comparison, FieldOp, Value


@pytest.mark.parametrize(
    ("op", "values"),
    [
        (FieldOp.IN, ()),
        (FieldOp.NOT_IN, ()),
        (FieldOp.BETWEEN, (Decimal(1),)),
        (FieldOp.BETWEEN, (Decimal(1), Decimal(2), Decimal(3))),
        (FieldOp.CONTAINS, ()),
        (FieldOp.STARTS_WITH, ("a", "b")),
        (FieldOp.IS_SET, ("a",)),
        (FieldOp.IS_NOT_SET, (date(2025, 1, 1),)),
    ],
)
def test_an_attribute_takes_as_many_values_as_its_operator_needs(
    op: FieldOp, values: tuple[Value, ...]
) -> None:
    with pytest.raises(InvalidValue) as refused:
        Attribute("email", op, values)
    assert [(p.field, p.code) for p in refused.value.problems] == [("values", ErrorCode.INVALID)]


def test_a_comparison_takes_one_value_and_says_how_it_compares() -> None:
    with pytest.raises(InvalidValue) as no_value:
        Attribute("email", FieldOp.COMPARE, (), Comparison.EQ)
    assert no_value.value.problems[0].field == "values"
    with pytest.raises(InvalidValue) as no_comparison:
        Attribute("email", FieldOp.COMPARE, ("a@example.com",))
    assert no_comparison.value.problems[0].code is ErrorCode.REQUIRED
    assert Attribute("email", FieldOp.COMPARE, ("a",), Comparison.EQ).values == ("a",)
