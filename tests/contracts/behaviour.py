"""Contracts of the tracked event log (``uow.tracked_events``) and the behaviour reader."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone

from domain.access.visibility import EVERYTHING
from domain.behaviour import EventFrequency, TrackedEvent
from tests.contracts.backend import StorageBackend
from tests.contracts.timeline import stored_customers

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def tracked(
    customer_id: str,
    *,
    name: str = "Signed In",
    at: datetime = T0,
    event_id: str | None = None,
    properties: dict[str, object] | None = None,
) -> TrackedEvent:
    number = next(_numbers)
    return TrackedEvent(
        id=f"te-{number:08d}",
        event_id=event_id or f"evt-{number}",
        customer_id=customer_id,
        name=name,
        occurred_at=at,
        received_at=T0,
        properties=properties or {},
    )


def append(backend: StorageBackend, events: list[TrackedEvent]) -> list[str]:
    with backend.uow() as uow:
        stored = uow.tracked_events.append(events)
        uow.commit()
    return [event.event_id for event in stored]


class TrackedEventLogContract:
    """Append-only, idempotent by event id, counted per customer, name and UTC day."""

    def test_appended_events_read_back_equal(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        event = tracked(
            customer.id, properties={"plan": "pro", "seats": 3, "tags": ["a", "李"], "x": None}
        )
        assert append(backend, [event]) == [event.event_id]
        assert backend.behaviour.get_many([event.id, "missing"], visible=EVERYTHING) == {
            event.id: event
        }

    def test_a_stored_event_id_is_skipped_not_stored_twice(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        first = tracked(customer.id, event_id="same")
        again = tracked(customer.id, event_id="same", name="Other")
        fresh = tracked(customer.id)
        append(backend, [first])
        assert append(backend, [again, fresh]) == [fresh.event_id]
        assert list(backend.behaviour.get_many([first.id, again.id], visible=EVERYTHING)) == [
            first.id
        ]
        assert (
            backend.behaviour.count(customer.id, "Other", since=date(2026, 1, 1), until=T0.date())
            == 0
        )

    def test_an_event_id_twice_in_one_batch_is_stored_once(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        first, second = (
            tracked(customer.id, event_id="twice"),
            tracked(customer.id, event_id="twice"),
        )
        assert append(backend, [first, second]) == ["twice"]
        assert (
            backend.behaviour.count(customer.id, "Signed In", since=T0.date(), until=T0.date()) == 1
        )

    def test_known_event_ids_are_those_stored(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        append(backend, [tracked(customer.id, event_id="a"), tracked(customer.id, event_id="b")])
        with backend.uow() as uow:
            assert uow.tracked_events.known_event_ids(["a", "c"]) == {"a"}
            assert uow.tracked_events.known_event_ids([]) == set()

    def test_rolls_back_uncommitted_events_and_counts_by_default(
        self, backend: StorageBackend
    ) -> None:
        (customer,) = stored_customers(backend)
        event = tracked(customer.id)
        with backend.uow() as uow:
            uow.tracked_events.append([event])
        assert backend.behaviour.get_many([event.id], visible=EVERYTHING) == {}
        assert (
            backend.behaviour.count(customer.id, event.name, since=T0.date(), until=T0.date()) == 0
        )
        with backend.uow() as uow:
            assert uow.tracked_events.known_event_ids([event.event_id]) == set()

    def test_events_are_counted_by_utc_day(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        new_york = timezone(timedelta(hours=-5))
        append(
            backend,
            [
                # 21:30 in New York on the 9th is 02:30 UTC on the 10th
                tracked(customer.id, at=datetime(2026, 3, 9, 21, 30, tzinfo=new_york)),
                tracked(customer.id, at=datetime(2026, 3, 10, 0, 0, tzinfo=UTC)),
                tracked(customer.id, at=datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC)),
                tracked(customer.id, name="Opened App", at=T0),
            ],
        )
        append(backend, [tracked(customer.id, at=datetime(2026, 3, 10, 23, 0, tzinfo=UTC))])
        count = backend.behaviour.count
        assert (
            count(customer.id, "Signed In", since=date(2026, 3, 10), until=date(2026, 3, 10)) == 3
        )
        assert count(customer.id, "Signed In", since=date(2026, 3, 9), until=date(2026, 3, 9)) == 1
        assert count(customer.id, "Signed In", since=date(2026, 3, 1), until=date(2026, 3, 31)) == 4
        assert (
            count(customer.id, "Opened App", since=date(2026, 3, 1), until=date(2026, 3, 31)) == 1
        )
        assert count(customer.id, "Never", since=date(2026, 3, 1), until=date(2026, 3, 31)) == 0

    def test_customers_doing_counts_only_the_window(self, backend: StorageBackend) -> None:
        often, rarely, long_ago, other_name = stored_customers(backend, 4)
        today = date(2026, 3, 10)
        day = timedelta(days=1)
        append(
            backend,
            [
                *(tracked(often.id, at=T0 - n * day) for n in range(3)),
                tracked(rarely.id, at=T0),
                *(tracked(long_ago.id, at=T0 - (7 + n) * day) for n in range(5)),
                *(tracked(other_name.id, name="Opened App", at=T0) for _ in range(4)),
                # tomorrow (clock skew) is outside "the last 7 days up to today"
                *(tracked(rarely.id, at=T0 + day) for _ in range(3)),
            ],
        )
        doing = backend.behaviour.customers_doing
        assert doing(EventFrequency("Signed In", 3, 7), today=today) == {often.id}
        assert doing(EventFrequency("Signed In", 1, 7), today=today) == {often.id, rarely.id}
        assert doing(EventFrequency("Signed In", 1, 1), today=today) == {often.id, rarely.id}
        assert doing(EventFrequency("Signed In", 5, 30), today=today) == {long_ago.id}
        assert doing(EventFrequency("Opened App", 4, 1), today=today) == {other_name.id}
