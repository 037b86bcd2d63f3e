"""Random customers with everything rules read, and random rules over them.

Values are drawn from small pools so that rules hit boundaries: equal texts, equal days,
counts exactly at the threshold, missing values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from attrs import frozen
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, insert

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
from application.segments.checking import FieldKind
from domain.custom_fields import FieldType, ObjectType
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
)

TODAY = date(2026, 3, 1)
CUSTOM_FIELDS = {
    "plan": FieldType.TEXT,
    "seats": FieldType.NUMBER,
    "birthday": FieldType.DATE,
    "vip": FieldType.BOOLEAN,
}
TAG_NAMES = ("VIP", "new", "Émigré")
TRACKS = {
    "acquisition": ("lead", "customer", "evangelist"),
    "engagement": ("active", "dormant"),
}
EVENT_NAMES = ("viewed", "bought")
TEXTS = ("", "a", "ab", "b", "Pro", "pro", "é", "zz")
NUMBERS = (Decimal(-1), Decimal(0), Decimal("2.5"), Decimal(3), Decimal(10))


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def _moment(offset: int, second: int) -> datetime:
    return datetime.combine(_day(offset), time(0), tzinfo=UTC) + timedelta(seconds=second)


days_around = st.integers(-40, 5)
moments = st.builds(_moment, st.integers(-400, 3), st.sampled_from([0, 1, 43_200, 86_399]))
texts = st.sampled_from(TEXTS)
moments_near = st.builds(_moment, st.integers(-40, 2), st.sampled_from([0, 1, 43_200, 86_399]))
PROPERTY_VALUES: tuple[Any, ...] = ("pro", "free", "2", 2, 2.5, True, False)
properties = st.dictionaries(
    st.sampled_from(["plan", "count"]), st.sampled_from(PROPERTY_VALUES), max_size=2
)
dates = st.builds(_day, st.integers(-800, 40))


@frozen
class World:
    customers: list[dict[str, Any]]
    tags: list[tuple[str, int]]
    stages: list[tuple[str, str, str, datetime]]
    events: list[tuple[str, str, date, int]]
    orders: list[dict[str, Any]]
    rfm: list[tuple[str, int, int, int, str]]
    tracked: list[tuple[str, str, datetime, dict[str, Any]]]
    """(customer id, event name, when, properties): what event property filters read."""

    @property
    def ids(self) -> list[str]:
        return [row["id"] for row in self.customers]


@st.composite
def worlds(draw: st.DrawFn, max_customers: int = 14) -> World:
    count = draw(st.integers(1, max_customers))
    people: list[dict[str, Any]] = []
    emails: set[str | None] = {None}
    for number in range(count):
        email = draw(st.sampled_from(["a@x.io", "b@x.io", "ab@y.io", "A@x.io"]))
        # Active customers never share an email: a repeat is left without one.
        email = None if email in emails else email
        emails.add(email)
        custom: dict[str, Any] = {}
        if draw(st.booleans()):
            custom["plan"] = draw(texts)
        if draw(st.booleans()):
            custom["seats"] = draw(st.sampled_from([-1, 0, 2.5, 3, 10, 7]))
        if draw(st.booleans()):
            custom["birthday"] = draw(dates).isoformat()
        if draw(st.booleans()):
            custom["vip"] = draw(st.booleans())
        people.append(
            {
                "id": f"c{number:02d}",
                "email": email,
                "first_name": draw(texts),
                "last_name": draw(texts),
                "created_at": draw(moments),
                "archived": draw(st.integers(0, 9)) == 0,
                "custom_fields": custom,
            }
        )
    ids = [person["id"] for person in people]
    some = st.sampled_from(ids) if ids else st.nothing()
    tagged = draw(st.lists(st.tuples(some, st.integers(0, len(TAG_NAMES) - 1)), unique=True))
    stages = []
    for track, names in TRACKS.items():
        for customer_id in draw(st.lists(some, unique=True)):
            stages.append((customer_id, track, draw(st.sampled_from(names)), draw(moments)))
    events = draw(
        st.lists(
            st.tuples(
                some, st.sampled_from(EVENT_NAMES), st.builds(_day, days_around), st.integers(1, 3)
            ),
            unique_by=lambda e: (e[0], e[1], e[2]),
        )
    )
    placed = []
    for number, customer_id in enumerate(draw(st.lists(some, max_size=20))):
        total = draw(st.sampled_from([0, 500, 1000, 2550, 10_000]))
        placed.append(
            {
                "id": f"o{number:02d}",
                "customer_id": customer_id,
                "placed_at": draw(moments),
                "status": draw(st.sampled_from(["placed", "paid", "refunded", "cancelled"])),
                "currency": draw(st.sampled_from(["USD", "USD", "USD", "EUR"])),
                "total_minor": total,
                "refunded_minor": draw(st.sampled_from([0, 0, total])),
            }
        )
    scored = draw(st.lists(some, unique=True))
    rfm = [
        (
            customer_id,
            draw(st.integers(1, 5)),
            draw(st.integers(1, 5)),
            draw(st.integers(1, 5)),
            draw(st.sampled_from(RFM_CLASSES)),
        )
        for customer_id in scored
    ]
    tracked = [
        (customer_id, draw(st.sampled_from(EVENT_NAMES)), draw(moments_near), draw(properties))
        for customer_id in draw(st.lists(some, max_size=25))
    ]
    return World(people, tagged, stages, events, placed, rfm, tracked)


SEGMENT_TABLES = (
    tracked_events,
    customer_rfm,
    orders,
    event_daily_counts,
    customer_stages,
    customer_tags,
    tags,
    customers,
    custom_field_definitions,
)


def write_world(connection: Connection, world: World) -> None:
    """Replace whatever the tables hold with ``world``."""
    for table in SEGMENT_TABLES:
        connection.execute(delete(table))
    created = datetime(2026, 1, 1, tzinfo=UTC)
    connection.execute(
        insert(custom_field_definitions),
        [
            {
                "id": f"f-{key}",
                "object_type": ObjectType.CUSTOMER,
                "key": key,
                "label": key,
                "field_type": field_type,
                "choices": (),
                "required": False,
                "unique": False,
                "created_at": created,
            }
            for key, field_type in CUSTOM_FIELDS.items()
        ],
    )
    if world.customers:
        connection.execute(
            insert(customers),
            [
                {
                    "id": person["id"],
                    "first_name": person["first_name"],
                    "last_name": person["last_name"],
                    "email": person["email"],
                    "phone": None,
                    "custom_fields": person["custom_fields"],
                    "owner_id": "u",
                    "created_at": person["created_at"],
                    "updated_at": person["created_at"],
                    "archived_at": created if person["archived"] else None,
                    "version": 1,
                    "sort_name": "",
                    "search_text": "",
                }
                for person in world.customers
            ],
        )
    connection.execute(
        insert(tags),
        [
            {
                "id": f"t{number}",
                "name": name,
                "name_key": name.casefold(),
                "colour": "#000000",
                "category": "static",
                "description": "",
                "created_at": created,
                "created_by": "u",
            }
            for number, name in enumerate(TAG_NAMES)
        ],
    )
    _insert(
        connection,
        customer_tags,
        [
            {"customer_id": c, "tag_id": f"t{t}", "tagged_at": created, "tagged_by": "u"}
            for c, t in world.tags
        ],
    )
    _insert(
        connection,
        customer_stages,
        [
            {"customer_id": c, "track": track, "stage": stage, "entered_at": at}
            for c, track, stage, at in world.stages
        ],
    )
    _insert(
        connection,
        event_daily_counts,
        [
            {"customer_id": c, "name": name, "day": day, "occurrences": times}
            for c, name, day, times in world.events
        ],
    )
    _insert(
        connection,
        orders,
        [
            {
                **order,
                "external_id": None,
                "lines": [],
                "created_at": created,
                "updated_at": created,
                "version": 1,
            }
            for order in world.orders
        ],
    )
    _insert(
        connection,
        tracked_events,
        [
            {
                "id": f"e{number:03d}",
                "event_id": f"event-{number:03d}",
                "customer_id": c,
                "name": name,
                "occurred_at": at,
                "received_at": at,
                "properties": props,
            }
            for number, (c, name, at, props) in enumerate(world.tracked)
        ],
    )
    _insert(
        connection,
        customer_rfm,
        [
            {
                "customer_id": c,
                "recency": r,
                "frequency": f,
                "monetary": m,
                "rfm_class": name,
                "computed_at": created,
            }
            for c, r, f, m, name in world.rfm
        ],
    )


def _insert(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


# Rules.

comparisons = st.sampled_from(list(Comparison))
FIELD_KINDS = {
    "email": FieldKind.TEXT,
    "first_name": FieldKind.TEXT,
    "last_name": FieldKind.TEXT,
    "created_at": FieldKind.DATE,
    "custom.plan": FieldKind.TEXT,
    "custom.seats": FieldKind.NUMBER,
    "custom.birthday": FieldKind.DATE,
    "custom.vip": FieldKind.BOOLEAN,
}
_VALUES: dict[FieldKind, st.SearchStrategy[Value]] = {
    FieldKind.TEXT: texts | st.sampled_from(["a@x.io", "b@x.io"]),
    FieldKind.NUMBER: st.sampled_from(NUMBERS),
    FieldKind.DATE: dates | st.builds(_day, st.integers(-400, 3)),
    FieldKind.BOOLEAN: st.booleans(),
}


@st.composite
def attributes(draw: st.DrawFn) -> Rule:
    name = draw(st.sampled_from(sorted(FIELD_KINDS)))
    kind = FIELD_KINDS[name]
    values = _VALUES[kind]
    if kind is FieldKind.BOOLEAN:
        op = draw(st.sampled_from([FieldOp.COMPARE, FieldOp.IS_SET, FieldOp.IS_NOT_SET]))
        if op is FieldOp.COMPARE:
            comparison = draw(st.sampled_from([Comparison.EQ, Comparison.NE]))
            return Attribute(name, op, (draw(values),), comparison)
        return Attribute(name, op)
    ops = list(FieldOp)
    if kind is not FieldKind.TEXT:
        ops = [op for op in ops if op not in (FieldOp.CONTAINS, FieldOp.STARTS_WITH)]
    op = draw(st.sampled_from(ops))
    if op is FieldOp.COMPARE:
        return Attribute(name, op, (draw(values),), draw(comparisons))
    if op in (FieldOp.IN, FieldOp.NOT_IN):
        return Attribute(name, op, tuple(draw(st.lists(values, min_size=1, max_size=3))))
    if op is FieldOp.BETWEEN:
        return Attribute(name, op, (draw(values), draw(values)))
    if op in (FieldOp.CONTAINS, FieldOp.STARTS_WITH):
        return Attribute(name, op, (draw(st.sampled_from(["", "a", "b", "x.io", "@", "é"])),))
    return Attribute(name, op)


relations = st.sampled_from(list(DateRelation))
small_days = st.sampled_from([1, 2, 7, 30, 90, 366])


def _relative_date(draw: st.DrawFn) -> Rule:
    name = draw(st.sampled_from(["created_at", "custom.birthday"]))
    relation = draw(relations)
    days = draw(small_days if relation is not DateRelation.MORE_THAN_AGO else st.integers(0, 400))
    return RelativeDate(name, relation, days)


@st.composite
def predicates(draw: st.DrawFn, ids: list[str]) -> Rule:
    kind = draw(st.integers(0, 11))
    if kind == 0:
        return draw(attributes())
    if kind == 1:
        return _relative_date(draw)
    if kind == 2:
        names = draw(st.lists(st.sampled_from([*TAG_NAMES, "vip", "NEW"]), min_size=1, max_size=3))
        return HasTags(draw(st.sampled_from(list(TagMode))), tuple(names))
    if kind == 3:
        track = draw(st.sampled_from(sorted(TRACKS)))
        stages = draw(st.lists(st.sampled_from(TRACKS[track]), min_size=1, max_size=2))
        return InStage(track, tuple(stages), draw(st.booleans()))
    if kind == 4:
        track = draw(st.sampled_from(sorted(TRACKS)))
        return DaysInStage(track, draw(comparisons), draw(st.integers(0, 400)))
    if kind == 5:
        where = draw(
            st.none()
            | st.builds(
                EventProperty,
                st.sampled_from(["plan", "count"]),
                st.sampled_from(["pro", "free", "2", Decimal(2), Decimal("2.5"), True, False]),
            )
        )
        return EventCount(
            draw(st.sampled_from(EVENT_NAMES)),
            draw(st.sampled_from([1, 2, 7, 30, 366])),
            draw(comparisons),
            draw(st.integers(0, 6)),
            where,
        )
    if kind == 6:
        metric = draw(st.sampled_from(list(OrderMetric)))
        if metric is OrderMetric.COUNT:
            value = Decimal(draw(st.integers(0, 3)))
        else:
            value = draw(st.sampled_from([Decimal(0), Decimal(5), Decimal("25.50"), Decimal(100)]))
        window = draw(st.none() | st.sampled_from([1, 30, 90, 365]))
        return OrderAggregate(metric, window, draw(comparisons), value)
    if kind == 7:
        relation = draw(relations)
        days = draw(
            small_days if relation is not DateRelation.MORE_THAN_AGO else st.integers(0, 400)
        )
        return OrderDateIs(draw(st.sampled_from(list(OrderDate))), relation, days)
    if kind == 8:
        return RfmScore(
            draw(st.sampled_from(list(RfmPart))), draw(comparisons), draw(st.integers(1, 5))
        )
    if kind == 9:
        classes = draw(st.lists(st.sampled_from(RFM_CLASSES), min_size=1, max_size=3))
        return RfmClassIs(tuple(classes), draw(st.booleans()))
    if kind == 10 and ids:
        return Members(frozenset(draw(st.lists(st.sampled_from([*ids, "nobody"])))))
    return _relative_date(draw)


def rules(ids: list[str]) -> st.SearchStrategy[Rule]:
    return st.recursive(
        predicates(ids),
        lambda children: st.one_of(
            st.builds(AllOf, st.lists(children, min_size=2, max_size=3).map(tuple)),
            st.builds(AnyOf, st.lists(children, min_size=2, max_size=3).map(tuple)),
            st.builds(Not, children),
        ),
        max_leaves=6,
    )
