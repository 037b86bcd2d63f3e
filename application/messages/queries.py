"""Reading messages: a customer's, newest first, and one by id; they follow the customer's
visibility, as orders and activities do."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from application.messages.ports import (
    NEWEST_FIRST,
    MessageReader,
    MessageView,
    message_sort_key,
)
from application.pagination import Page, PageRequest, SortKey, SortValue, keyset_page, read_time
from application.principal import Principal
from domain.access.roles import Permission, Resource


@frozen
class _NewestFirst:
    name: str = NEWEST_FIRST

    def key_of(self, view: MessageView) -> SortKey:
        return message_sort_key(view)

    def read_cursor_value(self, raw: object) -> SortValue:
        return read_time(raw)


@frozen
class ReadMessages:
    reader: MessageReader

    def get(self, actor: Principal, message_id: str) -> MessageView | None:
        """The message, or ``None`` when it does not exist or its customer is not seen."""
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get(message_id, visible=actor.visibility(Resource.CUSTOMERS))

    def of_customer(
        self, actor: Principal, customer_id: str, page: PageRequest
    ) -> Page[MessageView]:
        actor.require(Permission.READ_CUSTOMERS)
        visible = actor.visibility(Resource.CUSTOMERS)

        def slice_of(
            *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
        ) -> Sequence[MessageView]:
            return self.reader.slice_of_customer(
                customer_id,
                visible=visible,
                after=after,
                before=before,
                limit=limit,
                from_end=from_end,
            )

        return keyset_page(page, _NewestFirst(), slice_of)

    def count_of_customer(self, actor: Principal, customer_id: str) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.count_of_customer(
            customer_id, visible=actor.visibility(Resource.CUSTOMERS)
        )
