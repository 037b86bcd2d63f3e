"""What the activity use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Protocol

from application.activities.views import ActivityView
from domain.access.visibility import Visibility
from domain.activities import Activity


class ActivityRepository(Protocol):
    """Activities inside a unit of work: loaded for change, saved on commit."""

    def add(self, activity: Activity) -> None: ...

    def get(self, activity_id: str) -> Activity | None:
        """The activity, deleted or not."""
        ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """Give the activities of merged duplicates to the survivor; how many moved."""
        ...


class ActivityReader(Protocol):
    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, ActivityView]:
        """Activities by id, of customers ``visible`` admits; unknown and deleted ones
        are absent."""
        ...
