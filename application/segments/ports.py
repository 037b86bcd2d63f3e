"""The ports segments need: facts to evaluate rules over, evaluators, storage and reads."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from attrs import field, frozen

from application.pagination import MemoryOrder, SortKey, read_int, read_text, read_time
from application.segments.checking import FieldKind
from domain.access.visibility import Visibility
from domain.segments.rfm import Purchases, RfmScore
from domain.segments.rules import EventProperty, Rule
from domain.segments.segment import Segment, SegmentKind
from domain.tags.tag import name_key


@frozen
class CustomerRow:
    id: str
    email: str | None
    first_name: str
    last_name: str
    created_at: datetime
    custom_fields: Mapping[str, Any]


@frozen
class SegmentFacts:
    """Everything a rule can read about active customers, as plain rows.

    Orders are those not cancelled, in the segments' currency, with the amount kept (total
    less refunds) in minor units and the UTC day they were placed; events are daily counts.
    """

    fields: Mapping[str, FieldKind]
    customers: Sequence[CustomerRow]
    tags: Sequence[tuple[str, str]]
    """(customer id, case-folded tag name)."""
    stages: Sequence[tuple[str, str, str, datetime]]
    """(customer id, track, stage, entered at)."""
    events: Sequence[tuple[str, str, date, int]]
    """(customer id, event name, UTC day, occurrences)."""
    orders: Sequence[tuple[str, date, int]]
    """(customer id, UTC day placed, amount in minor units)."""
    rfm: Sequence[RfmScore]
    matching_events: Mapping[tuple[str, EventProperty], Sequence[tuple[str, date, int]]] = field(
        factory=dict
    )
    """For event predicates with a property: (customer id, UTC day, occurrences) by
    (event name, property), for those asked for."""


MatchingEvents = Sequence[tuple[str, date, int]]


def count_by_day(occurrences: Iterable[tuple[str, date]]) -> list[tuple[str, date, int]]:
    """(customer id, day, how many) from one (customer id, day) per event."""
    counts: dict[tuple[str, date], int] = {}
    for key in occurrences:
        counts[key] = counts.get(key, 0) + 1
    return [(customer_id, day, times) for (customer_id, day), times in sorted(counts.items())]


class SegmentFactsSource(Protocol):
    """Reads the facts that rules and RFM scores are computed from."""

    def facts(
        self, *, currency: str, events_since: date, customer_ids: Collection[str] | None = None
    ) -> SegmentFacts:
        """Active customers' facts (all, or those named); event counts from ``events_since``."""
        ...

    def matching_events(
        self,
        *,
        name: str,
        where: EventProperty,
        since: date,
        customer_ids: Collection[str] | None = None,
    ) -> MatchingEvents:
        """Per active customer and UTC day from ``since``, the events named so that match."""
        ...

    def purchases(self, *, currency: str, since: date | None, until: date) -> list[Purchases]:
        """Per customer with orders placed in ``since``..``until`` (UTC days, inclusive)."""
        ...


@frozen
class Evaluation:
    """How many customers meet a rule, and the first of them by id (code point order)."""

    count: int
    ids: Sequence[str]


class SegmentEvaluator(Protocol):
    """Finds the active customers meeting a rule; ``InSegment`` is resolved beforehand."""

    def evaluate(self, rule: Rule, today: date, *, limit: int | None = None) -> Evaluation:
        """Members on UTC day ``today``; ``ids`` holds at most ``limit`` (all when None)."""
        ...


class RuleMatcher(Protocol):
    """Which of many rules each of a few customers meets: the re-check after a change."""

    def matching(
        self, rules: Mapping[str, Rule], facts: SegmentFacts, today: date
    ) -> dict[str, set[str]]:
        """For each customer in ``facts``, the keys of the rules they meet on ``today``."""
        ...


class SegmentRepository(Protocol):
    """``uow.segments``: segments, their members and size history, and RFM scores."""

    def add(self, segment: Segment) -> None: ...

    def get(self, segment_id: str) -> Segment | None: ...

    def by_name(self, name: str) -> Segment | None:
        """The segment of that name, compared case-folded."""
        ...

    def dynamic(self) -> list[Segment]:
        """Every dynamic segment, loaded for refreshing."""
        ...

    def members_of(self, segment_id: str) -> set[str]: ...

    def set_members(
        self, segment: Segment, customer_ids: Collection[str], at: datetime
    ) -> tuple[set[str], set[str]]:
        """Store the membership and a point of size history; return (entered, exited)."""
        ...

    def memberships(self, customer_ids: Collection[str]) -> dict[str, set[str]]:
        """The segment ids each customer is a member of now."""
        ...

    def change_members(
        self, segment: Segment, entered: Collection[str], exited: Collection[str]
    ) -> None:
        """Add and remove a few members, without a point of size history."""
        ...

    def replace_rfm(self, scores: Sequence[RfmScore], computed_at: datetime) -> None:
        """The scores of a new RFM run, in place of the previous run's."""
        ...


