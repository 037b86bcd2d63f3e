"""The segment rule model: a tree of ``and`` / ``or`` / ``not`` over predicates.

Rules are values. Their readable text form lives in ``application.segments.language``;
both evaluators (NumPy and SQL) read this model. Each predicate may carry the position in
the text it was parsed from, for error messages; positions never take part in equality.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

import attrs
from attrs import frozen

from domain.errors import ErrorCode, InvalidValue

MAX_WINDOW_DAYS: Final = 3_660
"""The longest window of an order or date predicate: ten years."""
MAX_EVENT_WINDOW_DAYS: Final = 366
"""Event counts are kept per day for a year and a day, so windows stay within that."""
MAX_ANNIVERSARY_DAYS: Final = 366


@frozen
class Position:
    """Where a predicate starts in the rule's text, both counted from 1."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


Value = str | Decimal | date | bool
"""A literal in a rule: text, an exact number, a date, or a boolean."""


class Comparison(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LTE = "<="
    GT = ">"
    GTE = ">="


class FieldOp(StrEnum):
    """What an attribute predicate asks of a field's value."""

    COMPARE = "compare"
    IN = "in"
    NOT_IN = "not in"
    BETWEEN = "between"
    CONTAINS = "contains"
    STARTS_WITH = "starts with"
    IS_SET = "is set"
    IS_NOT_SET = "is not set"


class DateRelation(StrEnum):
    """Dates relative to the evaluation day, counted in whole UTC days."""

    IN_LAST = "in last"
    """The day is one of the last N days, today included."""
    MORE_THAN_AGO = "more than ago"
    """The day is more than N days before today."""
    ANNIVERSARY_IN_NEXT = "anniversary in next"
    """The day's month and day fall within the next N days, today included."""


class TagMode(StrEnum):
    ANY = "any"
    ALL = "all"
    NONE = "none"


class OrderMetric(StrEnum):
    COUNT = "count"
    SUM = "sum"
    AVG = "avg"


class OrderDate(StrEnum):
    FIRST = "first"
    LAST = "last"


class RfmPart(StrEnum):
    R = "r"
    F = "f"
    M = "m"


_VALUE_COUNTS: Final[Mapping[FieldOp, tuple[int, int | None, str]]] = {
    FieldOp.COMPARE: (1, 1, "one value"),
    FieldOp.IN: (1, None, "one or more values"),
    FieldOp.NOT_IN: (1, None, "one or more values"),
    FieldOp.BETWEEN: (2, 2, "two values"),
    FieldOp.CONTAINS: (1, 1, "one value"),
    FieldOp.STARTS_WITH: (1, 1, "one value"),
    FieldOp.IS_SET: (0, 0, "no value"),
    FieldOp.IS_NOT_SET: (0, 0, "no value"),
}


@frozen
class Attribute:
    """A built-in or custom field (``custom.<key>``) compared with literals.

    ``op`` COMPARE uses ``comparison`` and one value; IN / NOT_IN take one or more values;
    BETWEEN takes two (both ends included); CONTAINS and STARTS WITH one; IS SET and IS NOT
    SET none. A customer without a value matches only ``!=``, ``not in`` and ``is not set``.
    """

    field: str
    op: FieldOp
    values: tuple[Value, ...] = ()
    comparison: Comparison | None = None
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.op is FieldOp.COMPARE and self.comparison is None:
            raise InvalidValue("comparison", ErrorCode.REQUIRED, "compare how")
        least, most, wanted = _VALUE_COUNTS[self.op]
        if len(self.values) < least or (most is not None and len(self.values) > most):
            raise InvalidValue("values", ErrorCode.INVALID, f"{self.op} takes {wanted}")


@frozen
class RelativeDate:
    """A date or datetime field relative to today: ``created_at in last 30d``."""

    field: str
    relation: DateRelation
    days: int
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class HasTags:
    """Tags by name (compared case-folded): any of, all of, or none of them."""

    mode: TagMode
    names: tuple[str, ...]
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class InStage:
    """The customer's current stage on ``track`` is (or, ``negated``, is not) one of these."""

    track: str
    stages: tuple[str, ...]
    negated: bool = False
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class DaysInStage:
    """Whole UTC days since the customer entered their current stage on ``track``."""

    track: str
    comparison: Comparison
    days: int
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class EventProperty:
    """Only events whose property ``key`` holds ``value``, of the same JSON type."""

    key: str
    value: Value

    def holds(self, properties: Mapping[str, object]) -> bool:
        """Whether an event with these properties matches: text, number or boolean alike."""
        found = properties.get(self.key)
        if isinstance(self.value, bool):
            return isinstance(found, bool) and found == self.value
        if isinstance(self.value, Decimal):
            number = isinstance(found, int | float) and not isinstance(found, bool)
            return number and float(found) == float(self.value)  # type: ignore[arg-type]
        return isinstance(found, str) and found == self.value


@frozen
class EventCount:
    """How many times the customer did ``name`` over the last ``days`` UTC days.

    With ``where``, only the tracked events whose properties match count; without, the
    daily counts answer.
    """

    name: str
    days: int
    comparison: Comparison
    times: int
    where: EventProperty | None = None
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class OrderAggregate:
    """Count, sum or average of the orders placed in the last ``days`` days (None: ever).

    Sums and averages are in the major units of the segments' currency; orders in other
    currencies and cancelled orders do not count. A customer without orders has a count
    and a sum of 0 and no average.
    """

    metric: OrderMetric
    days: int | None
    comparison: Comparison
    value: Decimal
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class OrderDateIs:
    """The first or last order's day, relative to today."""

    which: OrderDate
    relation: DateRelation
    days: int
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class RfmScore:
    part: RfmPart
    comparison: Comparison
    score: int
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class RfmClassIs:
    classes: tuple[str, ...]
    negated: bool = False
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class InSegment:
    """Membership of another segment, by name."""

    name: str
    at: Position | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class Members:
    """A fixed set of customers: what a static segment named in a rule stands for.

    Never written in text; the application puts it in place of ``InSegment`` before
    evaluation.
    """

    customer_ids: frozenset[str]


def _at_least_two(_: object, __: object, parts: tuple[object, ...]) -> None:
    if len(parts) < 2:
        raise InvalidValue("rule", ErrorCode.INVALID, "and / or join at least two conditions")


@frozen
class AllOf:
    parts: tuple[Rule, ...] = attrs.field(validator=_at_least_two)


@frozen
class AnyOf:
    parts: tuple[Rule, ...] = attrs.field(validator=_at_least_two)


@frozen
class Not:
    part: Rule


Predicate = (
    Attribute
    | RelativeDate
    | HasTags
    | InStage
    | DaysInStage
    | EventCount
    | OrderAggregate
    | OrderDateIs
    | RfmScore
    | RfmClassIs
    | InSegment
    | Members
)
Rule = AllOf | AnyOf | Not | Predicate


COMPARE: Final[Mapping[Comparison, Callable[[Any, Any], Any]]] = {
    Comparison.EQ: operator.eq,
    Comparison.NE: operator.ne,
    Comparison.LT: operator.lt,
    Comparison.LTE: operator.le,
    Comparison.GT: operator.gt,
    Comparison.GTE: operator.ge,
}
"""Each comparison as an operator: on numbers, arrays and query expressions alike."""


def compare(
    left: int | float | Decimal, comparison: Comparison, right: int | float | Decimal
) -> bool:
    """``left comparison right`` for numbers, as every evaluator reads a comparison."""
    return bool(COMPARE[comparison](left, right))


def predicates(rule: Rule) -> Iterator[Predicate]:
    """Every predicate of ``rule``, left to right."""
    if isinstance(rule, AllOf | AnyOf):
        for part in rule.parts:
            yield from predicates(part)
    elif isinstance(rule, Not):
        yield from predicates(rule.part)
    else:
        yield rule


def depth(rule: Rule) -> int:
    """How deeply ``rule`` nests: 1 for a single predicate."""
    if isinstance(rule, AllOf | AnyOf):
        return 1 + max((depth(part) for part in rule.parts), default=0)
    if isinstance(rule, Not):
        return 1 + depth(rule.part)
    return 1


def is_time_relative(rule: Rule) -> bool:
    """Whether the rule's members can change with the day alone, without any write."""
    return any(
        isinstance(p, RelativeDate | DaysInStage | EventCount | OrderDateIs)
        or (isinstance(p, OrderAggregate) and p.days is not None)
        for p in predicates(rule)
    )
