"""Read-side queries over the in-memory store's committed activities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from adapters.memory.store import InMemoryStore
from application.activities.views import ActivityView


class InMemoryActivityReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str]) -> Mapping[str, ActivityView]:
        activities = self._store.activities
        return {
            activity_id: ActivityView.from_activity(activities[activity_id])
            for activity_id in ids
            if activity_id in activities and not activities[activity_id].is_deleted
        }
