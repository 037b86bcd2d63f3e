"""What the lifecycle use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from application.lifecycle.views import StageView
from application.pagination import SortKey
from domain.lifecycle import CustomerLifecycle, LifecycleCatalogue, StageChange, StageRule, Track


class LifecycleRepository(Protocol):
    """``uow.lifecycle``: customers' stages, their history and the tracks and rules.

    The unit of work stores each loaded lifecycle's new ``changes`` as history, and its
    stages, on commit.
    """

    def catalogue(self) -> LifecycleCatalogue:
        """Every track and every rule, as stored."""
        ...

    def get_many(self, customer_ids: Collection[str]) -> Mapping[str, CustomerLifecycle]:
        """Each customer's lifecycle; one with no stage yet for a customer never staged."""
        ...

    def save_track(self, track: Track) -> None:
        """Add a track, or replace the one with its key."""
        ...

    def save_rule(self, rule: StageRule) -> None:
        """Add a rule, or replace the one with its key."""
        ...

    def stages_in_use(self, track: str) -> set[str]:
        """The stages of ``track`` that at least one customer is at."""
        ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """A merge: the survivor keeps its stages and takes those it lacks, and the
        duplicates' history becomes its own; returns how many history entries moved."""
        ...


class LifecycleReader(Protocol):
    def catalogue(self) -> LifecycleCatalogue: ...

    def stages_of(self, customer_ids: Collection[str]) -> Mapping[str, Sequence[StageView]]:
        """Each customer's stage per track, ordered by track key; every id is a key."""
        ...

    def history(
        self,
        customer_id: str,
        *,
        after: SortKey | None,
        limit: int,
        before: SortKey | None = None,
        oldest_first: bool = False,
    ) -> Sequence[StageChange]:
        """Newest first by ``(changed_at, id)`` (oldest first with ``oldest_first``), older
        than ``after`` and newer than ``before`` when given."""
        ...

    def newest_of(
        self, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[StageChange]]:
        """The ``limit`` newest changes of each customer, as ``history``, in one query."""
        ...

    def history_counts(self, customer_ids: Collection[str]) -> Mapping[str, int]:
        """How many stage changes each customer has; none for those without."""
        ...
