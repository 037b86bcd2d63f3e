"""Custom field values inside JSON columns as SQL: typed extraction and conditions.

One expression per type that SQLite and PostgreSQL both evaluate as the in-memory adapter
does: text by code point, numbers and decimals by value (SQLite compares decimals as
doubles, exact to 15 significant digits), booleans false before true.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Numeric,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
)

from application.custom_fields.criteria import FieldCondition, Operator
from domain.custom_fields import FieldType

_TEXTUAL = frozenset({FieldType.TEXT, FieldType.DATE, FieldType.DATETIME, FieldType.SINGLE_CHOICE})


class CustomFieldSql:
    """Expressions over one dialect's JSON functions."""

    def __init__(self, dialect_name: str) -> None:
        self._postgres = dialect_name == "postgresql"

    def value(self, column: Any, key: str, field_type: FieldType) -> ColumnElement[Any]:
        """The value of ``key`` as its type compares; NULL where there is none."""
        item = column[key]
        expression: ColumnElement[Any]
        if field_type in _TEXTUAL:
            expression = item.as_string()
            if self._postgres:
                expression = expression.collate("C")
        elif field_type is FieldType.NUMBER:
            expression = item.as_float()
        elif field_type is FieldType.DECIMAL:
            expression = cast(item.as_string(), Numeric() if self._postgres else Float())
        elif field_type is FieldType.BOOLEAN:
            expression = item.as_boolean()
        else:
            # A multiple choice, as JSON text: only ever tested for NULL.
            expression = item.as_string()
        return expression

    def operand(self, field_type: FieldType, value: object) -> ColumnElement[Any]:
        """A bound value of the type that ``value()`` extracts."""
        if value is None:
            return null()
        if field_type in _TEXTUAL:
            return literal(value, String())
        if field_type is FieldType.DECIMAL or (field_type is FieldType.NUMBER and self._postgres):
            number = value if isinstance(value, Decimal) else Decimal(repr(value))
            return literal(number, Numeric()) if self._postgres else literal(float(number), Float())
        if field_type is FieldType.NUMBER:
            return literal(value, Float())
        return literal(value, Boolean())

    def condition(self, column: Any, condition: FieldCondition) -> ColumnElement[bool]:
        field_type = condition.field_type
        if field_type is None:
            raise ValueError(f"condition on {condition.key} was not resolved")
        value = self.value(column, condition.key, field_type)
        op = condition.op
        if op is Operator.IS_SET:
            return value.is_not(None)
        if op is Operator.IS_NOT_SET:
            return value.is_(None)
        if op is Operator.NE:
            equal = self.condition(
                column, FieldCondition(condition.key, Operator.EQ, condition.value, field_type)
            )
            return or_(value.is_(None), not_(equal))
        if op is Operator.CONTAINS:
            return self._contains(column, condition.key, field_type, str(condition.value))
        if op is Operator.IN:
            options = [self.operand(field_type, item) for item in condition.value]  # type: ignore[attr-defined]
            return or_(false(), *(value == option for option in options))
        operand = self.operand(field_type, condition.value)
        comparisons = {
            Operator.EQ: value == operand,
            Operator.LT: value < operand,
            Operator.LTE: value <= operand,
            Operator.GT: value > operand,
            Operator.GTE: value >= operand,
        }
        return and_(true(), comparisons[op])

    def _contains(
        self, column: Any, key: str, field_type: FieldType, needle: str
    ) -> ColumnElement[bool]:
        if field_type is FieldType.MULTIPLE_CHOICE:
            if self._postgres:
                chosen: ColumnElement[Any] = column[key].op("@>")(
                    func.jsonb_build_array(cast(literal(needle), String))
                )
                return chosen.is_(True)
            elements = func.json_each(column, f'$."{key}"').table_valued("value")
            return exists(select(1).select_from(elements).where(elements.c.value == needle))
        text = column[key].as_string()
        position = func.strpos(text, needle) if self._postgres else func.instr(text, needle)
        return position > 0
