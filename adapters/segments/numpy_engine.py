"""The NumPy segment evaluator: one array per column, every predicate a vectorised pass.

Customers are rows, ordered by id in code point order. Text is dictionary-encoded against
sorted categories (so ``<`` on codes is ``<`` on text), dates are day numbers, tags are one
boolean column each, and each event name keeps cumulative daily counts for the customers
who did it, so any window is two column reads and a subtraction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from attrs import define, field, frozen

from application.segments.checking import BUILT_IN_FIELDS, CUSTOM_PREFIX, FieldKind
from application.segments.ports import CustomerRow, Evaluation, SegmentFacts
from domain.orders.money import MINOR_UNITS
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
    RfmPart,
    RfmScore,
    Rule,
    TagMode,
    Value,
    compare,
)

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int32]
MISSING_DAY: Final = np.iinfo(np.int32).min
_FEW: Final = 4
_EPOCH: Final = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    return day.toordinal() - _EPOCH


def _month_day(day: date) -> int:
    return day.month * 32 + day.day


@frozen
class TextColumn:
    codes: npt.NDArray[np.signedinteger[Any]]
    """Index into ``categories``, -1 where there is no value; int8 to int32 as they need."""
    categories: npt.NDArray[np.str_]


@frozen
class DateColumn:
    days: Ints
    """Day numbers, ``MISSING_DAY`` where there is no value."""
    month_days: npt.NDArray[np.int16]
    """month * 32 + day, 0 where there is no value: anniversaries are a table lookup."""


@frozen
class EventColumn:
    rows: Ints
    """The customers (rows) who did the event at least once, ascending."""
    first_day: int
    cumulative: npt.NDArray[Any]
    """[day - first_day, i]: how many times rows[i] did it up to and including that day."""


@frozen
class OrderColumns:
    by_day_row: Ints
    """Orders sorted by day: the customer row, the day and the amount of each."""
    by_day_day: Ints
    by_day_amount: npt.NDArray[np.int64]
    count: npt.NDArray[np.int64]
    """All-time per customer: count, sum, first and last day."""
    total: npt.NDArray[np.int64]
    first: DateColumn
    last: DateColumn


@define
class Snapshot:
    """The columnar image of every active customer that rules read."""

    ids: npt.NDArray[np.str_]
    index: dict[str, int]
    fields: Mapping[str, FieldKind]
    texts: dict[str, TextColumn] = field(factory=dict)
    numbers: dict[str, npt.NDArray[np.float64]] = field(factory=dict)
    dates: dict[str, DateColumn] = field(factory=dict)
    booleans: dict[str, npt.NDArray[np.int8]] = field(factory=dict)
    tags: dict[str, Mask] = field(factory=dict)
    stages: dict[str, TextColumn] = field(factory=dict)
    stage_entered: dict[str, Ints] = field(factory=dict)
    events: dict[str, EventColumn] = field(factory=dict)
    orders: OrderColumns | None = None
    rfm: dict[RfmPart, npt.NDArray[np.int8]] = field(factory=dict)
    rfm_class: npt.NDArray[np.int8] | None = None
    currency_digits: int = 2

    @property
    def size(self) -> int:
        return len(self.ids)

    def nbytes(self) -> int:
        """Bytes held by the arrays (not the id index), for the bytes-per-customer figure."""
        arrays: list[Any] = [self.ids, *self.numbers.values(), *self.booleans.values()]
        arrays += [*self.tags.values(), *self.stage_entered.values(), *self.rfm.values()]
        for text in (*self.texts.values(), *self.stages.values()):
            arrays += [text.codes, text.categories]
        for column in self.dates.values():
            arrays += [column.days, column.month_days]
        for events in self.events.values():
            arrays += [events.rows, events.cumulative]
        if self.orders is not None:
            o = self.orders
            arrays += [o.by_day_row, o.by_day_day, o.by_day_amount, o.count, o.total]
            arrays += [o.first.days, o.first.month_days, o.last.days, o.last.month_days]
        if self.rfm_class is not None:
            arrays.append(self.rfm_class)
        return sum(int(array.nbytes) for array in arrays)


Progress = Callable[[str, int], None]
"""Told each step's name and how many rows it covered, for a progress bar."""


def _quiet(step: str, rows: int) -> None:
    """No progress to show."""


