"""Segment rules compiled to one SQLAlchemy Core query: the reference for correctness.

Each predicate becomes a condition on ``customers``; counts and sums become
``id IN (SELECT customer_id … GROUP BY … HAVING …)``, or ``NOT IN`` the complement when a
customer with no rows at all (a count of 0) meets the predicate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
    type_coerce,
)

from adapters.persistence.custom_field_sql import CustomFieldSql
from adapters.persistence.tables import (
    custom_field_definitions,
    customer_rfm,
    customer_stages,
    customer_tags,
    customers,
    event_daily_counts,
    orders,
    tags,
    tracked_events,
)
from application.segments.checking import CUSTOM_PREFIX
from application.segments.ports import Evaluation
from domain.custom_fields import FieldType, ObjectType
from domain.orders.money import MINOR_UNITS
from domain.orders.order import OrderStatus
from domain.segments.calendar import (
    anniversary_days,
    day_bounds,
    day_comparison,
    last_days,
    stage_day_range,
)
from domain.segments.rules import (
    COMPARE,
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
from domain.tags.tag import name_key

Condition = ColumnElement[bool]
_BUILT_IN_TEXT = {
    "email": customers.c.email,
    "first_name": customers.c.first_name,
    "last_name": customers.c.last_name,
}


def _comparison(left: Any, comparison: Comparison, right: Any) -> Condition:
    condition: Condition = COMPARE[comparison](left, right)
    return condition


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _within(column: Any, low: date | None, high: date | None) -> Condition:
    """``column`` (a timestamp) falls on a UTC day in ``low``..``high``, both included."""
    parts: list[Condition] = [column.is_not(None)]
    if low is not None:
        parts.append(column >= _start_of(low))
    if high is not None:
        parts.append(column < _start_of(high + timedelta(days=1)))
    return and_(*parts)


class RuleCompiler:
    """Compiles rules for one dialect, given the custom fields' types and the currency."""

    def __init__(
        self, dialect_name: str, field_types: Mapping[str, FieldType], currency: str
    ) -> None:
        self._postgres = dialect_name == "postgresql"
        self._json = CustomFieldSql(dialect_name)
        self._field_types = field_types
        self._currency = currency
        self._digits = MINOR_UNITS.get(currency, 2)

    def query(self, rule: Rule, today: date) -> Select[Any]:
        """The ids of the active customers meeting ``rule``."""
        return select(customers.c.id).where(
            customers.c.archived_at.is_(None), self.condition(rule, today)
        )

    def condition(self, rule: Rule, today: date) -> Condition:
        if isinstance(rule, AllOf):
            return and_(true(), *(self.condition(part, today) for part in rule.parts))
        if isinstance(rule, AnyOf):
            return or_(false(), *(self.condition(part, today) for part in rule.parts))
        if isinstance(rule, Not):
            return not_(self.condition(rule.part, today))
        if isinstance(rule, Attribute):
            return self._attribute(rule)
        if isinstance(rule, RelativeDate):
            return self._relative(rule.field, rule.relation, rule.days, today)
        if isinstance(rule, HasTags):
            return self._tags(rule)
        if isinstance(rule, InStage):
            found = customers.c.id.in_(
                select(customer_stages.c.customer_id).where(
                    customer_stages.c.track == rule.track,
                    customer_stages.c.stage.in_(rule.stages),
                )
            )
            return not_(found) if rule.negated else found
        if isinstance(rule, DaysInStage):
            return self._days_in_stage(rule, today)
        if isinstance(rule, EventCount):
            return self._event_count(rule, today)
        if isinstance(rule, OrderAggregate):
            return self._order_aggregate(rule, today)
        if isinstance(rule, OrderDateIs):
            return self._order_date(rule, today)
        if isinstance(rule, RfmScore | RfmClassIs):
            return self._rfm(rule)
        if isinstance(rule, Members):
            return customers.c.id.in_(sorted(rule.customer_ids))
        if isinstance(rule, InSegment):
            raise ValueError("segment references are resolved before evaluation")
        raise TypeError(rule)

    # Attributes: built-in columns and custom fields inside the JSON document.

    def _text(self, expression: Any) -> Any:
        return expression.collate("C") if self._postgres else expression

    def _value(self, name: str) -> tuple[Any, FieldType]:
        if name in _BUILT_IN_TEXT:
            return self._text(type_coerce(_BUILT_IN_TEXT[name], String())), FieldType.TEXT
        if name == "created_at":
            return customers.c.created_at, FieldType.DATETIME
        key = name[len(CUSTOM_PREFIX) :]
        field_type = self._field_types[key]
        return self._json.value(customers.c.custom_fields, key, field_type), field_type

    def _operand(self, field_type: FieldType, value: Value) -> Any:
        if field_type is FieldType.DATE and isinstance(value, date):
            return literal(value.isoformat(), String())
        if isinstance(value, Decimal) and not self._postgres:
            return self._json.operand(field_type, float(value))
        return self._json.operand(field_type, value)

    def _attribute(self, rule: Attribute) -> Condition:
        value, field_type = self._value(rule.field)
        op = rule.op
        if op is FieldOp.IS_SET:
            return and_(true(), value.is_not(None))
        if op is FieldOp.IS_NOT_SET:
            return and_(true(), value.is_(None))
        if op is FieldOp.NOT_IN:
            return or_(value.is_(None), not_(self._attribute(_as(rule, FieldOp.IN))))
        if op is FieldOp.COMPARE and rule.comparison is Comparison.NE:
            equal = self._attribute(_as(rule, FieldOp.COMPARE, Comparison.EQ))
            return or_(value.is_(None), not_(equal))
        if field_type is FieldType.DATETIME:
            return self._timestamp(value, rule)
        # NULL must never reach a NOT: every positive test is false without a value.
        return and_(value.is_not(None), self._positive(value, field_type, rule))

    def _positive(self, value: Any, field_type: FieldType, rule: Attribute) -> Condition:
        op = rule.op
        if op is FieldOp.CONTAINS:
            needle = str(rule.values[0])
            position = func.strpos(value, needle) if self._postgres else func.instr(value, needle)
            return and_(true(), position > 0)
        if op is FieldOp.STARTS_WITH:
            prefix = str(rule.values[0])
            return and_(true(), func.substr(value, 1, len(prefix)) == literal(prefix, String()))
        operands = [self._operand(field_type, v) for v in rule.values]
        if op is FieldOp.IN:
            return or_(false(), *(value == operand for operand in operands))
        if op is FieldOp.BETWEEN:
            return and_(value >= operands[0], value <= operands[1])
        assert rule.comparison is not None
        return _comparison(value, rule.comparison, operands[0])

    def _timestamp(self, column: Any, rule: Attribute) -> Condition:
        """created_at against dates: compared by UTC day, as ranges of timestamps."""
        days = [v for v in rule.values if isinstance(v, date)]
        if rule.op is FieldOp.IN:
            return or_(false(), *(_within(column, day, day) for day in days))
        if rule.op is FieldOp.BETWEEN:
            return _within(column, days[0], days[1])
        assert rule.comparison is not None
        return _within(column, *day_comparison(rule.comparison, days[0]))

    def _month_day(self, expression: Any, field_type: FieldType) -> Any:
        if field_type is FieldType.DATE:
            return func.substr(expression, 6, 5)
        if self._postgres:
            return func.to_char(func.timezone("UTC", expression), "MM-DD")
        return func.strftime("%m-%d", expression)

    def _relative(self, name: str, relation: DateRelation, days: int, today: date) -> Condition:
        value, field_type = self._value(name)
        return self._relative_to(value, field_type, relation, days, today)

    def _relative_to(
        self, value: Any, field_type: FieldType, relation: DateRelation, days: int, today: date
    ) -> Condition:
        if relation is DateRelation.ANNIVERSARY_IN_NEXT:
            wanted = sorted(f"{m:02d}-{d:02d}" for m, d in anniversary_days(today, days))
            return and_(value.is_not(None), self._month_day(value, field_type).in_(wanted))
        low, high = day_bounds(relation, days, today)
        if field_type is FieldType.DATE:
            parts: list[Condition] = [value.is_not(None)]
            if low is not None:
                parts.append(value >= low.isoformat())
            if high is not None:
                parts.append(value <= high.isoformat())
            return and_(*parts)
        return _within(value, low, high)

    # Tags, stages, events.

    def _tags(self, rule: HasTags) -> Condition:
        keys = sorted({name_key(name) for name in rule.names})
        tagged = (
            select(customer_tags.c.customer_id)
            .join(tags, tags.c.id == customer_tags.c.tag_id)
            .where(tags.c.name_key.in_(keys))
        )
        if rule.mode is TagMode.ALL:
            every = tagged.group_by(customer_tags.c.customer_id).having(
                func.count(func.distinct(tags.c.name_key)) == len(keys)
            )
            return customers.c.id.in_(every)
        found = customers.c.id.in_(tagged)
        return not_(found) if rule.mode is TagMode.NONE else found

    def _days_in_stage(self, rule: DaysInStage, today: date) -> Condition:
        def entered(comparison: Comparison) -> Condition:
            return customers.c.id.in_(
                select(customer_stages.c.customer_id).where(
                    customer_stages.c.track == rule.track,
                    _within(
                        customer_stages.c.entered_at,
                        *stage_day_range(comparison, rule.days, today),
                    ),
                )
            )

        if rule.comparison is Comparison.NE:
            return not_(entered(Comparison.EQ))
        return entered(rule.comparison)

    def _event_count(self, rule: EventCount, today: date) -> Condition:
        first, last = last_days(today, rule.days)
        if rule.where is not None:
            # Properties live on the events themselves, not in the daily counts.
            matching = (
                select(tracked_events.c.customer_id)
                .where(
                    tracked_events.c.name == rule.name,
                    _within(tracked_events.c.occurred_at, first, last),
                    self._property_is(tracked_events.c.properties, rule.where),
                )
                .group_by(tracked_events.c.customer_id)
            )
            return _counting(matching, func.count(), rule.comparison, rule.times)
        total = func.sum(event_daily_counts.c.occurrences)
        counted = (
            select(event_daily_counts.c.customer_id)
            .where(
                event_daily_counts.c.name == rule.name,
                event_daily_counts.c.day >= first,
                event_daily_counts.c.day <= last,
            )
            .group_by(event_daily_counts.c.customer_id)
        )
        return _counting(counted, total, rule.comparison, rule.times)

    def _property_is(self, column: Any, where: EventProperty) -> Condition:
        """The property holds the value, with the same JSON type; never NULL-valued."""
        item = column[where.key]
        value = where.value
        if self._postgres:
            kind: Any = func.jsonb_typeof(item)
        else:
            kind = func.json_type(column, f'$."{where.key}"')
        kinds: tuple[str, ...]
        operand: object
        if isinstance(value, bool):
            kinds, extracted, operand = ("boolean", "true", "false"), item.as_boolean(), value
        elif isinstance(value, Decimal):
            kinds, extracted, operand = ("number", "integer", "real"), item.as_float(), float(value)
        else:
            kinds, extracted, operand = ("string", "text"), item.as_string(), str(value)
        # CASE keeps PostgreSQL from casting a value of another type.
        typed = case((kind.in_(kinds), extracted), else_=null())
        return and_(kind.in_(kinds), typed == operand)

    # Orders and RFM.

    def _orders(self, today: date, days: int | None) -> Select[Any]:
        conditions: list[Condition] = [
            orders.c.currency == self._currency,
            orders.c.status != OrderStatus.CANCELLED.value,
        ]
        if days is not None:
            conditions.append(_within(orders.c.placed_at, *last_days(today, days)))
        return select(orders.c.customer_id).where(*conditions).group_by(orders.c.customer_id)

    def _order_aggregate(self, rule: OrderAggregate, today: date) -> Condition:
        grouped = self._orders(today, rule.days)
        amount = func.sum(orders.c.total_minor - orders.c.refunded_minor)
        if rule.metric is OrderMetric.COUNT:
            return _counting(grouped, func.count(), rule.comparison, int(rule.value))
        minor = int(rule.value * 10**self._digits)
        if rule.metric is OrderMetric.SUM:
            return _counting(grouped, amount, rule.comparison, minor)
        # An average compares without dividing: sum <op> value * count, where there are orders.
        if rule.comparison is Comparison.NE:
            return not_(customers.c.id.in_(grouped.having(amount == minor * func.count())))
        return customers.c.id.in_(
            grouped.having(_comparison(amount, rule.comparison, minor * func.count()))
        )

    def _order_date(self, rule: OrderDateIs, today: date) -> Condition:
        grouped = self._orders(today, None)
        placed = (
            func.min(orders.c.placed_at)
            if rule.which is OrderDate.FIRST
            else func.max(orders.c.placed_at)
        )
        if rule.relation is DateRelation.ANNIVERSARY_IN_NEXT:
            wanted = sorted(f"{m:02d}-{d:02d}" for m, d in anniversary_days(today, rule.days))
            inner = grouped.add_columns(placed.label("placed")).subquery()
            return customers.c.id.in_(
                select(inner.c.customer_id).where(
                    self._month_day(inner.c.placed, FieldType.DATETIME).in_(wanted)
                )
            )
        low, high = day_bounds(rule.relation, rule.days, today)
        bounds: list[Condition] = []
        if low is not None:
            bounds.append(placed >= _start_of(low))
        if high is not None:
            bounds.append(placed < _start_of(high + timedelta(days=1)))
        return customers.c.id.in_(grouped.having(and_(*bounds)))

    def _rfm(self, rule: RfmScore | RfmClassIs) -> Condition:
        scored = select(customer_rfm.c.customer_id)
        if isinstance(rule, RfmClassIs):
            found = customers.c.id.in_(scored.where(customer_rfm.c.rfm_class.in_(rule.classes)))
            return not_(found) if rule.negated else found
        column = {
            RfmPart.R: customer_rfm.c.recency,
            RfmPart.F: customer_rfm.c.frequency,
            RfmPart.M: customer_rfm.c.monetary,
        }[rule.part]
        if rule.comparison is Comparison.NE:
            return not_(customers.c.id.in_(scored.where(column == rule.score)))
        return customers.c.id.in_(scored.where(_comparison(column, rule.comparison, rule.score)))


