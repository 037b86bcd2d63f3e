"""Reading tracks, customers' stages, their history and the time spent in a stage."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from typing import Final

from attrs import frozen

from application.lifecycle.ports import LifecycleReader
from application.lifecycle.views import StageView
from application.pagination import (
    Page,
    PageRequest,
    SortKey,
    build_page,
    decode_cursor,
    encode_cursor,
    read_time,
)
from application.ports import Clock
from application.principal import Principal
from domain.access.roles import Permission
from domain.lifecycle import LifecycleCatalogue, StageChange

ORDERING: Final = "stage_history:changed_at:desc"


def history_cursor(change: StageChange) -> str:
    return encode_cursor(ORDERING, SortKey(change.changed_at, change.id))


@frozen
class ReadLifecycle:
    reader: LifecycleReader
    clock: Clock

    def tracks(self, actor: Principal) -> LifecycleCatalogue:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.catalogue()

    def stages_of(
        self, actor: Principal, customer_ids: Collection[str]
    ) -> Mapping[str, Sequence[StageView]]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.stages_of(customer_ids)

    def history(
        self,
        actor: Principal,
        customer_id: str,
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Page[StageChange]:
        """A customer's stage changes on every track, newest first, a keyset page at a time."""
        actor.require(Permission.READ_CUSTOMERS)
        request = PageRequest(first=first, after=after, last=last, before=before)
        size = request.size
        older_than = (
            decode_cursor(after, ORDERING, field="after", read=read_time) if after else None
        )
        newer_than = (
            decode_cursor(before, ORDERING, field="before", read=read_time) if before else None
        )
        # Walking back from the end (last), the oldest come first; the page turns them round.
        fetched = self.reader.history(
            customer_id,
            after=older_than,
            before=newer_than,
            limit=size + 1,
            oldest_first=request.from_end,
        )
        return build_page(request, fetched, size, history_cursor)

    def history_counts(self, actor: Principal, customer_ids: Collection[str]) -> Mapping[str, int]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.history_counts(customer_ids)

    def first_history_pages(
        self, actor: Principal, customer_ids: Collection[str], first: int | None
    ) -> dict[str, Page[StageChange]]:
        """The first page of many customers' stage histories at once, for lists."""
        actor.require(Permission.READ_CUSTOMERS)
        request = PageRequest(first=first)
        size = request.size
        fetched = self.reader.newest_of(customer_ids, size + 1)
        return {
            customer_id: build_page(request, fetched.get(customer_id, ()), size, history_cursor)
            for customer_id in customer_ids
        }

    def time_in_stage(self, actor: Principal, customer_id: str, track: str) -> timedelta | None:
        """How long the customer has been at its current stage of ``track``; None if none."""
        actor.require(Permission.READ_CUSTOMERS)
        for view in self.reader.stages_of([customer_id]).get(customer_id, ()):
            if view.track == track:
                return self.clock.now() - view.entered_at
        return None
