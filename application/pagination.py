"""Keyset pagination: opaque cursors and Relay-style page windows."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from attrs import frozen

from application.errors import InvalidInput
from domain.errors import ErrorCode

T = TypeVar("T")
SortValue = str | int | float | bool | Decimal | datetime | date | None
"""``None`` sorts last: records without a value for the sort key come after the rest."""
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@frozen
class SortKey:
    """Where an item stands in an ordering: its sort value, then its id to break ties."""

    value: SortValue
    id: str


def encode_cursor(ordering: str, key: SortKey) -> str:
    value: object = key.value
    if isinstance(value, date):  # a datetime too
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps([ordering, value, key.id], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_text(value: object) -> SortValue:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def read_time(value: object) -> SortValue:
    if not isinstance(value, str):
        raise ValueError(value)
    return datetime.fromisoformat(value)


def decode_cursor(
    cursor: str, ordering: str, *, field: str, read: Callable[[object], SortValue]
) -> SortKey:
    """Read a cursor made for ``ordering``; any other cursor is a typed input error.

    ``read`` turns the JSON sort value back into what the ordering sorts by.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        made_for, value, item_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if made_for != ordering or not isinstance(item_id, str):
            raise ValueError(made_for)
        return SortKey(read(value), item_id)
    except (ValueError, TypeError, ArithmeticError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            field, ErrorCode.INVALID, "is not a cursor of this list in this order"
        ) from None


@frozen
class PageRequest:
    """Relay arguments: ``first``/``after`` pages forward, ``last``/``before`` backward."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def from_end(self) -> bool:
        return self.last is not None and self.first is None

    @property
    def size(self) -> int:
        if self.first is not None and self.last is not None:
            raise InvalidInput("last", ErrorCode.INVALID, "give first or last, not both")
        size = self.last if self.from_end else self.first
        if size is None:
            return DEFAULT_PAGE_SIZE
        if not 0 <= size <= MAX_PAGE_SIZE:
            name = "last" if self.from_end else "first"
            raise InvalidInput(name, ErrorCode.INVALID, f"must be between 0 and {MAX_PAGE_SIZE}")
        return size


@frozen
class Edge(Generic[T]):
    node: T
    cursor_of: Callable[[T], str]

    @property
    def cursor(self) -> str:
        """Encoded only when asked for: most clients never read most cursors."""
        return self.cursor_of(self.node)


@frozen
class Page(Generic[T]):
    edges: tuple[Edge[T], ...]
    has_next_page: bool
    has_previous_page: bool

    @property
    def start_cursor(self) -> str | None:
        return self.edges[0].cursor if self.edges else None

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1].cursor if self.edges else None


def build_page(
    request: PageRequest,
    fetched: Sequence[T],
    size: int,
    cursor_of: Callable[[T], str],
) -> Page[T]:
    """Turn ``size + 1`` items fetched in walking order into a page in display order."""
    has_more = len(fetched) > size
    items = list(fetched[:size])
    if request.from_end:
        items.reverse()
    edges = tuple(Edge(item, cursor_of) for item in items)
    if request.from_end:
        return Page(edges, has_next_page=request.before is not None, has_previous_page=has_more)
    return Page(edges, has_next_page=has_more, has_previous_page=request.after is not None)


V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)
V_contra = TypeVar("V_contra", contravariant=True)


class KeysetOrder(Protocol[V_contra]):
    """An ordering that pages by keyset: its name, each item's key, and how cursors read."""

    @property
    def name(self) -> str: ...

    def key_of(self, view: V_contra) -> SortKey: ...

    def read_cursor_value(self, raw: object) -> SortValue: ...


class Slicer(Protocol[V_co]):
    def __call__(
        self, *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
    ) -> Sequence[V_co]: ...


def keyset_page(page: PageRequest, order: KeysetOrder[V], slice_of: Slicer[V]) -> Page[V]:
    """One page of any keyset-ordered list: cursors decoded, one item more fetched, page built."""
    size = page.size
    read = order.read_cursor_value
    after = page.after and decode_cursor(page.after, order.name, field="after", read=read)
    before = page.before and decode_cursor(page.before, order.name, field="before", read=read)
    fetched = slice_of(
        after=after or None, before=before or None, limit=size + 1, from_end=page.from_end
    )
    return build_page(
        page, fetched, size, lambda view: encode_cursor(order.name, order.key_of(view))
    )


@frozen
class MemoryOrder(Generic[V]):
    """An ordering of a list small enough to page in memory: each item's value and id.

    ``value_of`` must never give ``None``; ``read`` turns a cursor's JSON value back."""

    name: str
    value_of: Callable[[V], SortValue]
    id_of: Callable[[V], str]
    read: Callable[[object], SortValue]
    descending: bool = False

    def key_of(self, item: V) -> SortKey:
        return SortKey(self.value_of(item), self.id_of(item))

    def read_cursor_value(self, raw: object) -> SortValue:
        return self.read(raw)


def slice_in_memory(
    items: Sequence[V],
    order: MemoryOrder[V],
    *,
    after: SortKey | None,
    before: SortKey | None,
    limit: int,
    from_end: bool,
) -> list[V]:
    """What a keyset ``Slicer`` answers, over a list held whole: the items strictly between
    ``after`` and ``before`` in ``order``, walked from the end when ``from_end``."""

    def position(item: V) -> tuple[Any, str]:
        return (order.value_of(item), order.id_of(item))

    def beyond(mine: tuple[Any, str], bound: SortKey) -> bool:
        theirs = (bound.value, bound.id)
        return mine < theirs if order.descending else mine > theirs

    ranked = sorted(items, key=position, reverse=order.descending)
    if after is not None:
        ranked = [item for item in ranked if beyond(position(item), after)]
    if before is not None:
        ranked = [
            item
            for item in ranked
            if not beyond(position(item), before) and position(item) != (before.value, before.id)
        ]
    if from_end:
        ranked.reverse()
    return ranked[:limit]


def page_in_memory(page: PageRequest, items: Sequence[V], order: MemoryOrder[V]) -> Page[V]:
    """One Relay page of ``items`` (in any order) sorted by ``order``, with keyset cursors."""
    return keyset_page(
        page,
        order,
        lambda *, after, before, limit, from_end: slice_in_memory(
            items, order, after=after, before=before, limit=limit, from_end=from_end
        ),
    )


def read_int(value: object) -> SortValue:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(value)
    return value
