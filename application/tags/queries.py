"""Use cases that read tags: the catalogue a page at a time, tags of customers, history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from attrs import frozen

from application.pagination import (
    Page,
    PageRequest,
    SortKey,
    build_page,
    decode_cursor,
    encode_cursor,
    read_text,
)
from application.principal import Principal
from application.tags.ports import TagReader
from application.tags.views import TagView
from domain.access.roles import Permission
from domain.tags import TagChange

_ORDERING = "name:asc"


def _cursor(view: TagView) -> str:
    key, tag_id = view.sort_key
    return encode_cursor(_ORDERING, SortKey(key, tag_id))


@frozen
class ListTags:
    """The catalogue by name, ignoring case; small enough to page in memory."""

    reader: TagReader

    def __call__(self, actor: Principal, page: PageRequest) -> Page[TagView]:
        actor.require(Permission.READ_CUSTOMERS)
        size = page.size
        after = page.after and decode_cursor(page.after, _ORDERING, field="after", read=read_text)
        before = page.before and decode_cursor(
            page.before, _ORDERING, field="before", read=read_text
        )
        tags = [
            tag
            for tag in self.reader.all()
            if (not after or tag.sort_key > (after.value, after.id))
            and (not before or tag.sort_key < (before.value, before.id))
        ]
        if page.from_end:
            tags.reverse()
        return build_page(page, tags[: size + 1], size, _cursor)

    def count(self, actor: Principal) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return len(self.reader.all())

    def everything(self, actor: Principal) -> Sequence[TagView]:
        """The whole catalogue by name: for callers that look tags up by name."""
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.all()


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
