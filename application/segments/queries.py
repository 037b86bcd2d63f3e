"""Use cases that read segments, their members and history, and customers' RFM scores."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import partial

from attrs import frozen

from application.pagination import (
    MemoryOrder,
    Page,
    PageRequest,
    SortKey,
    build_page,
    decode_cursor,
    encode_cursor,
    keyset_page,
    page_in_memory,
    read_text,
    read_time,
)
from application.principal import Principal
from application.segments.ports import (
    SegmentFilter,
    SegmentOrder,
    SegmentReader,
    SegmentView,
    SizePoint,
)
from domain.access.roles import Permission, Resource
from domain.segments.rfm import RfmScore

MAX_PAGE = 1_000
MEMBERS_ORDERING = "segment_members:customer_id:asc"


_SIZES: MemoryOrder[SizePoint] = MemoryOrder(
    name="segment_sizes:at:asc",
    value_of=lambda point: point.at,
    id_of=lambda point: point.at.isoformat(),
    read=read_time,
)


def _member_cursor(customer_id: str) -> str:
    return encode_cursor(MEMBERS_ORDERING, SortKey(customer_id, customer_id))


@frozen
class ReadSegments:
    """Segments, members by keyset, size history, a customer's segments and RFM scores."""

    reader: SegmentReader

    def all(self, actor: Principal) -> Sequence[SegmentView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.all()

    def page(
        self,
        actor: Principal,
        page: PageRequest,
        filter: SegmentFilter = SegmentFilter(),
        order: SegmentOrder = SegmentOrder(),
    ) -> Page[SegmentView]:
        actor.require(Permission.READ_CUSTOMERS)
        return keyset_page(page, order.memory_order(), partial(self.reader.slice, filter, order))

    def count(self, actor: Principal, filter: SegmentFilter = SegmentFilter()) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(filter)

    def member_page(self, actor: Principal, segment_id: str, page: PageRequest) -> Page[str]:
        """Member ids in code point order, a Relay page at a time."""
        actor.require(Permission.READ_CUSTOMERS)
        size = page.size

        def bound(cursor: str | None, field: str) -> str | None:
            if cursor is None:
                return None
            return decode_cursor(cursor, MEMBERS_ORDERING, field=field, read=read_text).id

        after, before = bound(page.after, "after"), bound(page.before, "before")
        # Walking back from the end, the reader's "after" is the page's before.
        fetched = self.reader.members(
            segment_id,
            first=size + 1,
            visible=actor.visibility(Resource.CUSTOMERS),
            after=before if page.from_end else after,
            before=after if page.from_end else before,
            descending=page.from_end,
        )
        return build_page(page, fetched, size, _member_cursor)

    def first_member_pages(
        self, actor: Principal, segment_ids: Collection[str], first: int | None
    ) -> dict[str, Page[str]]:
        """The first page of many segments' members at once, for lists of segments."""
        actor.require(Permission.READ_CUSTOMERS)
        request = PageRequest(first=first)
        size = request.size
        fetched = self.reader.first_members(
            segment_ids, size + 1, visible=actor.visibility(Resource.CUSTOMERS)
        )
        return {
            segment_id: build_page(request, fetched.get(segment_id, []), size, _member_cursor)
            for segment_id in segment_ids
        }

    def member_counts(self, actor: Principal, segment_ids: Collection[str]) -> Mapping[str, int]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.member_counts(segment_ids, visible=actor.visibility(Resource.CUSTOMERS))

    def size_histories(
        self, actor: Principal, segment_ids: Collection[str]
    ) -> Mapping[str, Sequence[SizePoint]]:
        actor.require(Permission.READ_CUSTOMERS)
        if not _sees_every_customer(actor):
            return {}
        return self.reader.size_histories(segment_ids)

    def size_page_of(self, points: Sequence[SizePoint], page: PageRequest) -> Page[SizePoint]:
        """A Relay page of sizes already read (``size_histories``), oldest first."""
        return page_in_memory(page, points, _SIZES)

    def member_count(self, actor: Principal, segment_id: str) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.member_count(segment_id, visible=actor.visibility(Resource.CUSTOMERS))

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, SegmentView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids)

    def members(
        self, actor: Principal, segment_id: str, *, first: int, after: str | None
    ) -> Sequence[str]:
        """Up to ``first`` member ids after ``after``, one more to tell whether more follow."""
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.members(
            segment_id,
            first=max(0, min(first, MAX_PAGE)) + 1,
            after=after,
            visible=actor.visibility(Resource.CUSTOMERS),
        )

    def size_page(self, actor: Principal, segment_id: str, page: PageRequest) -> Page[SizePoint]:
        """The segment's sizes, oldest first, a Relay page at a time."""
        return page_in_memory(page, self.size_history(actor, segment_id), _SIZES)

    def size_history(self, actor: Principal, segment_id: str) -> Sequence[SizePoint]:
        actor.require(Permission.READ_CUSTOMERS)
        if not _sees_every_customer(actor):
            return ()
        return self.reader.size_history(segment_id)

    def segments_of(
        self, actor: Principal, customer_ids: Collection[str]
    ) -> Mapping[str, Sequence[SegmentView]]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.segments_of(customer_ids)

    def rfm_of(self, actor: Principal, customer_ids: Collection[str]) -> Mapping[str, RfmScore]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.rfm_of(customer_ids)


def _sees_every_customer(actor: Principal) -> bool:
    """Past sizes counted every member at the time; an actor who may see only some
    customers gets no history rather than counts of customers hidden from them."""
    return actor.visibility(Resource.CUSTOMERS).unrestricted
