"""What the in-memory readers of customers and companies share: lookups by id, counts
and keyset slices over one kind of committed record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from adapters.memory.querying import matches_all, walk
from application.pagination import SortKey
from application.records import RecordFilter, RecordOrder
from domain.access.visibility import Visibility
from domain.custom_fields import CustomValue


class _Record(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def owner_id(self) -> str: ...

    @property
    def is_archived(self) -> bool: ...

    @property
    def custom_fields(self) -> Mapping[str, CustomValue]: ...


R = TypeVar("R", bound=_Record)
F = TypeVar("F", bound=RecordFilter)
V = TypeVar("V")


class InMemoryRecordReader(Generic[R, F, V]):
    """The reads every record list makes of the committed ``records``, as ``view`` shows
    each one and ``search_text`` gives the text a search looks in; each kind adds its own
    filter."""

    def __init__(
        self,
        records: Mapping[str, R],
        view: Callable[[R], V],
        search_text: Callable[[R], str],
    ) -> None:
        self._records = records
        self._view = view
        self._search_text = search_text

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, V]:
        records = self._records
        return {
            record_id: self._view(records[record_id])
            for record_id in ids
            if record_id in records and visible.admits(records[record_id].owner_id, record_id)
        }

    def count(self, where: F, *, visible: Visibility) -> int:
        return len(self._matching(where, visible))

    def slice(
        self,
        where: F,
        order: RecordOrder[V, Any],
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[V]:
        return walk(
            self._matching(where, visible),
            order.key_of,
            descending=order.descending,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def _matching(self, where: F, visible: Visibility) -> list[V]:
        passes = self._filter(where)
        needle = where.search.casefold() if where.search else None
        return [
            self._view(record)
            for record in self._records.values()
            if visible.admits(record.owner_id, record.id)
            and (where.include_archived or not record.is_archived)
            and (where.owner_ids is None or record.owner_id in where.owner_ids)
            and passes(record)
            and matches_all(record.custom_fields, where.custom_fields)
            and (needle is None or needle in self._search_text(record))
        ]

    def _filter(self, where: F) -> Callable[[R], bool]:
        """Whether a record passes the fields of this kind's own filter."""
        raise NotImplementedError
