"""What the activity use cases need from storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from application.activities.views import ActivityView
from domain.activities import Activity


class ActivityRepository(Protocol):
    """Activities inside a unit of work: loaded for change, saved on commit."""

    def add(self, activity: Activity) -> None: ...

    def get(self, activity_id: str) -> Activity | None:
        """The activity, deleted or not."""
        ...


class ActivityReader(Protocol):
    def get_many(self, ids: Iterable[str]) -> Mapping[str, ActivityView]:
        """Activities by id; unknown and deleted ones are absent."""
        ...
