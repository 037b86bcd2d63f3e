"""Checking a parsed rule against what exists: fields and their types, tags, stages, segments.

Every problem names the position of the predicate at fault in the rule's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from attrs import frozen

from application.segments.language import MAX_DEPTH, MAX_PREDICATES, RuleSyntaxError
from domain.custom_fields import FieldType
from domain.errors import ErrorCode
from domain.segments.rfm import RFM_CLASSES
from domain.segments.rules import (
    MAX_ANNIVERSARY_DAYS,
    MAX_EVENT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    Attribute,
    Comparison,
    DateRelation,
    DaysInStage,
    EventCount,
    FieldOp,
    HasTags,
    InSegment,
    InStage,
    OrderAggregate,
    OrderDateIs,
    OrderMetric,
    Position,
    Predicate,
    RelativeDate,
    RfmClassIs,
    RfmScore,
    Rule,
    Value,
    depth,
    predicates,
)


class FieldKind(StrEnum):
    """How a field's values compare in rules."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"


BUILT_IN_FIELDS: Final[Mapping[str, FieldKind]] = {
    "email": FieldKind.TEXT,
    "first_name": FieldKind.TEXT,
    "last_name": FieldKind.TEXT,
    "created_at": FieldKind.DATE,
}
CUSTOM_PREFIX: Final = "custom."

_KINDS_OF_CUSTOM: Final[Mapping[FieldType, FieldKind]] = {
    FieldType.TEXT: FieldKind.TEXT,
    FieldType.SINGLE_CHOICE: FieldKind.TEXT,
    FieldType.NUMBER: FieldKind.NUMBER,
    FieldType.DECIMAL: FieldKind.NUMBER,
    FieldType.DATE: FieldKind.DATE,
    FieldType.BOOLEAN: FieldKind.BOOLEAN,
}
_OPS: Final[Mapping[FieldKind, frozenset[FieldOp]]] = {
    FieldKind.TEXT: frozenset(FieldOp),
    FieldKind.NUMBER: frozenset(FieldOp) - {FieldOp.CONTAINS, FieldOp.STARTS_WITH},
    FieldKind.DATE: frozenset(FieldOp) - {FieldOp.CONTAINS, FieldOp.STARTS_WITH},
    FieldKind.BOOLEAN: frozenset({FieldOp.COMPARE, FieldOp.IS_SET, FieldOp.IS_NOT_SET}),
}
_LITERAL_TYPE: Final[Mapping[FieldKind, type]] = {
    FieldKind.TEXT: str,
    FieldKind.NUMBER: Decimal,
    FieldKind.DATE: date,
    FieldKind.BOOLEAN: bool,
}
MAX_VALUES: Final = 1_000


def custom_field_kinds(fields: Iterable[tuple[str, FieldType]]) -> dict[str, FieldKind]:
    """The custom fields usable in rules, as ``custom.<key>``, from (key, type) pairs."""
    return {
        CUSTOM_PREFIX + key: _KINDS_OF_CUSTOM[field_type]
        for key, field_type in fields
        if field_type in _KINDS_OF_CUSTOM
    }


@frozen
class Vocabulary:
    """What a rule may name: fields with their kinds, tags, tracks and stages, segments."""

    fields: Mapping[str, FieldKind]
    tags: frozenset[str]
    """Tag names, case-folded."""
    stages: Mapping[str, frozenset[str]]
    """Stage keys by track key."""
    segments: frozenset[str]
    """Segment names, case-folded."""
    currency_digits: int = 2


def check_rule(rule: Rule, vocabulary: Vocabulary) -> None:
    """Raise a ``RuleSyntaxError`` at the first predicate that names or compares wrongly."""
    if depth(rule) > MAX_DEPTH + 1:
        raise RuleSyntaxError(Position(1, 1), f"rules nest at most {MAX_DEPTH} levels")
    for count, predicate in enumerate(predicates(rule), start=1):
        if count > MAX_PREDICATES:
            raise RuleSyntaxError(_at(predicate), f"a rule has at most {MAX_PREDICATES} conditions")
        _check(predicate, vocabulary)


def _at(predicate: Predicate) -> Position:
    return getattr(predicate, "at", None) or Position(1, 1)


