from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from application.behaviour.tracking import IncomingEvent, TrackResult
from application.customers.commands import NewCustomer
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.errors import Forbidden, InvalidInput
from application.pagination import PageRequest
from application.principal import Principal
from domain.behaviour import EventFrequency
from domain.errors import ErrorCode
from tests.application.conftest import App


@pytest.fixture
def ada(app: App, agent: Principal) -> CustomerView:
    return app.customers.create(agent, NewCustomer(first_name="Ada", email="ada@example.com"))


def event(event_id: str | None, **fields: Any) -> IncomingEvent:
    values: dict[str, Any] = {"name": "Signed In", "event_id": event_id}
    values.update(fields)
    return IncomingEvent(**values)


def problems(result: TrackResult) -> list[tuple[int, str, ErrorCode]]:
    return [(p.index, p.problem.field, p.problem.code) for p in result.problems]


def signed_in_today(app: App, customer_id: str) -> int:
    today = app.clock.now().date()
    return app.backend.behaviour.count(customer_id, "Signed In", since=today, until=today)


def timeline_ids(app: App, actor: Principal, customer_id: str) -> list[str]:
    return [e.node.id for e in app.timeline.get(actor, customer_id, first=100).edges]


def test_a_batch_is_stored_counted_and_drawn_on_the_timeline(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    result = app.behaviour.track(
        agent,
        [
            event("e-1", customer_id=ada.id, properties={"plan": "pro"}),
            event("e-2", email="ADA@example.com", occurred_at=app.clock.now() - timedelta(hours=1)),
            event("e-3", customer_id=ada.id, name="Opened App"),
        ],
    )
    assert (result.accepted, result.duplicates, result.problems) == (3, 0, ())
    assert signed_in_today(app, ada.id) == 2
    entries = [e.node for e in app.timeline.get(agent, ada.id).edges]
    # e-1 and e-3 share a time, so the later id comes first
    assert [(e.kind, e.title) for e in entries] == [
        ("behaviour_event", "Opened App"),
        ("behaviour_event", "Signed In"),
        ("behaviour_event", "Signed In"),
    ]
    stored = app.behaviour.get_tracked(agent, [entries[1].subject_id])[entries[1].subject_id]
    assert (stored.event_id, stored.properties, stored.received_at) == (
        "e-1",
        {"plan": "pro"},
        app.clock.now(),
    )


def test_a_repeated_event_id_is_a_duplicate_and_changes_nothing(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    app.behaviour.track(agent, [event("e-1", customer_id=ada.id)])
    outbox = app.backend.outbox()
    again = app.behaviour.track(
        agent,
        [
            event("e-1", customer_id=ada.id, name="Changed"),
            event("e-1", email="someone.new@example.com"),
            event("e-2", customer_id=ada.id),
            event("e-2", customer_id=ada.id),
        ],
    )
    assert (again.accepted, again.duplicates, again.problems) == (1, 3, ())
    assert signed_in_today(app, ada.id) == 2
    assert len(timeline_ids(app, agent, ada.id)) == 2
    assert app.backend.outbox() == outbox
    assert app.customers.list.count(agent, CustomerFilter()) == 1


def test_an_unknown_email_identifies_a_new_customer_once(app: App, agent: Principal) -> None:
    result = app.behaviour.track(
        agent,
        [event("e-1", email="grace@example.com"), event("e-2", email="Grace@Example.com")],
    )
    assert result.accepted == 2
    page = app.customers.list(
        agent, CustomerFilter(email="grace@example.com"), CustomerOrder(), PageRequest()
    )
    (grace,) = [e.node for e in page.edges]
    assert (grace.owner_id, grace.first_name) == (agent.actor_id, "")
    assert ("rapport.customer.created.v1", grace.id) in app.backend.outbox()
    assert len(timeline_ids(app, agent, grace.id)) == 2


def test_each_item_fails_on_its_own_and_the_rest_are_stored(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    result = app.behaviour.track(
        agent,
        [
            event("ok-1", customer_id=ada.id),
            event("bad-1", customer_id="nobody"),
            event("bad-2", customer_id=ada.id, email="ada@example.com"),
            event(None, customer_id=ada.id),
            event("bad-4"),
            event("bad-5", external_id=("shopify", "unknown")),
            event("bad-6", customer_id=ada.id, properties=["not", "an", "object"]),
            event("bad-7", customer_id=ada.id, occurred_at=app.clock.now() + timedelta(days=3)),
            event("bad-8", customer_id=ada.id, occurred_at=datetime(2026, 1, 1)),
            event("ok-2", email="ada@example.com"),
        ],
    )
    assert (result.accepted, result.duplicates) == (2, 0)
    assert problems(result) == [
        (1, "customer.id", ErrorCode.NOT_FOUND),
        (2, "customer", ErrorCode.INVALID),
        (3, "eventId", ErrorCode.REQUIRED),
        (4, "customer", ErrorCode.REQUIRED),
        (5, "customer.externalId", ErrorCode.NOT_FOUND),
        (6, "properties", ErrorCode.INVALID),
        (7, "occurredAt", ErrorCode.INVALID),
        (8, "occurredAt", ErrorCode.INVALID),
    ]
    assert signed_in_today(app, ada.id) == 2
    assert app.customers.list.count(agent, CustomerFilter()) == 1


def test_a_refused_item_can_be_sent_again_once_fixed(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    first = app.behaviour.track(agent, [event("e-1", customer_id="nobody")])
    assert first.accepted == 0
    again = app.behaviour.track(agent, [event("e-1", customer_id=ada.id)])
    assert (again.accepted, again.duplicates) == (1, 0)


def test_external_ids_resolve_through_the_lookup(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    link = app.backend.link_external_id
    assert link is not None
    link("shopify", "42", ada.id)
    result = app.behaviour.track(agent, [event("e-1", external_id=("shopify", "42"))])
    assert result.accepted == 1
    assert signed_in_today(app, ada.id) == 1


def test_more_than_a_thousand_events_is_refused_whole(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    with pytest.raises(InvalidInput) as caught:
        app.behaviour.track(agent, [event(f"e-{n}", customer_id=ada.id) for n in range(1001)])
    assert caught.value.problems[0].field == "events"
    assert signed_in_today(app, ada.id) == 0
    assert (
        app.behaviour.track(
            agent, [event(f"e-{n}", customer_id=ada.id) for n in range(1000)]
        ).accepted
        == 1000
    )


def test_a_viewer_may_not_track(app: App, viewer: Principal) -> None:
    with pytest.raises(Forbidden):
        app.behaviour.track(viewer, [event("e-1", email="x@example.com")])


def test_frequencies_answer_did_x_at_least_n_times_in_d_days(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    grace = app.customers.create(agent, NewCustomer(first_name="Grace"))
    app.clock.set(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    now = app.clock.now()
    app.behaviour.track(
        agent,
        [
            *(
                event(f"a-{d}", customer_id=ada.id, occurred_at=now - timedelta(days=d))
                for d in range(3)
            ),
            event("a-old", customer_id=ada.id, occurred_at=now - timedelta(days=10)),
            event("g-1", customer_id=grace.id),
        ],
    )
    three_in_a_week = EventFrequency("Signed In", at_least=3, days=7)
    assert app.behaviour.frequencies.customers(agent, three_in_a_week) == {ada.id}
    assert app.behaviour.frequencies.holds_for(agent, ada.id, three_in_a_week)
    assert not app.behaviour.frequencies.holds_for(agent, grace.id, three_in_a_week)
    assert app.behaviour.frequencies.customers(agent, EventFrequency("Signed In", 1, 1)) == {
        ada.id,
        grace.id,
    }
    assert app.behaviour.frequencies.customers(agent, EventFrequency("Signed In", 4, 11)) == {
        ada.id
    }
    app.clock.set(datetime(2026, 3, 15, 0, 1, tzinfo=UTC))
    assert app.behaviour.frequencies.customers(agent, three_in_a_week) == set()
    assert (
        app.backend.behaviour.count(
            ada.id, "Signed In", since=date(2026, 2, 1), until=date(2026, 3, 31)
        )
        == 4
    )


def test_listeners_hear_which_customers_a_committed_batch_named_and_only_then(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    heard: list[frozenset[str]] = []

    class Listener:
        def tracked(self, customer_ids: frozenset[str]) -> None:
            heard.append(customer_ids)

    track = attrs.evolve(app.behaviour.track, listener=Listener())
    track(agent, [event("l-1", customer_id=ada.id), event("l-2", email="new@example.com")])
    page = app.customers.list(
        agent, CustomerFilter(email="new@example.com"), CustomerOrder(), PageRequest()
    )
    (newcomer,) = [e.node for e in page.edges]
    assert heard == [frozenset({ada.id, newcomer.id})]
    track(agent, [event("l-1", customer_id=ada.id), event(None, customer_id=ada.id)])
    assert len(heard) == 1  # a duplicate and a refused event store nothing
