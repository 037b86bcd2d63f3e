"""What rules read, straight from the tables: the NumPy snapshot's and RFM's source."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, String, and_, func, select, type_coerce

from adapters.persistence.tables import (
    custom_field_definitions,
    customer_rfm,
    customer_stages,
    customer_tags,
    customers,
    event_daily_counts,
    orders,
    tags,
    tracked_events,
)
from application.segments.checking import custom_field_kinds
from application.segments.ports import CustomerRow, SegmentFacts, count_by_day
from domain.custom_fields import ObjectType
from domain.orders.order import OrderStatus
from domain.segments.rfm import Purchases, RfmScore
from domain.segments.rules import EventProperty

_ACTIVE = customers.c.archived_at.is_(None)


class SqlSegmentFacts:
    """``SegmentFactsSource`` over the SQL tables, a few streamed queries per call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def facts(
        self, *, currency: str, events_since: date, customer_ids: Collection[str] | None = None
    ) -> SegmentFacts:
        wanted = [_ACTIVE] if customer_ids is None else [_ACTIVE, customers.c.id.in_(customer_ids)]
        active = select(customers.c.id).where(*wanted)
        with self._engine.connect() as connection:
            definitions = connection.execute(
                select(custom_field_definitions.c.key, custom_field_definitions.c.field_type).where(
                    custom_field_definitions.c.object_type == ObjectType.CUSTOMER
                )
            ).all()
            rows = connection.execute(
                select(
                    customers.c.id,
                    type_coerce(customers.c.email, String()).label("email"),
                    customers.c.first_name,
                    customers.c.last_name,
                    customers.c.created_at,
                    customers.c.custom_fields,
                ).where(*wanted)
            )
            people = [CustomerRow(*row) for row in rows]
            tagged = connection.execute(
                select(customer_tags.c.customer_id, tags.c.name_key)
                .join(tags, tags.c.id == customer_tags.c.tag_id)
                .where(customer_tags.c.customer_id.in_(active))
            ).all()
            stages = connection.execute(
                select(
                    customer_stages.c.customer_id,
                    customer_stages.c.track,
                    customer_stages.c.stage,
                    customer_stages.c.entered_at,
                ).where(customer_stages.c.customer_id.in_(active))
            ).all()
            events = connection.execute(
                select(
                    event_daily_counts.c.customer_id,
                    event_daily_counts.c.name,
                    event_daily_counts.c.day,
                    event_daily_counts.c.occurrences,
                ).where(
                    event_daily_counts.c.day >= events_since,
                    event_daily_counts.c.customer_id.in_(active),
                )
            ).all()
            placed = connection.execute(
                select(
                    orders.c.customer_id,
                    orders.c.placed_at,
                    (orders.c.total_minor - orders.c.refunded_minor).label("amount"),
                ).where(_counted_orders(currency), orders.c.customer_id.in_(active))
            ).all()
            scores = connection.execute(
                select(
                    customer_rfm.c.customer_id,
                    customer_rfm.c.recency,
                    customer_rfm.c.frequency,
                    customer_rfm.c.monetary,
                    customer_rfm.c.rfm_class,
                ).where(customer_rfm.c.customer_id.in_(active))
            ).all()
        return SegmentFacts(
            fields=custom_field_kinds((key, field_type) for key, field_type in definitions),
            customers=people,
            tags=[(row[0], row[1]) for row in tagged],
            stages=[(row[0], row[1], row[2], row[3]) for row in stages],
            events=[(row[0], row[1], row[2], int(row[3])) for row in events],
            orders=[(row[0], row[1].date(), int(row[2])) for row in placed],
            rfm=[RfmScore(*row) for row in scores],
        )

    def matching_events(
        self,
        *,
        name: str,
        where: EventProperty,
        since: date,
        customer_ids: Collection[str] | None = None,
    ) -> list[tuple[str, date, int]]:
        wanted = [_ACTIVE] if customer_ids is None else [_ACTIVE, customers.c.id.in_(customer_ids)]
        query = select(
            tracked_events.c.customer_id, tracked_events.c.occurred_at, tracked_events.c.properties
        ).where(
            tracked_events.c.name == name,
            tracked_events.c.occurred_at >= _start(since),
            tracked_events.c.customer_id.in_(select(customers.c.id).where(*wanted)),
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return count_by_day(
            (customer_id, occurred_at.date())
            for customer_id, occurred_at, properties in rows
            if where.holds(properties)
        )

    def purchases(self, *, currency: str, since: date | None, until: date) -> list[Purchases]:
        conditions = [_counted_orders(currency), orders.c.placed_at < _start(until + _DAY)]
        if since is not None:
            conditions.append(orders.c.placed_at >= _start(since))
        query = (
            select(
                orders.c.customer_id,
                func.max(orders.c.placed_at),
                func.count(),
                func.sum(orders.c.total_minor - orders.c.refunded_minor),
            )
            .join(customers, customers.c.id == orders.c.customer_id)
            .where(_ACTIVE, *conditions)
            .group_by(orders.c.customer_id)
            .order_by(orders.c.customer_id)
        )
        with self._engine.connect() as connection:
            return [
                Purchases(customer_id, _as_utc(last).date(), int(count), int(amount))
                for customer_id, last, count, amount in connection.execute(query)
            ]


_DAY = timedelta(days=1)


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _as_utc(value: Any) -> datetime:
    # max() over a timestamp loses the column's type on SQLite: it comes back as text.
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _counted_orders(currency: str) -> Any:
    return and_(orders.c.currency == currency, orders.c.status != OrderStatus.CANCELLED.value)