@frozen
class SegmentView:
    id: str
    name: str
    kind: SegmentKind
    rule: str
    size: int
    created_at: datetime
    updated_at: datetime
    refreshed_at: datetime | None
    description: str = ""
    version: int = 1

    @classmethod
    def from_segment(cls, segment: Segment) -> SegmentView:
        return cls(
            id=segment.id,
            name=segment.name,
            kind=segment.kind,
            rule=segment.rule,
            size=segment.size,
            created_at=segment.created_at,
            updated_at=segment.updated_at,
            refreshed_at=segment.refreshed_at,
            description=segment.description,
            version=segment.version,
        )


class SegmentSortField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"
    SIZE = "size"


@frozen(kw_only=True)
class SegmentFilter:
    """Segments of ``kinds`` whose name holds ``name_contains`` (ignoring case)."""

    kinds: frozenset[SegmentKind] | None = None
    name_contains: str | None = None

    def admits(self, segment: SegmentView) -> bool:
        if self.kinds is not None and segment.kind not in self.kinds:
            return False
        return not self.name_contains or name_key(self.name_contains) in name_key(segment.name)


@frozen(kw_only=True)
class SegmentOrder:
    field: SegmentSortField = SegmentSortField.NAME
    descending: bool = False

    def memory_order(self) -> MemoryOrder[SegmentView]:
        name = f"segments:{self.field.value}:{'desc' if self.descending else 'asc'}"
        if self.field is SegmentSortField.CREATED_AT:
            value_of, read = (lambda s: s.created_at), read_time
        elif self.field is SegmentSortField.SIZE:
            value_of, read = (lambda s: s.size), read_int
        else:
            value_of, read = (lambda s: name_key(s.name)), read_text
        return MemoryOrder(
            name=name,
            value_of=value_of,
            id_of=lambda s: s.id,
            read=read,
            descending=self.descending,
        )


@frozen
class SizePoint:
    at: datetime
    size: int


class SegmentReader(Protocol):
    """Reads for the API: segments, members by keyset, a customer's segments, RFM."""

    def slice(
        self,
        filter: SegmentFilter,
        order: SegmentOrder,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[SegmentView]:
        """At most ``limit`` segments the filter admits, strictly between ``after`` and
        ``before`` in ``order`` (then by id), walked from the end when ``from_end``."""
        ...

    def count(self, filter: SegmentFilter) -> int:
        """How many segments the filter admits."""
        ...

    def all(self) -> list[SegmentView]:
        """Every segment, by case-folded name."""
        ...

    def get_many(self, ids: Collection[str]) -> Mapping[str, SegmentView]: ...

    def members(
        self,
        segment_id: str,
        *,
        first: int,
        after: str | None,
        visible: Visibility,
        before: str | None = None,
        descending: bool = False,
    ) -> list[str]:
        """At most ``first`` ids of members ``visible`` admits in code point order (reversed when ``descending``),
        strictly after ``after`` and before ``before`` in that order."""
        ...

    def member_count(self, segment_id: str, *, visible: Visibility) -> int: ...

    def member_counts(
        self, segment_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        """How many visible members each segment has; none for those without."""
        ...

    def first_members(
        self, segment_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, list[str]]:
        """The first ``limit`` visible member ids of each segment (code point order), in one query."""
        ...

    def size_histories(self, segment_ids: Collection[str]) -> Mapping[str, list[SizePoint]]:
        """Each segment's sizes, oldest first, in one query; none for those without."""
        ...

    def segments_of(self, customer_ids: Collection[str]) -> Mapping[str, list[SegmentView]]: ...

    def all_members(self, segment_id: str) -> set[str]:
        """Every member of the segment, for rules that name a static segment."""
        ...

    def size_history(self, segment_id: str) -> list[SizePoint]:
        """Oldest first."""
        ...

    def rfm_of(self, customer_ids: Collection[str]) -> Mapping[str, RfmScore]: ...
