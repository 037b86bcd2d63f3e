"""The timeline's ports: one to write entries in any unit of work, one to read them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Final, Protocol

from attrs import frozen

from application.pagination import SortKey
from domain.access.visibility import Visibility
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


@frozen(kw_only=True)
class TimelineWindow:
    """Which entries of a timeline a read looks at: some kinds, within a time range."""

    kinds: frozenset[str] | None = None
    """``None`` means every kind."""
    since: datetime | None = None
    """Entries that happened at or after this instant."""
    until: datetime | None = None
    """Entries that happened strictly before this instant."""


EVERYTHING: Final = TimelineWindow()


class TimelineReader(Protocol):
    def slice(
        self,
        customer_id: str,
        *,
        visible: Visibility,
        kinds: Collection[str] | None,
        after: SortKey | None,
        limit: int,
        before: SortKey | None = None,
        from_end: bool = False,
        oldest_first: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[TimelineEntry]:
        """Up to ``limit`` entries strictly between ``after`` and ``before``.

        Nothing of a customer that ``visible`` does not admit. The list is ordered newest first by ``(occurred_at, id)`` (oldest first when
        ``oldest_first``) and walked from its end when ``from_end``. ``kinds`` of ``None``
        means every kind; ``since`` is inclusive and ``until`` exclusive.
        """
        ...

    def newest_of_customers(
        self,
        customer_ids: Collection[str],
        *,
        visible: Visibility,
        kinds: Collection[str] | None,
        limit: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, Sequence[TimelineEntry]]:
        """The ``limit`` newest entries of each visible customer, in one query for all."""
        ...

    def count_of_customers(
        self,
        customer_ids: Collection[str],
        *,
        visible: Visibility,
        kinds: Collection[str] | None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, int]:
        """How many entries each visible customer's timeline holds in the window, in one
        query; none for a customer ``visible`` does not admit."""
        ...
