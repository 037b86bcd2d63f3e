"""Rules for one customer at a time, in plain Python: the live re-check after a change.

A vectorised pass costs the same for one customer as for thousands, so re-checking a
changed customer against every dynamic segment compiles each rule once into nested
closures and runs them over that customer's facts. The semantics are the NumPy
evaluator's; the property test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from attrs import frozen

from application.segments.checking import BUILT_IN_FIELDS, CUSTOM_PREFIX, FieldKind
from application.segments.ports import CustomerRow, SegmentFacts
from domain.orders.money import MINOR_UNITS
from domain.segments.calendar import (
    anniversary_days,
    day_bounds,
    day_comparison,
    last_days,
    stage_day_range,
)
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
    Members,
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
    compare,
)


@frozen
class CustomerState:
    """One customer's facts, shaped for rules: values by field, tags, stages, counts."""

    id: str
    values: Mapping[str, Any]
    """Text as str, numbers as float, dates as date, booleans as bool; absent: no value."""
    tags: frozenset[str]
    stages: Mapping[str, tuple[str, date]]
    events: Mapping[str, Mapping[date, int]]
    orders: Sequence[tuple[date, int]]
    rfm: tuple[int, int, int, str] | None
    matching: Mapping[tuple[str, EventProperty], Mapping[date, int]]
    """Daily counts of the events that match a property, for the properties asked for."""


def states(facts: SegmentFacts) -> list[CustomerState]:
    """The state of every customer in ``facts``."""
    fields = {**BUILT_IN_FIELDS, **facts.fields}
    tags: dict[str, set[str]] = {}
    for customer_id, tag in facts.tags:
        tags.setdefault(customer_id, set()).add(tag)
    stages: dict[str, dict[str, tuple[str, date]]] = {}
    for customer_id, track, stage, entered_at in facts.stages:
        stages.setdefault(customer_id, {})[track] = (stage, entered_at.date())
    events: dict[str, dict[str, dict[date, int]]] = {}
    for customer_id, name, day, times in facts.events:
        by_day = events.setdefault(customer_id, {}).setdefault(name, {})
        by_day[day] = by_day.get(day, 0) + times
    orders: dict[str, list[tuple[date, int]]] = {}
    for customer_id, day, amount in facts.orders:
        orders.setdefault(customer_id, []).append((day, amount))
    rfm = {s.customer_id: (s.recency, s.frequency, s.monetary, s.rfm_class) for s in facts.rfm}
    matching: dict[str, dict[tuple[str, EventProperty], dict[date, int]]] = {}
    for key, counts in facts.matching_events.items():
        for customer_id, day, times in counts:
            by_day = matching.setdefault(customer_id, {}).setdefault(key, {})
            by_day[day] = by_day.get(day, 0) + times
    return [
        CustomerState(
            id=row.id,
            values=_values(row, fields),
            tags=frozenset(tags.get(row.id, ())),
            stages=stages.get(row.id, {}),
            events=events.get(row.id, {}),
            orders=orders.get(row.id, []),
            rfm=rfm.get(row.id),
            matching=matching.get(row.id, {}),
        )
        for row in facts.customers
    ]


def _values(row: CustomerRow, fields: Mapping[str, FieldKind]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "first_name": row.first_name,
        "last_name": row.last_name,
        "created_at": row.created_at.date(),
    }
    if row.email is not None:
        values["email"] = row.email
    for name, kind in fields.items():
        if not name.startswith(CUSTOM_PREFIX):
            continue
        raw = row.custom_fields.get(name[len(CUSTOM_PREFIX) :])
        if kind is FieldKind.TEXT and isinstance(raw, str):
            values[name] = raw
        elif (
            kind is FieldKind.NUMBER
            and isinstance(raw, int | float | str)
            and not isinstance(raw, bool)
        ):
            values[name] = float(Decimal(str(raw)))
        elif kind is FieldKind.DATE and isinstance(raw, str):
            values[name] = date.fromisoformat(raw)
        elif kind is FieldKind.BOOLEAN and isinstance(raw, bool):
            values[name] = raw
    return values


