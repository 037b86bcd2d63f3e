"""The timeline's ports: one to write entries in any unit of work, one to read them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from application.pagination import SortKey
from domain.timeline import TimelineEntry


class TimelineEntries(Protocol):
    """The one way any module puts entries on customers' timelines (``uow.timeline``).

    Entries are written in the caller's transaction, so an entry exists exactly when the
    change it shows was committed.
    """

    def record(self, entries: Sequence[TimelineEntry]) -> None:
        """Add ``entries``, replacing any stored under the same id (an edit redraws it)."""
        ...

    def remove(self, entry_ids: Collection[str]) -> None:
        """Take entries off their timelines; unknown ids are ignored."""
        ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """Give every entry of the ``duplicate_ids`` customers to the survivor; how many moved."""
        ...


class TimelineReader(Protocol):
    def slice(
        self,
        customer_id: str,
        *,
        kinds: Collection[str] | None,
        after: SortKey | None,
        limit: int,
    ) -> Sequence[TimelineEntry]:
        """Up to ``limit`` entries, newest first by ``(occurred_at, id)``, strictly after ``after``.

        ``kinds`` of ``None`` means every kind.
        """
        ...

    def newest_of_customers(
        self, customer_ids: Collection[str], *, kinds: Collection[str] | None, limit: int
    ) -> Mapping[str, Sequence[TimelineEntry]]:
        """The ``limit`` newest entries of each customer, in one query for all of them."""
        ...
