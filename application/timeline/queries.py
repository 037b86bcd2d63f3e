"""Reading a customer's timeline a page at a time."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from attrs import frozen

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
from application.timeline.ports import TimelineReader
from domain.access.roles import Permission
from domain.timeline import TimelineEntry

ORDERING: Final = "timeline:occurred_at:desc"


def timeline_cursor(entry: TimelineEntry) -> str:
    return encode_cursor(ORDERING, SortKey(entry.occurred_at, entry.id))


@frozen
class GetTimeline:
    """A customer's timeline, newest first, from every module that writes to it.

    Pages are keyset pages over ``(occurred_at, id)``: an entry written between two
    fetches never repeats one already seen nor hides one that was there before.
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
    ) -> Page[TimelineEntry]:
        actor.require(Permission.READ_CUSTOMERS)
        request = PageRequest(first=first, after=after)
        size = request.size
        key = decode_cursor(after, ORDERING, field="after", read=read_time) if after else None
        fetched = self.reader.slice(
            customer_id,
            kinds=frozenset(kinds) if kinds is not None else None,
            after=key,
            limit=size + 1,
        )
        return build_page(request, fetched, size, timeline_cursor)

    def first_pages(
        self,
        actor: Principal,
        customer_ids: Collection[str],
        *,
        kinds: Collection[str] | None = None,
        first: int | None = None,
    ) -> dict[str, Page[TimelineEntry]]:
        """The first page of many customers' timelines at once, for lists of customers."""
        actor.require(Permission.READ_CUSTOMERS)
        request = PageRequest(first=first)
        size = request.size
        fetched = self.reader.newest_of_customers(
            customer_ids, kinds=frozenset(kinds) if kinds is not None else None, limit=size + 1
        )
        return {
            customer_id: build_page(request, fetched.get(customer_id, ()), size, timeline_cursor)
            for customer_id in customer_ids
        }