Check = Callable[[CustomerState, date], bool]


def compile_rule(rule: Rule, currency: str = "USD") -> Check:
    """``rule`` as a function of one customer's state and the day."""
    return _Compiler(MINOR_UNITS.get(currency, 2)).compile(rule)


class _Compiler:
    def __init__(self, currency_digits: int) -> None:
        self._digits = currency_digits

    def compile(self, rule: Rule) -> Check:
        if isinstance(rule, AllOf):
            parts = [self.compile(part) for part in rule.parts]
            return lambda state, today: all(part(state, today) for part in parts)
        if isinstance(rule, AnyOf):
            parts = [self.compile(part) for part in rule.parts]
            return lambda state, today: any(part(state, today) for part in parts)
        if isinstance(rule, Not):
            inner = self.compile(rule.part)
            return lambda state, today: not inner(state, today)
        if isinstance(rule, Attribute):
            return _attribute(rule)
        if isinstance(rule, RelativeDate):
            name = rule.field
            relative = _relative(rule.relation, rule.days)
            return lambda state, today: relative(state.values.get(name), today)
        if isinstance(rule, HasTags):
            return _tags(rule)
        if isinstance(rule, InStage):
            track, stages, negated = rule.track, frozenset(rule.stages), rule.negated

            def in_stage(state: CustomerState, today: date) -> bool:
                current = state.stages.get(track)
                return (current is not None and current[0] in stages) != negated

            return in_stage
        if isinstance(rule, DaysInStage):
            return _days_in_stage(rule)
        if isinstance(rule, EventCount):
            return _event_count(rule)
        if isinstance(rule, OrderAggregate):
            return self._order_aggregate(rule)
        if isinstance(rule, OrderDateIs):
            relative = _relative(rule.relation, rule.days)
            pick = min if rule.which is OrderDate.FIRST else max

            def order_date(state: CustomerState, today: date) -> bool:
                days = [day for day, _ in state.orders]
                return relative(pick(days) if days else None, today)

            return order_date
        if isinstance(rule, RfmScore):
            return _rfm_score(rule)
        if isinstance(rule, RfmClassIs):
            classes, negated = frozenset(rule.classes), rule.negated
            return lambda state, today: (
                (state.rfm is not None and state.rfm[3] in classes) != negated
            )
        if isinstance(rule, Members):
            ids = rule.customer_ids
            return lambda state, today: state.id in ids
        if isinstance(rule, InSegment):
            raise ValueError("segment references are resolved before evaluation")
        raise TypeError(rule)

    def _order_aggregate(self, rule: OrderAggregate) -> Check:
        window, metric, comparison = rule.days, rule.metric, rule.comparison
        operand = (
            int(rule.value) if metric is OrderMetric.COUNT else int(rule.value * 10**self._digits)
        )

        def aggregate(state: CustomerState, today: date) -> bool:
            if window is None:
                counted = [amount for _, amount in state.orders]
            else:
                first, last = last_days(today, window)
                counted = [amount for day, amount in state.orders if first <= day <= last]
            if metric is OrderMetric.COUNT:
                return compare(len(counted), comparison, operand)
            if metric is OrderMetric.SUM:
                return compare(sum(counted), comparison, operand)
            if not counted:
                return comparison is Comparison.NE
            return compare(sum(counted), comparison, operand * len(counted))

        return aggregate


def _attribute(rule: Attribute) -> Check:
    name, op = rule.field, rule.op
    negative = op is FieldOp.NOT_IN or op is FieldOp.IS_NOT_SET or rule.comparison is Comparison.NE
    test = _positive_test(rule)

    def attribute(state: CustomerState, today: date) -> bool:
        value = state.values.get(name)
        return (value is not None and test(value)) != negative

    return attribute


