"""The structured face of a segment rule: a GraphQL input tree, read into the rule model.

Each ``SegmentRuleInput`` holds exactly one of its fields: a combination (allOf, anyOf,
not) or one predicate. The tree becomes the same rule the text form parses to, and is
stored and shown as that rule's canonical text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from adapters.graphql.custom_fields import enum_value
from application.errors import InvalidInput
from application.segments.printer import print_rule
from domain.errors import ErrorCode, InvalidValue
from domain.segments.rules import (
    AllOf,
    AnyOf,
    Attribute,
    Comparison,
    DateRelation,
    DaysInStage,
    EventCount,
    EventProperty,
    FieldOp,
    HasTags,
    InSegment,
    InStage,
    Not,
    OrderAggregate,
    OrderDate,
    OrderDateIs,
    OrderMetric,
    RelativeDate,
    RfmClassIs,
    RfmPart,
    RfmScore,
    Rule,
    TagMode,
    Value,
)


def _enum(source: type[Enum], name: str, description: str) -> Any:
    members: type[Enum] = Enum(name, {m.name: m.value for m in source})  # type: ignore[misc]
    return strawberry.enum(members, description=description)


ComparisonValue = _enum(Comparison, "RuleComparison", "= != < <= > >=")
FieldOpValue = _enum(FieldOp, "RuleFieldOperator", "What an attribute predicate asks.")
DateRelationValue = _enum(DateRelation, "RuleDateRelation", "Dates relative to today.")
TagModeValue = _enum(TagMode, "RuleTagMode", "Any, all or none of the tags.")
OrderMetricValue = _enum(OrderMetric, "RuleOrderMetric", "Count, sum or average of orders.")
OrderDateValue = _enum(OrderDate, "RuleOrderDate", "The first or the last order.")
RfmPartValue = _enum(RfmPart, "RuleRfmPart", "Recency, frequency or monetary score.")


@strawberry.input(description="One literal: exactly one of text, number, date, boolean.")
class RuleValueInput:
    text: str | None = None
    number: Decimal | None = None
    day: date | None = strawberry.field(default=None, name="date")
    boolean: bool | None = None


@strawberry.input(description="A built-in field or custom.<key>; values as op needs them.")
class AttributePredicateInput:
    field: str
    op: FieldOpValue  # type: ignore[valid-type]
    comparison: ComparisonValue | None = None  # type: ignore[valid-type]
    values: list[RuleValueInput] = strawberry.field(default_factory=list)


@strawberry.input
class RelativeDatePredicateInput:
    field: str
    relation: DateRelationValue  # type: ignore[valid-type]
    days: int


@strawberry.input
class TagsPredicateInput:
    names: list[str]
    mode: TagModeValue = TagModeValue.ANY  # type: ignore[valid-type]


@strawberry.input
class StagePredicateInput:
    track: str
    stages: list[str]
    negated: bool = False


@strawberry.input
class DaysInStagePredicateInput:
    track: str
    comparison: ComparisonValue  # type: ignore[valid-type]
    days: int


@strawberry.input(description="Only events whose property key holds the value.")
class EventPropertyInput:
    key: str
    value: RuleValueInput


@strawberry.input
class EventPredicateInput:
    name: str
    days: int
    comparison: ComparisonValue  # type: ignore[valid-type]
    times: int
    where: EventPropertyInput | None = None


@strawberry.input
class OrdersPredicateInput:
    metric: OrderMetricValue  # type: ignore[valid-type]
    comparison: ComparisonValue  # type: ignore[valid-type]
    value: Decimal
    days: int | None = strawberry.field(default=None, description="Null: every order.")


@strawberry.input
class OrderDatePredicateInput:
    which: OrderDateValue  # type: ignore[valid-type]
    relation: DateRelationValue  # type: ignore[valid-type]
    days: int


@strawberry.input
class RfmScorePredicateInput:
    part: RfmPartValue  # type: ignore[valid-type]
    comparison: ComparisonValue  # type: ignore[valid-type]
    score: int


@strawberry.input
class RfmClassPredicateInput:
    classes: list[str]
    negated: bool = False


@strawberry.input(description="Exactly one field: a combination of rules, or one predicate.")
class SegmentRuleInput:
    all_of: list[SegmentRuleInput] | None = None
    any_of: list[SegmentRuleInput] | None = None
    not_: SegmentRuleInput | None = strawberry.field(default=None, name="not")
    attribute: AttributePredicateInput | None = None
    relative_date: RelativeDatePredicateInput | None = None
    tags: TagsPredicateInput | None = None
    stage: StagePredicateInput | None = None
    days_in_stage: DaysInStagePredicateInput | None = None
    event: EventPredicateInput | None = None
    orders: OrdersPredicateInput | None = None
    order_date: OrderDatePredicateInput | None = None
    rfm: RfmScorePredicateInput | None = None
    rfm_class: RfmClassPredicateInput | None = None
    segment: str | None = strawberry.field(default=None, description="A segment's name.")


MAX_INPUT_DEPTH = 12


def rule_text(rule: str | None, rule_input: SegmentRuleInput | None) -> str:
    """The text of a rule given in either face; exactly one must be given."""
    if (rule is None) == (rule_input is None):
        raise InvalidInput("rule", ErrorCode.INVALID, "give exactly one of rule and ruleInput")
    if rule_input is not None:
        return print_rule(rule_from_input(rule_input))
    assert rule is not None
    return rule


def rule_from_input(node: SegmentRuleInput, path: str = "ruleInput", depth: int = 0) -> Rule:
    """The rule the input tree describes; an ``InvalidInput`` names the node at fault."""
    if depth > MAX_INPUT_DEPTH:
        raise InvalidInput(path, ErrorCode.INVALID, f"rules nest at most {MAX_INPUT_DEPTH} levels")
    given = [name for name, value in vars(node).items() if value is not None]
    if len(given) != 1:
        raise InvalidInput(path, ErrorCode.INVALID, "give exactly one condition or combination")
    if node.all_of is not None or node.any_of is not None:
        key = "allOf" if node.all_of is not None else "anyOf"
        children = node.all_of if node.all_of is not None else node.any_of or []
        if len(children) < 2:
            raise InvalidInput(f"{path}.{key}", ErrorCode.INVALID, "combine at least two rules")
        parts = tuple(
            rule_from_input(child, f"{path}.{key}.{i}", depth + 1)
            for i, child in enumerate(children)
        )
        return AllOf(parts) if key == "allOf" else AnyOf(parts)
    if node.not_ is not None:
        return Not(rule_from_input(node.not_, f"{path}.not", depth + 1))
    return _predicate(node, path)


def _predicate(node: SegmentRuleInput, path: str) -> Rule:
    if node.attribute is not None:
        a = node.attribute
        comparison = None if a.comparison is None else Comparison(enum_value(a.comparison))
        values = tuple(_value(v, f"{path}.attribute.values.{i}") for i, v in enumerate(a.values))
        try:
            return Attribute(a.field, FieldOp(enum_value(a.op)), values, comparison)
        except InvalidValue as error:
            problem = error.problems[0]
            field = f"{path}.attribute.{problem.field}"
            raise InvalidInput(field, problem.code, problem.message) from None
    if node.relative_date is not None:
        r = node.relative_date
        return RelativeDate(r.field, DateRelation(enum_value(r.relation)), r.days)
    if node.tags is not None:
        return HasTags(TagMode(enum_value(node.tags.mode)), tuple(node.tags.names))
    if node.stage is not None:
        return InStage(node.stage.track, tuple(node.stage.stages), node.stage.negated)
    if node.days_in_stage is not None:
        d = node.days_in_stage
        return DaysInStage(d.track, Comparison(enum_value(d.comparison)), d.days)
    if node.event is not None:
        e = node.event
        where = None
        if e.where is not None:
            value = _value(e.where.value, f"{path}.event.where.value")
            where = EventProperty(e.where.key, value)
        return EventCount(e.name, e.days, Comparison(enum_value(e.comparison)), e.times, where)
    if node.orders is not None:
        o = node.orders
        return OrderAggregate(
            OrderMetric(enum_value(o.metric)), o.days, Comparison(enum_value(o.comparison)), o.value
        )
    if node.order_date is not None:
        od = node.order_date
        return OrderDateIs(
            OrderDate(enum_value(od.which)), DateRelation(enum_value(od.relation)), od.days
        )
    if node.rfm is not None:
        return RfmScore(
            RfmPart(enum_value(node.rfm.part)),
            Comparison(enum_value(node.rfm.comparison)),
            node.rfm.score,
        )
    if node.rfm_class is not None:
        return RfmClassIs(tuple(node.rfm_class.classes), node.rfm_class.negated)
    assert node.segment is not None
    return InSegment(node.segment)


def _value(value: RuleValueInput, path: str) -> Value:
    given = [v for v in (value.text, value.number, value.day, value.boolean) if v is not None]
    if len(given) != 1:
        raise InvalidInput(
            path, ErrorCode.INVALID, "give exactly one of text, number, date, boolean"
        )
    found: Value = given[0]
    return found
