"""The structured face of a segment rule: a GraphQL input tree, read into the rule model.

Each ``SegmentRuleInput`` holds exactly one of its fields: a combination (allOf, anyOf,
not) or one predicate. The tree becomes the same rule the text form parses to, and is
stored and shown as that rule's canonical text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from adapters.graphql.custom_fields import enum_value
from application.errors import InvalidInput
from application.segments.printer import print_rule
from domain.errors import ErrorCode, InvalidValue
from domain.segments.rfm import RFM_CLASSES
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


def described_enum(
    source: Iterable[Any],
    name: str,
    description: str,
    values: Mapping[str, str] | None = None,
) -> Any:
    """A GraphQL enum of a domain enumeration (or of plain strings, named by their upper
    case), each value described by ``values`` or, failing that, by its own value."""
    members = {
        (m.name if isinstance(m, Enum) else str(m).upper()): (
            m.value if isinstance(m, Enum) else str(m)
        )
        for m in source
    }
    described = {
        key: strawberry.enum_value(value, description=(values or {}).get(key, str(value)))
        for key, value in members.items()
    }
    enumeration: type[Enum] = Enum(name, described)  # type: ignore[misc]
    return strawberry.enum(enumeration, description=description)


ComparisonValue = described_enum(
    Comparison,
    "RuleComparison",
    "How a value compares with the rule's.",
    {
        "EQ": "Equal (=).",
        "NE": "Not equal (!=).",
        "LT": "Less than (<).",
        "LTE": "Less than or equal (<=).",
        "GT": "Greater than (>).",
        "GTE": "Greater than or equal (>=).",
    },
)
FieldOpValue = described_enum(
    FieldOp,
    "RuleFieldOperator",
    "What an attribute predicate asks.",
    {
        "COMPARE": "Compares with one value, by comparison.",
        "IN": "Is one of the values.",
        "NOT_IN": "Is none of the values.",
        "BETWEEN": "Lies between two values, both included.",
        "CONTAINS": "Text holding the value.",
        "STARTS_WITH": "Text starting with the value.",
        "IS_SET": "Has a value; give no values.",
        "IS_NOT_SET": "Has no value; give no values.",
    },
)
DateRelationValue = described_enum(
    DateRelation,
    "RuleDateRelation",
    "Dates relative to today (UTC).",
    {
        "IN_LAST": "Within the last days days.",
        "MORE_THAN_AGO": "More than days days ago.",
        "ANNIVERSARY_IN_NEXT": "Its anniversary falls within the next days days.",
    },
)
TagModeValue = described_enum(
    TagMode,
    "RuleTagMode",
    "Any, all or none of the tags.",
    {
        "ANY": "Carries at least one of the tags.",
        "ALL": "Carries every one of the tags.",
        "NONE": "Carries none of the tags.",
    },
)
OrderMetricValue = described_enum(
    OrderMetric,
    "RuleOrderMetric",
    "Count, sum or average of orders.",
    {
        "COUNT": "How many orders.",
        "SUM": "The sum kept of the orders, in major units.",
        "AVG": "The average kept per order, in major units.",
    },
)
OrderDateValue = described_enum(
    OrderDate,
    "RuleOrderDate",
    "The first or the last order.",
    {"FIRST": "The customer's first order.", "LAST": "The customer's latest order."},
)
RfmPartValue = described_enum(
    RfmPart,
    "RuleRfmPart",
    "Recency, frequency or monetary score.",
    {"R": "The recency score.", "F": "The frequency score.", "M": "The monetary score."},
)
RfmClassValue = described_enum(
    RFM_CLASSES,
    "RfmClass",
    "The named RFM classes, on the usual map of recency and frequency scores.",
    {
        "CHAMPIONS": "Bought recently and often.",
        "LOYAL": "Buy often, fairly recently.",
        "POTENTIAL_LOYALIST": "Recent, with a few orders.",
        "NEW": "Bought very recently, for the first time.",
        "PROMISING": "Recent, with few orders.",
        "NEED_ATTENTION": "Middling recency and frequency.",
        "ABOUT_TO_SLEEP": "Slipping away, with few orders.",
        "AT_RISK": "Used to buy often, not lately.",
        "CANT_LOSE": "Bought most often, but long ago.",
        "HIBERNATING": "Long ago and seldom.",
        "LOST": "The longest ago and least often.",
    },
)


@strawberry.input(description="One literal: exactly one of text, number, date, boolean.")
class RuleValueInput:
    text: str | None = strawberry.field(default=None, description="A text.")
    number: Decimal | None = strawberry.field(default=None, description="A number.")
    day: date | None = strawberry.field(default=None, name="date", description="A UTC day.")
    boolean: bool | None = strawberry.field(default=None, description="True or false.")


@strawberry.input(description="A built-in field or custom.<key>; values as op needs them.")
class AttributePredicateInput:
    field: str = strawberry.field(
        description="A built-in field (email, created_at, …) or custom.<key>."
    )
    op: FieldOpValue = strawberry.field(description="What is asked of the field.")  # type: ignore[valid-type]
    comparison: ComparisonValue | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="With COMPARE: how the field compares with the value."
    )
    values: list[RuleValueInput] = strawberry.field(
        default_factory=list,
        description="One for COMPARE, CONTAINS and STARTS_WITH, two for BETWEEN, any for IN "
        "and NOT_IN, none for IS_SET and IS_NOT_SET.",
    )


@strawberry.input(description="A date field relative to today.")
class RelativeDatePredicateInput:
    field: str = strawberry.field(description="A date field: created_at, … or custom.<key>.")
    relation: DateRelationValue = strawberry.field(  # type: ignore[valid-type]
        description="How the date stands to today."
    )
    days: int = strawberry.field(description="How many days.")


@strawberry.input(description="Customers carrying any, all or none of the tags.")
class TagsPredicateInput:
    names: list[str] = strawberry.field(description="Tag names, ignoring case.")
    mode: TagModeValue = strawberry.field(  # type: ignore[valid-type]
        default=TagModeValue.ANY,
        description="Any, all or none of them.",
    )


@strawberry.input(description="Customers at (or, negated, not at) one of the stages of a track.")
class StagePredicateInput:
    track: str = strawberry.field(description="The lifecycle track's key.")
    stages: list[str] = strawberry.field(description="Stage keys of the track.")
    negated: bool = strawberry.field(default=False, description="At none of the stages.")


@strawberry.input(description="How long customers have been at their stage of a track.")
class DaysInStagePredicateInput:
    track: str = strawberry.field(description="The lifecycle track's key.")
    comparison: ComparisonValue = strawberry.field(  # type: ignore[valid-type]
        description="How the days compare."
    )
    days: int = strawberry.field(description="Whole days at the current stage.")


@strawberry.input(description="Only events whose property key holds the value.")
class EventPropertyInput:
    key: str = strawberry.field(description="The property's key.")
    value: RuleValueInput = strawberry.field(description="The value it must hold.")


@strawberry.input(description="How many times customers did a tracked event in the last days.")
class EventPredicateInput:
    name: str = strawberry.field(description="The tracked event's name.")
    days: int = strawberry.field(description="Over how many UTC days, today included (1 to 366).")
    comparison: ComparisonValue = strawberry.field(  # type: ignore[valid-type]
        description="How the count compares with times."
    )
    times: int = strawberry.field(description="The count to compare with.")
    where: EventPropertyInput | None = strawberry.field(
        default=None, description="Count only the events with this property."
    )


@strawberry.input(description="The count, sum or average of customers' orders.")
class OrdersPredicateInput:
    metric: OrderMetricValue = strawberry.field(  # type: ignore[valid-type]
        description="What of the orders is compared."
    )
    comparison: ComparisonValue = strawberry.field(  # type: ignore[valid-type]
        description="How it compares with value."
    )
    value: Decimal = strawberry.field(description="The value to compare with.")
    days: int | None = strawberry.field(
        default=None, description="Orders of the last days days; null: every order."
    )


@strawberry.input(description="When customers placed their first or last order.")
class OrderDatePredicateInput:
    which: OrderDateValue = strawberry.field(  # type: ignore[valid-type]
        description="The first or the last order."
    )
    relation: DateRelationValue = strawberry.field(  # type: ignore[valid-type]
        description="How its day stands to today."
    )
    days: int = strawberry.field(description="How many days.")


@strawberry.input(description="A score of the latest RFM run.")
class RfmScorePredicateInput:
    part: RfmPartValue = strawberry.field(  # type: ignore[valid-type]
        description="Which score."
    )
    comparison: ComparisonValue = strawberry.field(  # type: ignore[valid-type]
        description="How it compares with score."
    )
    score: int = strawberry.field(description="1 to 5.")


@strawberry.input(description="Customers in (or, negated, not in) one of the RFM classes.")
class RfmClassPredicateInput:
    classes: list[RfmClassValue] = strawberry.field(  # type: ignore[valid-type]
        description="The classes."
    )
    negated: bool = strawberry.field(default=False, description="In none of the classes.")


@strawberry.input(description="Exactly one field: a combination of rules, or one predicate.")
class SegmentRuleInput:
    all_of: list[SegmentRuleInput] | None = strawberry.field(
        default=None, description="Every one of these rules (at least two)."
    )
    any_of: list[SegmentRuleInput] | None = strawberry.field(
        default=None, description="Any of these rules (at least two)."
    )
    not_: SegmentRuleInput | None = strawberry.field(
        default=None, name="not", description="Not this rule."
    )
    attribute: AttributePredicateInput | None = strawberry.field(
        default=None, description="A condition on a field of the customer."
    )
    relative_date: RelativeDatePredicateInput | None = strawberry.field(
        default=None, description="A date field relative to today."
    )
    tags: TagsPredicateInput | None = strawberry.field(
        default=None, description="The tags customers carry."
    )
    stage: StagePredicateInput | None = strawberry.field(
        default=None, description="The stage customers are at on a lifecycle track."
    )
    days_in_stage: DaysInStagePredicateInput | None = strawberry.field(
        default=None, description="How long customers have been at their stage."
    )
    event: EventPredicateInput | None = strawberry.field(
        default=None, description="How often customers did a tracked event."
    )
    orders: OrdersPredicateInput | None = strawberry.field(
        default=None, description="The count, sum or average of customers' orders."
    )
    order_date: OrderDatePredicateInput | None = strawberry.field(
        default=None, description="When customers placed their first or last order."
    )
    rfm: RfmScorePredicateInput | None = strawberry.field(
        default=None, description="A score of the latest RFM run."
    )
    rfm_class: RfmClassPredicateInput | None = strawberry.field(
        default=None, description="The class of the latest RFM run."
    )
    segment: str | None = strawberry.field(
        default=None, description="Members of the segment of this name."
    )


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
        classes = tuple(enum_value(c) for c in node.rfm_class.classes)
        return RfmClassIs(classes, node.rfm_class.negated)
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