def build_snapshot(facts: SegmentFacts, *, currency: str, progress: Progress = _quiet) -> Snapshot:
    """The snapshot of ``facts``; ``progress`` hears of each step as it finishes."""
    customers = sorted(facts.customers, key=lambda row: row.id)
    ids = np.array([row.id for row in customers], dtype=np.str_)
    index = {row.id: i for i, row in enumerate(customers)}
    fields = {**BUILT_IN_FIELDS, **facts.fields}
    snapshot = Snapshot(ids, index, fields, currency_digits=MINOR_UNITS.get(currency, 2))
    _add_fields(snapshot, customers, fields)
    progress("customers", len(customers))
    _add_tags(snapshot, facts.tags)
    progress("tags", len(facts.tags))
    _add_stages(snapshot, facts.stages)
    progress("stages", len(facts.stages))
    _add_events(snapshot, facts.events)
    progress("events", len(facts.events))
    _add_orders(snapshot, facts.orders)
    progress("orders", len(facts.orders))
    _add_rfm(snapshot, facts)
    progress("rfm", len(facts.rfm))
    return snapshot


def _text_column(values: Sequence[str | None]) -> TextColumn:
    present = [value for value in values if value is not None]
    categories = np.unique(np.array(present, dtype=np.str_)) if present else np.array([], np.str_)
    lookup = {str(category): code for code, category in enumerate(categories)}
    codes = np.fromiter(
        (-1 if value is None else lookup[value] for value in values), np.int32, len(values)
    )
    # The narrowest codes that hold every category: comparisons stream fewer bytes.
    narrow = np.int8 if len(categories) < 2**7 else np.int16 if len(categories) < 2**15 else None
    return TextColumn(codes if narrow is None else codes.astype(narrow), categories)


def _date_column(values: Sequence[date | None]) -> DateColumn:
    days = np.fromiter(
        (MISSING_DAY if v is None else day_number(v) for v in values), np.int32, len(values)
    )
    month_days = np.fromiter(
        (0 if v is None else _month_day(v) for v in values), np.int16, len(values)
    )
    return DateColumn(days, month_days)


def _custom_value(row: CustomerRow, key: str) -> Any:
    return row.custom_fields.get(key[len(CUSTOM_PREFIX) :])


def _add_fields(
    snapshot: Snapshot, customers: Sequence[CustomerRow], fields: Mapping[str, FieldKind]
) -> None:
    snapshot.texts["email"] = _text_column([row.email for row in customers])
    snapshot.texts["first_name"] = _text_column([row.first_name for row in customers])
    snapshot.texts["last_name"] = _text_column([row.last_name for row in customers])
    snapshot.dates["created_at"] = _date_column([row.created_at.date() for row in customers])
    for name, kind in fields.items():
        if not name.startswith(CUSTOM_PREFIX):
            continue
        raw = [_custom_value(row, name) for row in customers]
        if kind is FieldKind.TEXT:
            snapshot.texts[name] = _text_column([v if isinstance(v, str) else None for v in raw])
        elif kind is FieldKind.NUMBER:
            snapshot.numbers[name] = np.array(
                [
                    np.nan if v is None or isinstance(v, bool) else float(Decimal(str(v)))
                    for v in raw
                ],
                dtype=np.float64,
            )
        elif kind is FieldKind.DATE:
            snapshot.dates[name] = _date_column(
                [date.fromisoformat(v) if isinstance(v, str) else None for v in raw]
            )
        else:
            snapshot.booleans[name] = np.array(
                [-1 if not isinstance(v, bool) else int(v) for v in raw], dtype=np.int8
            )


def _rows_of(snapshot: Snapshot, customer_ids: Iterable[str]) -> Ints:
    index = snapshot.index
    return np.fromiter((index.get(c, -1) for c in customer_ids), np.int32)


def _add_tags(snapshot: Snapshot, tags: Sequence[tuple[str, str]]) -> None:
    by_tag: dict[str, list[str]] = defaultdict(list)
    for customer_id, tag in tags:
        by_tag[tag].append(customer_id)
    for tag, customer_ids in by_tag.items():
        rows = _rows_of(snapshot, customer_ids)
        mask = np.zeros(snapshot.size, dtype=np.bool_)
        mask[rows[rows >= 0]] = True
        snapshot.tags[tag] = mask


