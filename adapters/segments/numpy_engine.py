"""The NumPy segment evaluator: every predicate a vectorised pass over the snapshot's columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from adapters.segments.snapshot import (
    MISSING_DAY,
    DateColumn,
    EventColumn,
    OrderColumns,
    Snapshot,
    TextColumn,
    day_number,
    rows_of,
)
from application.segments.checking import FieldKind
from application.segments.ports import Evaluation
from domain.segments.calendar import (
    anniversary_days,
    day_bounds,
    day_comparison,
    last_days,
    stage_day_range,
)
from domain.segments.rfm import RFM_CLASSES
from domain.segments.rules import (
    COMPARE,
    AllOf,
    AnyOf,
    Attribute,
    Comparison,
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
    OrderDate,
    OrderDateIs,
    OrderMetric,
    RelativeDate,
    RfmClassIs,
    RfmScore,
    Rule,
    TagMode,
    Value,
    compare,
)

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int32]
_FEW: Final = 4
"""Up to this many chosen text codes are matched by equality passes, not a table."""


class NumpySegmentEvaluator:
    """``SegmentEvaluator`` over a snapshot that ``snapshot()`` hands out when asked."""

    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self._snapshot = snapshot

    def evaluate(self, rule: Rule, today: date, *, limit: int | None = None) -> Evaluation:
        snapshot = self._snapshot()
        mask = evaluate(snapshot, rule, today)
        rows = np.flatnonzero(mask)
        chosen = rows if limit is None else rows[:limit]
        return Evaluation(count=len(rows), ids=[str(i) for i in snapshot.ids[chosen]])


def evaluate(snapshot: Snapshot, rule: Rule, today: date) -> Mask:
    """The rows of the customers meeting ``rule`` on UTC day ``today``."""
    return _Evaluation(snapshot, day_number(today), today).mask(rule)


class _Evaluation:
    def __init__(self, snapshot: Snapshot, today_number: int, today: date) -> None:
        self.s = snapshot
        self.today_number = today_number
        self.today = today

    def mask(self, rule: Rule) -> Mask:
        if isinstance(rule, AllOf):
            # A part may hand back a stored column: combine into a new array, never into it.
            result = self.mask(rule.parts[0]) & self.mask(rule.parts[1])
            for part in rule.parts[2:]:
                result &= self.mask(part)
            return result
        if isinstance(rule, AnyOf):
            result = self.mask(rule.parts[0]) | self.mask(rule.parts[1])
            for part in rule.parts[2:]:
                result |= self.mask(part)
            return result
        if isinstance(rule, Not):
            return ~self.mask(rule.part)
        if isinstance(rule, Attribute):
            return self.attribute(rule)
        if isinstance(rule, RelativeDate):
            return self.relative(self.s.dates[rule.field], rule.relation, rule.days)
        if isinstance(rule, HasTags):
            return self.tags(rule)
        if isinstance(rule, InStage):
            return self.in_stage(rule)
        if isinstance(rule, DaysInStage):
            return self.days_in_stage(rule)
        if isinstance(rule, EventCount):
            return self.event_count(rule)
        if isinstance(rule, OrderAggregate):
            return self.order_aggregate(rule)
        if isinstance(rule, OrderDateIs):
            return self.order_date(rule)
        if isinstance(rule, RfmScore):
            return self.rfm_score(rule)
        if isinstance(rule, RfmClassIs):
            return self.rfm_class(rule)
        if isinstance(rule, Members):
            result = np.zeros(self.s.size, dtype=np.bool_)
            rows = rows_of(self.s, rule.customer_ids)
            result[rows[rows >= 0]] = True
            return result
        if isinstance(rule, InSegment):
            raise ValueError("segment references are resolved before evaluation")
        raise TypeError(rule)

    # Attributes.

    def attribute(self, rule: Attribute) -> Mask:
        kind = self.s.fields[rule.field]
        # Negative tests are the complement of a positive one, so a missing value passes them.
        if rule.op is FieldOp.NOT_IN:
            return ~self._positive(rule, kind, FieldOp.IN, None)
        if rule.op is FieldOp.COMPARE and rule.comparison is Comparison.NE:
            return ~self._positive(rule, kind, FieldOp.COMPARE, Comparison.EQ)
        if rule.op is FieldOp.IS_NOT_SET:
            return ~self._positive(rule, kind, FieldOp.IS_SET, None)
        return self._positive(rule, kind, rule.op, rule.comparison)

    def _positive(
        self, rule: Attribute, kind: FieldKind, op: FieldOp, comparison: Comparison | None
    ) -> Mask:
        """A test that no customer without a value passes."""
        if kind is FieldKind.TEXT:
            return _text_test(self.s.texts[rule.field], op, comparison, rule.values)
        if kind is FieldKind.NUMBER:
            return _number_test(self.s.numbers[rule.field], op, comparison, rule.values)
        if kind is FieldKind.DATE:
            return _date_test(self.s.dates[rule.field], op, comparison, rule.values)
        column = self.s.booleans[rule.field]
        if op is FieldOp.IS_SET:
            return column >= 0
        return np.asarray(column == int(bool(rule.values[0])), dtype=np.bool_)

    def relative(self, column: DateColumn, relation: DateRelation, days: int) -> Mask:
        if relation is DateRelation.ANNIVERSARY_IN_NEXT:
            table = np.zeros(13 * 32, dtype=np.bool_)
            for month, day in anniversary_days(self.today, days):
                table[month * 32 + day] = True
            return table[column.month_days]
        low, high = day_bounds(relation, days, self.today)
        return _day_range(column.days, low, high)

    # Tags, stages, events.

    def tags(self, rule: HasTags) -> Mask:
        columns = [self.s.tags.get(name.casefold()) for name in dict.fromkeys(rule.names)]
        none = np.zeros(self.s.size, dtype=np.bool_)
        if rule.mode is TagMode.ALL:
            result = np.ones(self.s.size, dtype=np.bool_)
            for column in columns:
                result &= none if column is None else column
            return result
        result = np.zeros(self.s.size, dtype=np.bool_)
        for column in columns:
            if column is not None:
                result |= column
        return ~result if rule.mode is TagMode.NONE else result

    def in_stage(self, rule: InStage) -> Mask:
        column = self.s.stages.get(rule.track)
        if column is None:
            found = np.zeros(self.s.size, dtype=np.bool_)
        else:
            found = _text_test(column, FieldOp.IN, None, rule.stages)
        return ~found if rule.negated else found

    def days_in_stage(self, rule: DaysInStage) -> Mask:
        entered = self.s.stage_entered.get(rule.track)
        if entered is None:
            entered = np.full(self.s.size, MISSING_DAY, dtype=np.int32)
        if rule.comparison is Comparison.NE:
            low, high = stage_day_range(Comparison.EQ, rule.days, self.today)
            return ~_day_range(entered, low, high)
        low, high = stage_day_range(rule.comparison, rule.days, self.today)
        return _day_range(entered, low, high)

    def event_count(self, rule: EventCount) -> Mask:
        # Customers who never did the event count 0: they all pass or all fail together, so
        # only the rows of those who did it are compared and scattered.
        zero_passes = compare(0, rule.comparison, rule.times)
        result = np.full(self.s.size, zero_passes, dtype=np.bool_)
        if rule.where is None:
            column = self.s.events.get(rule.name)
        else:
            column = self.s.matching_events(rule.name, rule.where)
        if column is not None:
            first, last = last_days(self.today, rule.days)
            counts = _cumulative_at(column, day_number(last)) - _cumulative_at(
                column, day_number(first) - 1
            )
            result[column.rows] = _compare(counts, rule.comparison, rule.times)
        return result

    # Orders and RFM.

    def order_aggregate(self, rule: OrderAggregate) -> Mask:
        orders = self._orders()
        if rule.days is None:
            count, total = orders.count, orders.total
        else:
            first, last = last_days(self.today, rule.days)
            start = np.searchsorted(orders.by_day_day, day_number(first), side="left")
            end = np.searchsorted(orders.by_day_day, day_number(last), side="right")
            rows = orders.by_day_row[start:end]
            # Only what the metric needs; sums stay float64, exact for whole minor units.
            if rule.metric is not OrderMetric.SUM:
                count = np.bincount(rows, minlength=self.s.size)
            if rule.metric is not OrderMetric.COUNT:
                total = np.bincount(
                    rows, weights=orders.by_day_amount[start:end], minlength=self.s.size
                )
        if rule.metric is OrderMetric.COUNT:
            return _compare(count, rule.comparison, int(rule.value))
        minor = int(rule.value * 10**self.s.currency_digits)
        if rule.metric is OrderMetric.SUM:
            return _compare(total, rule.comparison, minor)
        # An average compares without dividing: sum <op> value * count, where there are orders.
        has_orders = count > 0
        if rule.comparison is Comparison.NE:
            return np.asarray(~(has_orders & (total == minor * count)), dtype=np.bool_)
        return has_orders & _compare(total, rule.comparison, minor * count)

    def order_date(self, rule: OrderDateIs) -> Mask:
        orders = self._orders()
        column = orders.first if rule.which is OrderDate.FIRST else orders.last
        return self.relative(column, rule.relation, rule.days)

    def _orders(self) -> OrderColumns:
        if self.s.orders is None:
            raise ValueError("a snapshot is built with its orders")
        return self.s.orders

    def rfm_score(self, rule: RfmScore) -> Mask:
        column = self.s.rfm.get(rule.part)
        if column is None:
            column = np.zeros(self.s.size, dtype=np.int8)
        scored = column > 0
        if rule.comparison is Comparison.NE:
            return np.asarray(~(scored & (column == rule.score)), dtype=np.bool_)
        return scored & _compare(column, rule.comparison, rule.score)

    def rfm_class(self, rule: RfmClassIs) -> Mask:
        classes = self.s.rfm_class
        if classes is None:
            classes = np.full(self.s.size, -1, dtype=np.int8)
        wanted = [RFM_CLASSES.index(name) for name in rule.classes]
        found = np.isin(classes, wanted)
        return ~found if rule.negated else found


def _cumulative_at(column: EventColumn, day: int) -> npt.NDArray[np.int64]:
    offset = day - column.first_day
    if offset < 0:
        return np.zeros(len(column.rows), dtype=np.int64)
    offset = min(offset, len(column.cumulative) - 1)
    return np.asarray(column.cumulative[offset], dtype=np.int64)


def _compare(values: npt.NDArray[Any], comparison: Comparison, operand: Any) -> Mask:
    return np.asarray(COMPARE[comparison](values, operand), dtype=np.bool_)


def _day_range(days: Ints, low: date | None, high: date | None) -> Mask:
    result: Mask = np.asarray(days != MISSING_DAY, dtype=np.bool_)
    if low is not None:
        result &= days >= day_number(low)
    if high is not None:
        result &= days <= day_number(high)
    return result


def _text_test(
    column: TextColumn, op: FieldOp, comparison: Comparison | None, values: Sequence[Value]
) -> Mask:
    categories, codes = column.categories, column.codes
    if op is FieldOp.IS_SET:
        return codes >= 0
    if op in (FieldOp.IN, FieldOp.CONTAINS, FieldOp.STARTS_WITH) or comparison is Comparison.EQ:
        if op is FieldOp.CONTAINS:
            chosen = np.char.find(categories, str(values[0])) >= 0
        elif op is FieldOp.STARTS_WITH:
            chosen = np.char.startswith(categories, str(values[0]))
        else:
            chosen = np.isin(categories, np.array([str(v) for v in values], dtype=np.str_))
        wanted = np.flatnonzero(chosen)
        if len(wanted) <= _FEW:
            # A few equality passes over narrow codes beat a gather through a table.
            result = np.zeros(len(codes), dtype=np.bool_)
            for code in wanted:
                result |= codes == code
            return result
        # One more slot for -1, the code of a missing value: never chosen.
        table = np.append(chosen.astype(np.bool_), False)
        return np.asarray(table[codes], dtype=np.bool_)
    if op is FieldOp.BETWEEN:
        return _text_test(column, FieldOp.COMPARE, Comparison.GTE, values[:1]) & _text_test(
            column, FieldOp.COMPARE, Comparison.LTE, values[1:]
        )
    value = str(values[0])
    left = int(np.searchsorted(categories, value, side="left"))
    right = int(np.searchsorted(categories, value, side="right"))
    present = codes >= 0
    if comparison is Comparison.LT:
        return present & (codes < left)
    if comparison is Comparison.LTE:
        return present & (codes < right)
    if comparison is Comparison.GT:
        return codes >= right
    return codes >= left


def _number_test(
    values: npt.NDArray[np.float64],
    op: FieldOp,
    comparison: Comparison | None,
    operands: Sequence[Value],
) -> Mask:
    if op is FieldOp.IS_SET:
        return ~np.isnan(values)
    numbers = [float(v) for v in operands if isinstance(v, Decimal)]
    if op is FieldOp.IN:
        return np.isin(values, numbers)
    if op is FieldOp.BETWEEN:
        return (values >= numbers[0]) & (values <= numbers[1])
    assert comparison is not None
    return _compare(values, comparison, numbers[0])


def _date_test(
    column: DateColumn, op: FieldOp, comparison: Comparison | None, operands: Sequence[Value]
) -> Mask:
    days = column.days
    if op is FieldOp.IS_SET:
        return np.asarray(days != MISSING_DAY, dtype=np.bool_)
    wanted = [v for v in operands if isinstance(v, date)]
    if op is FieldOp.IN:
        return np.isin(days, [day_number(v) for v in wanted])
    if op is FieldOp.BETWEEN:
        return _day_range(days, wanted[0], wanted[1])
    assert comparison is not None
    low, high = day_comparison(comparison, wanted[0])
    return _day_range(days, low, high)