def _fail(predicate: Predicate, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
    raise RuleSyntaxError(_at(predicate), message, code)


def _check(predicate: Predicate, vocabulary: Vocabulary) -> None:
    if isinstance(predicate, Attribute):
        _check_attribute(predicate, vocabulary)
    elif isinstance(predicate, RelativeDate):
        kind = _field_kind(predicate, predicate.field, vocabulary)
        if kind is not FieldKind.DATE:
            _fail(predicate, f"{predicate.field} is not a date")
        _check_relative(predicate, predicate.relation, predicate.days)
    elif isinstance(predicate, HasTags):
        for name in predicate.names:
            if name.casefold() not in vocabulary.tags:
                _fail(predicate, f"there is no tag {name!r}", ErrorCode.NOT_FOUND)
    elif isinstance(predicate, InStage):
        stages = _track(predicate, predicate.track, vocabulary)
        for stage in predicate.stages:
            if stage not in stages:
                _fail(
                    predicate,
                    f"{predicate.track} has no stage {stage!r}",
                    ErrorCode.UNKNOWN_STAGE,
                )
    elif isinstance(predicate, DaysInStage):
        _track(predicate, predicate.track, vocabulary)
        _check_window(predicate, predicate.days, MAX_WINDOW_DAYS, minimum=0)
    elif isinstance(predicate, EventCount):
        if not predicate.name.strip():
            _fail(predicate, "name the event")
        _check_window(predicate, predicate.days, MAX_EVENT_WINDOW_DAYS)
        if predicate.where is not None and isinstance(predicate.where.value, date):
            _fail(predicate, "an event's property is text, a number or true or false")
    elif isinstance(predicate, OrderAggregate):
        if predicate.days is not None:
            _check_window(predicate, predicate.days, MAX_WINDOW_DAYS)
        _check_amount(predicate, vocabulary)
    elif isinstance(predicate, OrderDateIs):
        _check_relative(predicate, predicate.relation, predicate.days)
    elif isinstance(predicate, RfmScore):
        if not 1 <= predicate.score <= 5:
            _fail(predicate, "RFM scores run from 1 to 5")
    elif isinstance(predicate, RfmClassIs):
        for name in predicate.classes:
            if name not in RFM_CLASSES:
                _fail(predicate, f"{name!r} is not an RFM class", ErrorCode.NOT_FOUND)
    elif isinstance(predicate, InSegment) and predicate.name.casefold() not in vocabulary.segments:
        _fail(predicate, f"there is no segment {predicate.name!r}", ErrorCode.NOT_FOUND)


def _field_kind(predicate: Predicate, name: str, vocabulary: Vocabulary) -> FieldKind:
    kind = vocabulary.fields.get(name)
    if kind is None:
        _fail(predicate, f"there is no field {name}", ErrorCode.UNKNOWN_FIELD)
        raise AssertionError  # unreachable: _fail raises
    return kind


def _check_attribute(predicate: Attribute, vocabulary: Vocabulary) -> None:
    kind = _field_kind(predicate, predicate.field, vocabulary)
    if predicate.op not in _OPS[kind]:
        _fail(predicate, f"{predicate.op} does not apply to {predicate.field}, a {kind} field")
    boolean_order = kind is FieldKind.BOOLEAN and predicate.op is FieldOp.COMPARE
    if boolean_order and predicate.comparison not in (Comparison.EQ, Comparison.NE):
        _fail(predicate, f"{predicate.field} is true or false: compare it with = or !=")
    if len(predicate.values) > MAX_VALUES:
        _fail(predicate, f"a list has at most {MAX_VALUES} values")
    expected = _LITERAL_TYPE[kind]
    for value in predicate.values:
        if not _is_a(value, expected):
            _fail(
                predicate, f"{predicate.field} is a {kind} field: {_shown(value)} is not a {kind}"
            )


def _is_a(value: Value, expected: type) -> bool:
    # bool is an int, never a Decimal; date is never a str: exact type checks suffice.
    return type(value) is expected


def _shown(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _track(predicate: Predicate, track: str, vocabulary: Vocabulary) -> frozenset[str]:
    stages = vocabulary.stages.get(track)
    if stages is None:
        _fail(predicate, f"there is no lifecycle track {track!r}", ErrorCode.UNKNOWN_TRACK)
        raise AssertionError  # unreachable: _fail raises
    return stages


def _check_window(predicate: Predicate, days: int, maximum: int, *, minimum: int = 1) -> None:
    if not minimum <= days <= maximum:
        _fail(predicate, f"the window must be between {minimum} and {maximum} days")


def _check_relative(predicate: Predicate, relation: DateRelation, days: int) -> None:
    maximum = (
        MAX_ANNIVERSARY_DAYS if relation is DateRelation.ANNIVERSARY_IN_NEXT else MAX_WINDOW_DAYS
    )
    minimum = 0 if relation is DateRelation.MORE_THAN_AGO else 1
    _check_window(predicate, days, maximum, minimum=minimum)


def _check_amount(predicate: OrderAggregate, vocabulary: Vocabulary) -> None:
    if predicate.metric is OrderMetric.COUNT:
        if predicate.value != predicate.value.to_integral_value():
            _fail(predicate, "an order count is a whole number")
        return
    exponent = predicate.value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > vocabulary.currency_digits:
        _fail(predicate, f"amounts have at most {vocabulary.currency_digits} decimal places")
    if abs(predicate.value) >= Decimal(10) ** 13:
        _fail(predicate, "the amount is too large")
