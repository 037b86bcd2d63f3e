"""Tracked events in SQL: batches of set-based statements, and the daily counts beside them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, select, update

from adapters.persistence.tables import event_daily_counts, tracked_events
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.upserts import insert_for
from adapters.persistence.visibility import of_visible_customers
from domain.access.visibility import Visibility
from domain.behaviour import EventFrequency, TrackedEvent

_KNOWN = select(tracked_events.c.event_id).where(
    tracked_events.c.event_id.in_(bindparam("event_ids", expanding=True))
)
_COLUMNS = (
    tracked_events.c.id,
    tracked_events.c.event_id,
    tracked_events.c.customer_id,
    tracked_events.c.name,
    tracked_events.c.occurred_at,
    tracked_events.c.received_at,
    tracked_events.c.properties,
)
_BY_IDS = select(*_COLUMNS).where(tracked_events.c.id.in_(bindparam("ids", expanding=True)))
_OCCURRENCES = func.sum(event_daily_counts.c.occurrences)


def tracked_event_row(event: TrackedEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "event_id": event.event_id,
        "customer_id": event.customer_id,
        "name": event.name,
        "occurred_at": event.occurred_at,
        "received_at": event.received_at,
        "properties": event.properties,
    }


class SqlTrackedEventLog:
    """``uow.tracked_events``: one INSERT ... ON CONFLICT DO NOTHING and one upsert a batch."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def known_event_ids(self, event_ids: Collection[str]) -> set[str]:
        if not event_ids:
            return set()
        return set(self._session.scalars(_KNOWN, {"event_ids": list(event_ids)}))

    def append(self, events: Sequence[TrackedEvent]) -> Sequence[TrackedEvent]:
        firsts: dict[str, TrackedEvent] = {}
        for event in events:
            firsts.setdefault(event.event_id, event)
        if not firsts:
            return []
        insert = (
            insert_for(self._session, tracked_events)
            .on_conflict_do_nothing(index_elements=[tracked_events.c.event_id])
            .returning(tracked_events.c.event_id)
        )
        # A concurrent writer that stored an event id first makes the row a no-op here,
        # and RETURNING leaves it out: it is a duplicate, not counted twice.
        inserted = set(
            self._session.execute(insert, [tracked_event_row(e) for e in firsts.values()]).scalars()
        )
        stored = [event for event in firsts.values() if event.event_id in inserted]
        self._count(stored)
        return stored

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        duplicates = list(duplicate_ids)
        moved = self._session.execute(
            update(tracked_events)
            .where(tracked_events.c.customer_id.in_(duplicates))
            .values(customer_id=survivor_id)
        ).rowcount  # type: ignore[attr-defined]
        counts = event_daily_counts
        rows = self._session.execute(
            select(counts.c.name, counts.c.day, counts.c.occurrences).where(
                counts.c.customer_id.in_(duplicates)
            )
        ).all()
        self._session.execute(delete(counts).where(counts.c.customer_id.in_(duplicates)))
        per_day: Counter[tuple[str, str, date]] = Counter()
        for name, day, times in rows:
            per_day[(survivor_id, name, day)] += times
        self._upsert(per_day)
        return int(moved)

    def _count(self, events: Iterable[TrackedEvent]) -> None:
        self._upsert(Counter((event.customer_id, event.name, event.day) for event in events))

    def _upsert(self, per_day: Counter[tuple[str, str, date]]) -> None:
        if not per_day:
            return
        insert = insert_for(self._session, event_daily_counts)
        upsert = insert.on_conflict_do_update(
            index_elements=[
                event_daily_counts.c.customer_id,
                event_daily_counts.c.name,
                event_daily_counts.c.day,
            ],
            set_={"occurrences": event_daily_counts.c.occurrences + insert.excluded.occurrences},
        )
        self._session.execute(
            upsert,
            [
                {"customer_id": customer_id, "name": name, "day": day, "occurrences": times}
                # Sorted, so that concurrent batches lock the rows in the same order.
                for (customer_id, name, day), times in sorted(per_day.items())
            ],
        )


class SqlBehaviourReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, TrackedEvent]:
        wanted = list(ids)
        if not wanted:
            return {}
        query = _BY_IDS.where(*of_visible_customers(visible, tracked_events.c.customer_id))
        with self._engine.connect() as connection:
            return {
                row.id: TrackedEvent(**row._mapping)
                for row in connection.execute(query, {"ids": wanted})
            }

    def count(self, customer_id: str, name: str, *, since: date, until: date) -> int:
        query = select(func.coalesce(_OCCURRENCES, 0)).where(
            event_daily_counts.c.customer_id == customer_id,
            event_daily_counts.c.name == name,
            event_daily_counts.c.day.between(since, until),
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def customers_doing(self, frequency: EventFrequency, *, today: date) -> set[str]:
        query = (
            select(event_daily_counts.c.customer_id)
            .where(
                event_daily_counts.c.name == frequency.name,
                event_daily_counts.c.day.between(frequency.first_day(today), today),
            )
            .group_by(event_daily_counts.c.customer_id)
            .having(frequency.at_least <= _OCCURRENCES)
        )
        with self._engine.connect() as connection:
            return set(connection.execute(query).scalars())
