"""Reading a customer's timeline a page at a time."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from attrs import frozen

from application.errors import InvalidInput
from application.pagination import (
    Page,
    PageRequest,
    SortKey,
    build_page,
    decode_cursor,
    encode_cursor,
    read_time,
)
from application.principal import Principal
from application.timeline.ports import EVERYTHING, TimelineReader, TimelineWindow
from domain.access.roles import Permission, Resource
from domain.errors import ErrorCode
from domain.timeline import TimelineEntry

ORDERING: Final = "timeline:occurred_at:desc"
OLDEST_FIRST: Final = "timeline:occurred_at:asc"


def timeline_cursor(entry: TimelineEntry) -> str:
    return encode_cursor(ORDERING, SortKey(entry.occurred_at, entry.id))


def oldest_first_cursor(entry: TimelineEntry) -> str:
    return encode_cursor(OLDEST_FIRST, SortKey(entry.occurred_at, entry.id))


def _checked(window: TimelineWindow) -> TimelineWindow:
    if window.since is not None and window.since.tzinfo is None:
        raise InvalidInput("from", ErrorCode.INVALID, "must include a time zone")
    if window.until is not None and window.until.tzinfo is None:
        raise InvalidInput("to", ErrorCode.INVALID, "must include a time zone")
    if window.since is not None and window.until is not None and window.until <= window.since:
        raise InvalidInput("to", ErrorCode.INVALID, "must be later than from")
    return window


def _kinds(window: TimelineWindow) -> frozenset[str] | None:
    return frozenset(window.kinds) if window.kinds is not None else None


@frozen
class GetTimeline:
    """A customer's timeline, newest first, from every module that writes to it.

    Pages are keyset pages over ``(occurred_at, id)``: an entry written between two
    fetches never repeats one already seen nor hides one that was there before. A window
    narrows the timeline to some kinds and a time range (``since`` inclusive, ``until``
    exclusive) in the reader itself.
    """

    reader: TimelineReader

    def __call__(
        self,
        actor: Principal,
        customer_id: str,
        *,
        kinds: Collection[str] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        window: TimelineWindow | None = None,
        oldest_first: bool = False,
    ) -> Page[TimelineEntry]:
        actor.require(Permission.READ_CUSTOMERS)
        window = _checked(window or TimelineWindow(kinds=_frozen(kinds)))
        request = PageRequest(first=first, after=after, last=last, before=before)
        size = request.size
        ordering = OLDEST_FIRST if oldest_first else ORDERING
        start = decode_cursor(after, ordering, field="after", read=read_time) if after else None
        end = decode_cursor(before, ordering, field="before", read=read_time) if before else None
        fetched = self.reader.slice(
            customer_id,
            visible=actor.visibility(Resource.CUSTOMERS),
            kinds=_kinds(window),
            after=start,
            before=end,
            limit=size + 1,
            from_end=request.from_end,
            oldest_first=oldest_first,
            since=window.since,
            until=window.until,
        )
        cursor = oldest_first_cursor if oldest_first else timeline_cursor
        return build_page(request, fetched, size, cursor)

    def first_pages(
        self,
        actor: Principal,
        customer_ids: Collection[str],
        *,
        kinds: Collection[str] | None = None,
        first: int | None = None,
        window: TimelineWindow | None = None,
    ) -> dict[str, Page[TimelineEntry]]:
        """The first page of many customers' timelines at once, for lists of customers."""
        actor.require(Permission.READ_CUSTOMERS)
        window = _checked(window or TimelineWindow(kinds=_frozen(kinds)))
        request = PageRequest(first=first)
        size = request.size
        fetched = self.reader.newest_of_customers(
            customer_ids,
            visible=actor.visibility(Resource.CUSTOMERS),
            kinds=_kinds(window),
            limit=size + 1,
            since=window.since,
            until=window.until,
        )
        return {
            customer_id: build_page(request, fetched.get(customer_id, ()), size, timeline_cursor)
            for customer_id in customer_ids
        }

    def counts(
        self,
        actor: Principal,
        customer_ids: Collection[str],
        window: TimelineWindow = EVERYTHING,
    ) -> dict[str, int]:
        """How many entries of each customer's timeline the window holds, at once."""
        actor.require(Permission.READ_CUSTOMERS)
        window = _checked(window)
        found = self.reader.count_of_customers(
            customer_ids,
            visible=actor.visibility(Resource.CUSTOMERS),
            kinds=_kinds(window),
            since=window.since,
            until=window.until,
        )
        return {customer_id: found.get(customer_id, 0) for customer_id in customer_ids}


def _frozen(kinds: Collection[str] | None) -> frozenset[str] | None:
    return frozenset(kinds) if kinds is not None else None