def _positive_test(rule: Attribute) -> Callable[[Any], bool]:
    """The test a present value must pass; negative operators are its complement."""
    op = rule.op
    values: list[Any] = [_plain(value) for value in rule.values]
    if op in (FieldOp.IS_SET, FieldOp.IS_NOT_SET):
        return lambda value: True
    if op in (FieldOp.IN, FieldOp.NOT_IN):
        wanted = set(values)
        return lambda value: value in wanted
    if op is FieldOp.CONTAINS:
        return lambda value: values[0] in value
    if op is FieldOp.STARTS_WITH:
        return lambda value: bool(value.startswith(values[0]))
    if op is FieldOp.BETWEEN:
        low, high = values
        return lambda value: bool(low <= value <= high)
    comparison = Comparison.EQ if rule.comparison is Comparison.NE else rule.comparison
    assert comparison is not None
    operand = values[0]
    if isinstance(operand, date):
        low_day, high_day = day_comparison(comparison, operand)
        return lambda value: _in_range(value, low_day, high_day)
    return lambda value: compare(value, comparison, operand)


def _plain(value: Value) -> Any:
    """Numbers compare as floats, as the NumPy evaluator stores them."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _in_range(day: date | None, low: date | None, high: date | None) -> bool:
    return day is not None and (low is None or day >= low) and (high is None or day <= high)


def _relative(relation: DateRelation, days: int) -> Callable[[date | None, date], bool]:
    if relation is DateRelation.ANNIVERSARY_IN_NEXT:

        def anniversary(day: date | None, today: date) -> bool:
            return day is not None and (day.month, day.day) in anniversary_days(today, days)

        return anniversary
    return lambda day, today: _in_range(day, *day_bounds(relation, days, today))


def _tags(rule: HasTags) -> Check:
    names = frozenset(name.casefold() for name in rule.names)
    if rule.mode is TagMode.ALL:
        return lambda state, today: names <= state.tags
    if rule.mode is TagMode.NONE:
        return lambda state, today: not (names & state.tags)
    return lambda state, today: bool(names & state.tags)


def _days_in_stage(rule: DaysInStage) -> Check:
    track, days = rule.track, rule.days
    comparison = Comparison.EQ if rule.comparison is Comparison.NE else rule.comparison
    negated = rule.comparison is Comparison.NE

    def days_in_stage(state: CustomerState, today: date) -> bool:
        current = state.stages.get(track)
        entered = None if current is None else current[1]
        return _in_range(entered, *stage_day_range(comparison, days, today)) != negated

    return days_in_stage


def _event_count(rule: EventCount) -> Check:
    name, days, comparison, times = rule.name, rule.days, rule.comparison, rule.times
    key = None if rule.where is None else (name, rule.where)

    def event_count(state: CustomerState, today: date) -> bool:
        first, last = last_days(today, days)
        counts = state.events.get(name, {}) if key is None else state.matching.get(key, {})
        total = sum(count for day, count in counts.items() if first <= day <= last)
        return compare(total, comparison, times)

    return event_count


def _rfm_score(rule: RfmScore) -> Check:
    index = {RfmPart.R: 0, RfmPart.F: 1, RfmPart.M: 2}[rule.part]
    comparison, score = rule.comparison, rule.score

    def rfm_score(state: CustomerState, today: date) -> bool:
        if state.rfm is None:
            return comparison is Comparison.NE
        recency, frequency, monetary, _ = state.rfm
        return compare((recency, frequency, monetary)[index], comparison, score)

    return rfm_score


class PythonRuleMatcher:
    """``RuleMatcher``: which of many rules each of a few customers meets."""

    def __init__(self, currency: str = "USD") -> None:
        self._currency = currency
        self._compiled: dict[tuple[str, Rule], Check] = {}

    def matching(
        self, rules: Mapping[str, Rule], facts: SegmentFacts, today: date
    ) -> dict[str, set[str]]:
        checks = {key: self._check(key, rule) for key, rule in rules.items()}
        return {
            state.id: {key for key, check in checks.items() if check(state, today)}
            for state in states(facts)
        }

    def _check(self, key: str, rule: Rule) -> Check:
        found = self._compiled.get((key, rule))
        if found is None:
            found = self._compiled[(key, rule)] = compile_rule(rule, self._currency)
        return found
