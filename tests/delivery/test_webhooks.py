"""The relay and the dispatcher against a partner app, with time moved by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from adapters.clock import ManualClock, SystemClock
from adapters.delivery.webhooks import RETRY_DELAYS, WebhookDispatcher
from adapters.persistence.database import Database
from adapters.persistence.relay import OutboxRelay
from adapters.persistence.tables import outbox
from adapters.persistence.webhook_deliveries import SqlWebhookDeliveries
from adapters.persistence.webhooks import SqlWebhookStore
from application.events.webhooks import SubscriptionStatus
from tests.delivery.conftest import SECRET, subscribe, write_events
from tests.delivery.partner import Partner, serving


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """Each test on SQLite (one worker) and PostgreSQL (leases, SKIP LOCKED)."""
    chosen: Database = request.getfixturevalue(f"{request.param}_database")
    return chosen


def _deliver(database: Database, clock: ManualClock) -> tuple[OutboxRelay, WebhookDispatcher]:
    relay = OutboxRelay(database.writer, clock)
    dispatcher = WebhookDispatcher(
        SqlWebhookDeliveries(database.writer), clock, wall_clock=SystemClock(), jitter=lambda: 0.5
    )
    return relay, dispatcher


def test_partner_receives_every_event_verified_and_in_order_despite_failures(
    database: Database, clock: ManualClock
) -> None:
    partner = Partner(SECRET, fail_first=3)
    with serving(partner) as url:
        subscribe(database.writer, url)
        write_events(database.writer, aggregates=3, per_aggregate=4)
        relay, dispatcher = _deliver(database, clock)
        assert relay.drain() == 12
        for delay in RETRY_DELAYS[:3]:
            dispatcher.drain()
            clock.advance(delay)
        dispatcher.drain()
        dispatcher.close()

    assert partner.rejected == 0
    assert len({event["id"] for event in partner.events}) == 12
    for aggregate in range(3):
        versions = [
            event.data["version"]
            for event in partner.events
            if event["subject"] == f"customer-{aggregate}"
        ]
        assert versions == [1, 2, 3, 4]
    with database.reader.connect() as connection:
        unpublished = connection.execute(
            select(func.count()).where(outbox.c.published_at.is_(None))
        ).scalar_one()
    assert unpublished == 0


def test_retries_wait_for_the_backoff(database: Database, clock: ManualClock) -> None:
    partner = Partner(SECRET, fail_first=1)
    with serving(partner) as url:
        subscribe(database.writer, url)
        write_events(database.writer, aggregates=1, per_aggregate=1)
        relay, dispatcher = _deliver(database, clock)
        relay.drain()
        assert dispatcher.run_once() == 1
        clock.advance(timedelta(seconds=4))
        assert dispatcher.run_once() == 0
        clock.advance(timedelta(seconds=2))
        assert dispatcher.run_once() == 1
        dispatcher.close()
    assert len(partner.events) == 1
    (delivery,) = SqlWebhookStore(database.writer).deliveries(None, None, 10)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)


def test_gone_disables_the_subscription_at_once(database: Database, clock: ManualClock) -> None:
    partner = Partner(SECRET, fail_first=100, status=410)
    with serving(partner) as url:
        subscribe(database.writer, url)
        write_events(database.writer, aggregates=1, per_aggregate=2)
        relay, dispatcher = _deliver(database, clock)
        relay.drain()
        dispatcher.drain()
        dispatcher.close()
    subscription = SqlWebhookStore(database.writer).get("sub-1")
    assert subscription is not None
    assert subscription.status is SubscriptionStatus.DISABLED
    assert partner.attempts == 1


def test_an_endpoint_failing_for_a_day_is_disabled(database: Database, clock: ManualClock) -> None:
    partner = Partner(SECRET, fail_first=100)
    with serving(partner) as url:
        subscribe(database.writer, url)
        write_events(database.writer, aggregates=1, per_aggregate=1)
        relay, dispatcher = _deliver(database, clock)
        relay.drain()
        for delay in RETRY_DELAYS:
            dispatcher.drain()
            clock.advance(delay * 1.2)
        dispatcher.drain()
        dispatcher.close()
    assert partner.attempts == len(RETRY_DELAYS) + 1
    assert sum(RETRY_DELAYS, timedelta()) >= timedelta(hours=24)
    store = SqlWebhookStore(database.writer)
    subscription = store.get("sub-1")
    assert subscription is not None
    assert subscription.status is SubscriptionStatus.DISABLED
    (delivery,) = store.deliveries(None, None, 10)
    assert delivery.status == "failed"


def test_replay_sends_a_delivered_event_again(database: Database, clock: ManualClock) -> None:
    partner = Partner(SECRET)
    with serving(partner) as url:
        subscribe(database.writer, url)
        write_events(database.writer, aggregates=1, per_aggregate=1)
        relay, dispatcher = _deliver(database, clock)
        relay.drain()
        dispatcher.drain()
        store = SqlWebhookStore(database.writer)
        (delivery,) = store.deliveries(None, None, 10)
        store.replay(delivery.id, clock.now())
        dispatcher.drain()
        dispatcher.close()
    assert [event["id"] for event in partner.events] == [delivery.event_id] * 2


def test_paused_subscriptions_keep_their_deliveries_for_later(
    database: Database, clock: ManualClock
) -> None:
    partner = Partner(SECRET)
    with serving(partner) as url:
        subscribe(database.writer, url)
        store = SqlWebhookStore(database.writer)
        store.set_status("sub-1", SubscriptionStatus.PAUSED, None, clock.now())
        write_events(database.writer, aggregates=2, per_aggregate=1)
        relay, dispatcher = _deliver(database, clock)
        relay.drain()
        assert dispatcher.drain() == 0
        store.set_status("sub-1", SubscriptionStatus.ACTIVE, None, clock.now())
        assert dispatcher.drain() == 2
        dispatcher.close()
    assert len(partner.events) == 2


# Stored before URLs were checked as the sender reads them: http.client reads the host as
# 127.0.0.1 and the port as "8898\@example.com", and raised while building the connection.
AMBIGUOUS_URL = "http://127.0.0.1:8898\\@example.com/"


def test_a_stored_unusable_url_fails_its_own_deliveries_and_no_one_elses(
    database: Database, clock: ManualClock
) -> None:
    partner = Partner(SECRET)
    with serving(partner) as url:
        subscribe(database.writer, AMBIGUOUS_URL, subscription_id="sub-bad")
        subscribe(database.writer, url, subscription_id="sub-good")
        write_events(database.writer, aggregates=2, per_aggregate=2)
        relay, dispatcher = _deliver(database, clock)
        relay.drain()
        for delay in RETRY_DELAYS[:3]:
            dispatcher.drain()
            clock.advance(delay)
        dispatcher.close()

    received = [event["id"] for event in partner.events]
    assert len(received) == len(set(received)) == 4
    store = SqlWebhookStore(database.writer)
    good = store.deliveries("sub-good", None, 10)
    assert [(delivery.status, delivery.attempts) for delivery in good] == [("delivered", 1)] * 4
    # The head of each aggregate's queue was tried once and failed for good; the rest wait,
    # as behind any disabled subscription.
    bad = store.deliveries("sub-bad", None, 10)
    assert sorted((d.status, d.attempts, d.last_status_code) for d in bad) == [
        ("failed", 1, None),
        ("failed", 1, None),
        ("pending", 0, None),
        ("pending", 0, None),
    ]
    assert all("refused URL" in (d.last_response or "") for d in bad if d.attempts)
    subscription = store.get("sub-bad")
    assert subscription is not None
    assert subscription.status is SubscriptionStatus.DISABLED
    assert "backslash" in (subscription.disabled_reason or "")


def test_an_error_preparing_one_delivery_is_that_deliverys_failure(
    database: Database, clock: ManualClock
) -> None:
    partner = Partner(SECRET)
    with serving(partner) as url:
        # This secret decodes to an empty key, which the signer refuses before any request.
        subscribe(database.writer, url, subscription_id="sub-bad", secret="whsec_!!!")
        subscribe(database.writer, url, subscription_id="sub-good")
        write_events(database.writer, aggregates=1, per_aggregate=3)
        relay, dispatcher = _deliver(database, clock)
        relay.drain()
        assert dispatcher.drain() == 4
        clock.advance(RETRY_DELAYS[0] * 2)
        assert dispatcher.drain() == 1
        dispatcher.close()

    assert len(partner.events) == len({event["id"] for event in partner.events}) == 3
    store = SqlWebhookStore(database.writer)
    tried = [(d.status, d.attempts) for d in store.deliveries("sub-bad", None, 10)]
    assert sorted(tried) == [("pending", 0), ("pending", 0), ("pending", 2)]
