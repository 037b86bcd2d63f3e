"""Use cases that read tags: the catalogue a page at a time, tags of customers, history."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import partial

from attrs import frozen

from application.pagination import (
    MemoryOrder,
    Page,
    PageRequest,
    build_page,
    encode_cursor,
    keyset_page,
    page_in_memory,
    read_time,
)
from application.principal import Principal
from application.tags.ports import TagReader
from application.tags.views import TagFilter, TagOrder, TagView
from domain.access.roles import Permission
from domain.tags import TagChange


@frozen
class ListTags:
    """The catalogue, filtered and ordered; small enough to page in memory."""

    reader: TagReader

    def __call__(
        self,
        actor: Principal,
        page: PageRequest,
        filter: TagFilter = TagFilter(),
        order: TagOrder = TagOrder(),
    ) -> Page[TagView]:
        actor.require(Permission.READ_CUSTOMERS)
        return keyset_page(page, order.memory_order(), partial(self.reader.slice, filter, order))

    def count(self, actor: Principal, filter: TagFilter = TagFilter()) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count(filter)

    def everything(self, actor: Principal) -> Sequence[TagView]:
        """The whole catalogue by name: for callers that look tags up by name."""
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.all()


HISTORY_ORDERING = "tag_history:occurred_at:desc"
_HISTORY: MemoryOrder[TagChange] = MemoryOrder(
    name=HISTORY_ORDERING,
    value_of=lambda change: change.occurred_at,
    id_of=lambda change: change.id,
    read=read_time,
    descending=True,
)


def _history_cursor(change: TagChange) -> str:
    return encode_cursor(HISTORY_ORDERING, _HISTORY.key_of(change))


@frozen
class GetTags:
    """Tags by id, and the tags of many customers at once, for DataLoaders."""

    reader: TagReader

    def __call__(self, actor: Principal, ids: Iterable[str]) -> Mapping[str, TagView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids)

    def of_customers(
        self, actor: Principal, customer_ids: Iterable[str]
    ) -> Mapping[str, Sequence[TagView]]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.tags_of(customer_ids)

    def history(self, actor: Principal, customer_id: str) -> Sequence[TagChange]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.history(customer_id)

    def history_page(
        self, actor: Principal, customer_id: str, page: PageRequest
    ) -> Page[TagChange]:
        """A customer's tag changes, newest first, a Relay page at a time."""
        actor.require(Permission.READ_CUSTOMERS)
        return page_in_memory(page, self.reader.history(customer_id), _HISTORY)

    def history_counts(self, actor: Principal, customer_ids: Collection[str]) -> Mapping[str, int]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.history_counts(customer_ids)

    def first_history_pages(
        self, actor: Principal, customer_ids: Collection[str], first: int | None
    ) -> dict[str, Page[TagChange]]:
        """The first page of many customers' tag histories at once, for lists of customers."""
        actor.require(Permission.READ_CUSTOMERS)
        request = PageRequest(first=first)
        size = request.size
        fetched = self.reader.newest_history(customer_ids, size + 1)
        return {
            customer_id: build_page(request, fetched.get(customer_id, ()), size, _history_cursor)
            for customer_id in customer_ids
        }