def _add_stages(snapshot: Snapshot, stages: Sequence[tuple[str, str, str, datetime]]) -> None:
    by_track: dict[str, list[tuple[str, str, datetime]]] = defaultdict(list)
    for customer_id, track, stage, entered_at in stages:
        by_track[track].append((customer_id, stage, entered_at))
    for track, entries in by_track.items():
        values: list[str | None] = [None] * snapshot.size
        entered = np.full(snapshot.size, MISSING_DAY, dtype=np.int32)
        for customer_id, stage, at in entries:
            row = snapshot.index.get(customer_id)
            if row is not None:
                values[row] = stage
                entered[row] = day_number(at.date())
        snapshot.stages[track] = _text_column(values)
        snapshot.stage_entered[track] = entered


def _add_events(snapshot: Snapshot, events: Sequence[tuple[str, str, date, int]]) -> None:
    by_name: dict[str, list[tuple[str, date, int]]] = defaultdict(list)
    for customer_id, name, day, times in events:
        by_name[name].append((customer_id, day, times))
    for name, counts in by_name.items():
        rows = _rows_of(snapshot, (customer_id for customer_id, _, _ in counts))
        days = np.fromiter((day_number(day) for _, day, _ in counts), np.int32, len(counts))
        occurrences = np.fromiter((t for _, _, t in counts), np.int64, len(counts))
        keep = rows >= 0
        rows, days, occurrences = rows[keep], days[keep], occurrences[keep]
        if not len(rows):
            continue
        who, position = np.unique(rows, return_inverse=True)
        first_day = int(days.min())
        span = int(days.max()) - first_day + 1
        daily = np.zeros((span, len(who)), dtype=np.int64)
        np.add.at(daily, (days - first_day, position), occurrences)
        cumulative = np.cumsum(daily, axis=0)
        narrow = np.uint16 if cumulative.max(initial=0) < 2**16 else np.uint32
        snapshot.events[name] = EventColumn(
            who.astype(np.int32), first_day, cumulative.astype(narrow)
        )


def _add_orders(snapshot: Snapshot, orders: Sequence[tuple[str, date, int]]) -> None:
    n = snapshot.size
    rows = _rows_of(snapshot, (customer_id for customer_id, _, _ in orders))
    days = np.fromiter((day_number(day) for _, day, _ in orders), np.int32, len(orders))
    amounts = np.fromiter((amount for _, _, amount in orders), np.int64, len(orders))
    keep = rows >= 0
    rows, days, amounts = rows[keep], days[keep], amounts[keep]
    order = np.argsort(days, kind="stable")
    count = np.bincount(rows, minlength=n).astype(np.int64)
    total = np.zeros(n, dtype=np.int64)
    np.add.at(total, rows, amounts)
    first = np.full(n, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(first, rows, days)
    last = np.full(n, MISSING_DAY, dtype=np.int32)
    np.maximum.at(last, rows, days)
    first[count == 0] = MISSING_DAY
    snapshot.orders = OrderColumns(
        by_day_row=rows[order],
        by_day_day=days[order],
        by_day_amount=amounts[order],
        count=count,
        total=total,
        first=_dates_from_numbers(first),
        last=_dates_from_numbers(last),
    )


def _dates_from_numbers(days: Ints) -> DateColumn:
    present = days != MISSING_DAY
    month_days = np.zeros(len(days), dtype=np.int16)
    if present.any():
        calendar = np.array(days[present], dtype="datetime64[D]")
        months = calendar.astype("datetime64[M]")
        month = months.astype(np.int64) % 12 + 1
        day = (calendar - months).astype(np.int64) + 1
        month_days[present] = month * 32 + day
    return DateColumn(days, month_days)


def _add_rfm(snapshot: Snapshot, facts: SegmentFacts) -> None:
    n = snapshot.size
    rows = _rows_of(snapshot, (score.customer_id for score in facts.rfm))
    keep = rows >= 0
    scores = [score for score, kept in zip(facts.rfm, keep, strict=True) if kept]
    rows = rows[keep]
    for part, attribute in (
        (RfmPart.R, "recency"),
        (RfmPart.F, "frequency"),
        (RfmPart.M, "monetary"),
    ):
        column = np.zeros(n, dtype=np.int8)
        column[rows] = [getattr(score, attribute) for score in scores]
        snapshot.rfm[part] = column
    classes = np.full(n, -1, dtype=np.int8)
    classes[rows] = [RFM_CLASSES.index(score.rfm_class) for score in scores]
    snapshot.rfm_class = classes


# Evaluation.


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
            rows = _rows_of(self.s, rule.customer_ids)
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
        column = self.s.events.get(rule.name)
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
            _add_orders(self.s, [])
        assert self.s.orders is not None
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
