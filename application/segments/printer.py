"""The canonical text of a segment rule: what the parser reads back to the same rule."""

from __future__ import annotations

import json
from decimal import Decimal

from domain.segments.rules import (
    AllOf,
    AnyOf,
    Attribute,
    DateRelation,
    DaysInStage,
    EventCount,
    FieldOp,
    HasTags,
    InSegment,
    InStage,
    Members,
    Not,
    OrderAggregate,
    OrderDateIs,
    RelativeDate,
    RfmClassIs,
    RfmScore,
    Rule,
    TagMode,
    Value,
)


def print_rule(rule: Rule) -> str:
    """The canonical text of ``rule``: compound parts inside compounds are parenthesised."""
    if isinstance(rule, AllOf | AnyOf):
        joiner = " and " if isinstance(rule, AllOf) else " or "
        return joiner.join(_operand(part) for part in rule.parts)
    if isinstance(rule, Not):
        return "not " + _operand(rule.part)
    return _predicate(rule)


def _operand(rule: Rule) -> str:
    text = print_rule(rule)
    return f"({text})" if isinstance(rule, AllOf | AnyOf) else text


def _predicate(rule: Rule) -> str:
    if isinstance(rule, HasTags):
        if rule.mode is TagMode.ANY and len(rule.names) == 1:
            return f"tag({_quote(rule.names[0])})"
        return f"tags.{rule.mode}({_strings(rule.names)})"
    if isinstance(rule, InStage):
        return f"stage({rule.track}) {_membership(rule.stages, rule.negated)}"
    if isinstance(rule, DaysInStage):
        return f"stage_days({rule.track}) {rule.comparison} {rule.days}"
    if isinstance(rule, EventCount):
        where = "" if rule.where is None else f", {rule.where.key} = {_value(rule.where.value)}"
        return f"event({_quote(rule.name)}, {rule.days}d{where}) {rule.comparison} {rule.times}"
    if isinstance(rule, OrderAggregate):
        window = "" if rule.days is None else f"{rule.days}d"
        return f"orders.{rule.metric}({window}) {rule.comparison} {_decimal(rule.value)}"
    if isinstance(rule, OrderDateIs):
        return f"orders.{rule.which} {_relative(rule.relation, rule.days)}"
    if isinstance(rule, RfmScore):
        return f"rfm.{rule.part} {rule.comparison} {rule.score}"
    if isinstance(rule, RfmClassIs):
        return f"rfm.class {_membership(rule.classes, rule.negated)}"
    if isinstance(rule, InSegment):
        return f"segment({_quote(rule.name)})"
    if isinstance(rule, Attribute):
        return f"{rule.field} {_test(rule)}"
    if isinstance(rule, RelativeDate):
        return f"{rule.field} {_relative(rule.relation, rule.days)}"
    if isinstance(rule, Members):
        raise ValueError("a fixed set of members has no text form")
    raise TypeError(rule)


def _test(rule: Attribute) -> str:
    values = rule.values
    if rule.op is FieldOp.COMPARE:
        return f"{rule.comparison} {_value(values[0])}"
    if rule.op is FieldOp.IN:
        return f"in ({', '.join(map(_value, values))})"
    if rule.op is FieldOp.NOT_IN:
        return f"not in ({', '.join(map(_value, values))})"
    if rule.op is FieldOp.BETWEEN:
        return f"between {_value(values[0])} and {_value(values[1])}"
    if rule.op is FieldOp.CONTAINS:
        return f"contains {_value(values[0])}"
    if rule.op is FieldOp.STARTS_WITH:
        return f"starts with {_value(values[0])}"
    return str(rule.op)


def _relative(relation: DateRelation, days: int) -> str:
    if relation is DateRelation.IN_LAST:
        return f"in last {days}d"
    if relation is DateRelation.MORE_THAN_AGO:
        return f"more than {days}d ago"
    return f"anniversary in next {days}d"


def _membership(names: tuple[str, ...], negated: bool) -> str:
    if len(names) == 1:
        return f"{'!=' if negated else '='} {_quote(names[0])}"
    return f"{'not in' if negated else 'in'} ({_strings(names)})"


def _value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, Decimal):
        return _decimal(value)
    return value.isoformat()


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _strings(names: tuple[str, ...]) -> str:
    return ", ".join(_quote(name) for name in names)
