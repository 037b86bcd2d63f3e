"""The NumPy segment snapshot: one array per column, built from the facts rules read.

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
from application.segments.ports import CustomerRow, SegmentFacts
from domain.orders.money import MINOR_UNITS
from domain.segments.rfm import RFM_CLASSES
from domain.segments.rules import (
    EventProperty,
    RfmPart,
)

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int32]
MISSING_DAY: Final = np.iinfo(np.int32).min
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
    load_matching: MatchingLoader | None = None
    """Reads the events that match a property, the first time a rule asks for them."""
    matching: dict[tuple[str, EventProperty], EventColumn | None] = field(factory=dict)

    @property
    def size(self) -> int:
        return len(self.ids)

    def matching_events(self, name: str, where: EventProperty) -> EventColumn | None:
        """Cumulative counts of the events named ``name`` that match ``where``, cached."""
        key = (name, where)
        if key not in self.matching:
            if self.load_matching is None:
                raise ValueError("this snapshot cannot read events by their properties")
            self.matching[key] = event_column(self, self.load_matching(name, where))
        return self.matching[key]

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


MatchingLoader = Callable[[str, EventProperty], Sequence[tuple[str, date, int]]]
"""(event name, property) to (customer id, UTC day, occurrences) of the matching events."""
Progress = Callable[[str, int], None]
"""Told each step's name and how many rows it covered, for a progress bar."""


def _quiet(step: str, rows: int) -> None:
    """No progress to show."""


def build_snapshot(
    facts: SegmentFacts,
    *,
    currency: str,
    progress: Progress = _quiet,
    load_matching: MatchingLoader | None = None,
) -> Snapshot:
    """The snapshot of ``facts``; ``progress`` hears of each step as it finishes."""
    customers = sorted(facts.customers, key=lambda row: row.id)
    ids = np.array([row.id for row in customers], dtype=np.str_)
    index = {row.id: i for i, row in enumerate(customers)}
    fields = {**BUILT_IN_FIELDS, **facts.fields}
    snapshot = Snapshot(
        ids,
        index,
        fields,
        currency_digits=MINOR_UNITS.get(currency, 2),
        load_matching=load_matching,
    )
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


def rows_of(snapshot: Snapshot, customer_ids: Iterable[str]) -> Ints:
    index = snapshot.index
    return np.fromiter((index.get(c, -1) for c in customer_ids), np.int32)


def _add_tags(snapshot: Snapshot, tags: Sequence[tuple[str, str]]) -> None:
    by_tag: dict[str, list[str]] = defaultdict(list)
    for customer_id, tag in tags:
        by_tag[tag].append(customer_id)
    for tag, customer_ids in by_tag.items():
        rows = rows_of(snapshot, customer_ids)
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
        column = event_column(snapshot, counts)
        if column is not None:
            snapshot.events[name] = column


def event_column(snapshot: Snapshot, counts: Sequence[tuple[str, date, int]]) -> EventColumn | None:
    """Cumulative daily counts from (customer id, day, occurrences); None when empty."""
    rows = rows_of(snapshot, (customer_id for customer_id, _, _ in counts))
    days = np.fromiter((day_number(day) for _, day, _ in counts), np.int32, len(counts))
    occurrences = np.fromiter((t for _, _, t in counts), np.int64, len(counts))
    keep = rows >= 0
    rows, days, occurrences = rows[keep], days[keep], occurrences[keep]
    if not len(rows):
        return None
    who, position = np.unique(rows, return_inverse=True)
    first_day = int(days.min())
    span = int(days.max()) - first_day + 1
    daily = np.zeros((span, len(who)), dtype=np.int64)
    np.add.at(daily, (days - first_day, position), occurrences)
    cumulative = np.cumsum(daily, axis=0)
    narrow = np.uint16 if cumulative.max(initial=0) < 2**16 else np.uint32
    return EventColumn(who.astype(np.int32), first_day, cumulative.astype(narrow))


def _add_orders(snapshot: Snapshot, orders: Sequence[tuple[str, date, int]]) -> None:
    n = snapshot.size
    rows = rows_of(snapshot, (customer_id for customer_id, _, _ in orders))
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
    rows = rows_of(snapshot, (score.customer_id for score in facts.rfm))
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
