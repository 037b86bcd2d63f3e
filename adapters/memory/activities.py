"""Read-side queries over the in-memory store's committed activities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from adapters.memory.store import InMemoryStore
from application.activities.views import ActivityView
from domain.access.visibility import Visibility


class InMemoryActivityReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, ActivityView]:
        activities = self._store.activities
        customers = self._store.customers
        found = (activities[i] for i in ids if i in activities and not activities[i].is_deleted)
        return {
            activity.id: ActivityView.from_activity(activity)
            for activity in found
            if visible.admits(
                getattr(customers.get(activity.customer_id), "owner_id", None),
                activity.customer_id,
            )
        }