def _as(rule: Attribute, op: FieldOp, comparison: Comparison | None = None) -> Attribute:
    return Attribute(rule.field, op, rule.values, comparison)


def _counting(grouped: Select[Any], total: Any, comparison: Comparison, operand: int) -> Condition:
    """``total comparison operand`` per customer, where customers without rows total 0."""
    if compare(0, comparison, operand):
        return not_(
            customers.c.id.in_(grouped.having(not_(_comparison(total, comparison, operand))))
        )
    return customers.c.id.in_(grouped.having(_comparison(total, comparison, operand)))


class SqlSegmentEvaluator:
    """``SegmentEvaluator`` as one query per rule on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine, currency: str = "USD") -> None:
        self._engine = engine
        self._currency = currency

    def compiler(self) -> RuleCompiler:
        query = select(custom_field_definitions.c.key, custom_field_definitions.c.field_type).where(
            custom_field_definitions.c.object_type == ObjectType.CUSTOMER
        )
        with self._engine.connect() as connection:
            types = {row.key: row.field_type for row in connection.execute(query)}
        return RuleCompiler(self._engine.dialect.name, types, self._currency)

    def evaluate(self, rule: Rule, today: date, *, limit: int | None = None) -> Evaluation:
        members = self.compiler().query(rule, today).subquery()
        count = select(func.count()).select_from(members)
        order = (
            members.c.id.collate("C") if self._engine.dialect.name == "postgresql" else members.c.id
        )
        ids = select(members.c.id).order_by(order)
        if limit is not None:
            ids = ids.limit(limit)
        with self._engine.connect() as connection:
            total = int(connection.execute(count).scalar_one())
            found: Sequence[str] = list(connection.execute(ids).scalars())
        return Evaluation(count=total, ids=found)

    def count(self, rule: Rule, today: date) -> int:
        """Only how many: what the benchmark times against the NumPy evaluator."""
        members = self.compiler().query(rule, today).subquery()
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(members)).scalar_one())
