"""Activities in SQL: the ORM repository for changes, a Core reader for queries."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import Engine, bindparam, select, update

from adapters.persistence.tables import activities
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.visibility import of_visible_customers
from application.activities.views import ActivityView
from domain.access.visibility import Visibility
from domain.activities import Activity


class SqlActivityRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session

    def add(self, activity: Activity) -> None:
        self._session.add(self._transaction.saw(activity))

    def get(self, activity_id: str) -> Activity | None:
        return self._transaction.saw(self._session.get(Activity, activity_id))

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        self._session.flush()
        result = self._session.execute(
            update(activities)
            .where(activities.c.customer_id.in_(list(duplicate_ids)))
            .values(customer_id=survivor_id),
            execution_options={"synchronize_session": False},
        )
        for activity in self._transaction.seen(Activity):
            if activity.customer_id in duplicate_ids:
                activity.customer_id = survivor_id
        return int(result.rowcount)  # type: ignore[attr-defined]


# Selected in the view's field order, so that each row unpacks into a view.
_VIEW_COLUMNS = (
    activities.c.id,
    activities.c.customer_id,
    activities.c.kind,
    activities.c.author_id,
    activities.c.occurred_at,
    activities.c.subject,
    activities.c.body,
    activities.c.duration_seconds,
    activities.c.direction,
    activities.c.created_at,
    activities.c.updated_at,
    activities.c.version,
)
_BY_IDS = select(*_VIEW_COLUMNS).where(
    activities.c.id.in_(bindparam("ids", expanding=True)), activities.c.deleted_at.is_(None)
)


def _activity_view(row: Any) -> ActivityView:
    return ActivityView(*row)


class SqlActivityReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, ActivityView]:
        wanted = list(ids)
        if not wanted:
            return {}
        query = _BY_IDS.where(*of_visible_customers(visible, activities.c.customer_id))
        with self._engine.connect() as connection:
            rows = connection.execute(query, {"ids": wanted})
            return {row.id: _activity_view(row) for row in rows}
