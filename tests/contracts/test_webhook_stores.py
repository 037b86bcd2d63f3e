"""The WebhookStore contract, against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from attrs import frozen
from sqlalchemy import insert

from adapters.memory.webhooks import InMemoryWebhookStore
from adapters.persistence.database import Database
from adapters.persistence.tables import webhook_deliveries
from adapters.persistence.webhooks import SqlWebhookStore
from application.events.webhooks import (
    NewSubscription,
    SubscriptionPatch,
    SubscriptionStatus,
    WebhookDeliveryView,
    WebhookStore,
)

AT = datetime(2026, 1, 1, 9, tzinfo=UTC)


@frozen
class Subject:
    store: WebhookStore
    seed_delivery: Callable[[int, str], None]
    """Puts delivery number n of a subscription in the log, as the relay would."""


def _view(n: int, subscription_id: str) -> WebhookDeliveryView:
    return WebhookDeliveryView(
        id=n,
        subscription_id=subscription_id,
        event_id=f"event-{n}",
        event_type="rapport.customer.created.v1",
        status="delivered",
        attempts=1,
        last_status_code=204,
        last_latency_ms=3,
        last_response="",
        next_attempt_at=None,
        created_at=AT + timedelta(seconds=n),
        delivered_at=AT + timedelta(seconds=n),
    )


def _sql(database: Database) -> Subject:
    def seed(n: int, subscription_id: str) -> None:
        with database.writer.begin() as connection:
            connection.execute(
                # Seeded in order on an empty table, so the serial id comes out as n.
                insert(webhook_deliveries).values(
                    subscription_id=subscription_id,
                    event_id=f"event-{n}",
                    event_type="rapport.customer.created.v1",
                    aggregate_id="c-1",
                    position=n,
                    body="{}",
                    status="delivered",
                    attempts=1,
                    last_status_code=204,
                    last_latency_ms=3,
                    created_at=AT + timedelta(seconds=n),
                )
            )

    return Subject(SqlWebhookStore(database.writer), seed)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "memory":
        store = InMemoryWebhookStore()
        return Subject(store, lambda n, sub: store.record(_view(n, sub)))
    return _sql(request.getfixturevalue(f"{request.param}_database"))


def _add(store: WebhookStore, subscription_id: str = "s-1") -> None:
    store.add(
        NewSubscription(
            id=subscription_id,
            url="https://hooks.example.com/x",
            description="d",
            event_types=("rapport.customer.created.v1",),
            secret="whsec_abc",
            at=AT,
        )
    )


def test_a_new_subscription_is_active_and_listed(subject: Subject) -> None:
    _add(subject.store)
    found = subject.store.get("s-1")
    assert found is not None
    assert found.status is SubscriptionStatus.ACTIVE
    assert found.event_types == ("rapport.customer.created.v1",)
    assert [view.id for view in subject.store.list()] == ["s-1"]


def test_status_and_secret_changes_need_an_existing_subscription(subject: Subject) -> None:
    _add(subject.store)
    assert subject.store.set_status("s-1", SubscriptionStatus.DISABLED, "gone", AT)
    found = subject.store.get("s-1")
    assert found is not None
    assert (found.status, found.disabled_reason) == (SubscriptionStatus.DISABLED, "gone")
    assert subject.store.set_secret("s-1", "whsec_new", AT)
    assert not subject.store.set_status("nope", SubscriptionStatus.PAUSED, None, AT)
    assert not subject.store.set_secret("nope", "whsec_x", AT)


def test_deleting_removes_the_subscription_and_its_log(subject: Subject) -> None:
    _add(subject.store)
    subject.seed_delivery(1, "s-1")
    assert subject.store.delete("s-1")
    assert subject.store.get("s-1") is None
    assert subject.store.deliveries(None, None, 10) == []
    assert not subject.store.delete("s-1")


def test_the_log_pages_newest_first_per_subscription(subject: Subject) -> None:
    _add(subject.store, "s-1")
    _add(subject.store, "s-2")
    for n in range(1, 6):
        subject.seed_delivery(n, "s-1" if n != 3 else "s-2")
    first = subject.store.deliveries("s-1", None, 2)
    assert [d.id for d in first] == [5, 4]
    rest = subject.store.deliveries("s-1", first[-1].id, 10)
    assert [d.id for d in rest] == [2, 1]


def test_the_log_pages_backward_filters_and_counts(subject: Subject) -> None:
    _add(subject.store, "s-1")
    _add(subject.store, "s-2")
    for n in range(1, 6):
        subject.seed_delivery(n, "s-1" if n != 3 else "s-2")
    oldest = subject.store.deliveries("s-1", None, 2, from_end=True)
    assert [d.id for d in oldest] == [1, 2]
    newer = subject.store.deliveries("s-1", None, 10, before=2, from_end=True)
    assert [d.id for d in newer] == [4, 5]
    between = subject.store.deliveries(None, 5, 10, before=1)
    assert [d.id for d in between] == [4, 3, 2]
    assert subject.store.count_deliveries("s-1") == 4
    assert subject.store.count_deliveries(None, status="delivered") == 5
    assert subject.store.count_deliveries(None, status="failed") == 0
    assert subject.store.count_deliveries(None, event_type="rapport.order.paid.v1") == 0
    assert subject.store.deliveries(None, None, 10, status="pending") == []
    found = subject.store.delivery(3)
    assert found is not None and found.subscription_id == "s-2"
    assert subject.store.delivery(99) is None


def test_every_change_grows_the_version_and_an_update_needs_the_current_one(
    subject: Subject,
) -> None:
    _add(subject.store)
    assert subject.store.get("s-1").version == 1  # type: ignore[union-attr]
    patch = SubscriptionPatch(url="https://hooks.example.com/y", event_types=())
    assert subject.store.update("s-1", 1, patch, AT)
    assert not subject.store.update("s-1", 1, SubscriptionPatch(description="lost"), AT)
    assert not subject.store.update("nope", 1, patch, AT)
    found = subject.store.get("s-1")
    assert found is not None
    assert (found.url, found.event_types, found.description, found.version) == (
        "https://hooks.example.com/y",
        (),
        "d",
        2,
    )
    subject.store.set_status("s-1", SubscriptionStatus.PAUSED, None, AT)
    subject.store.set_secret("s-1", "whsec_new", AT)
    assert subject.store.get("s-1").version == 4  # type: ignore[union-attr]


def test_replay_adds_a_pending_copy(subject: Subject) -> None:
    _add(subject.store)
    subject.seed_delivery(1, "s-1")
    replayed = subject.store.replay(1, AT + timedelta(hours=1))
    assert replayed is not None
    assert (replayed.event_id, replayed.status, replayed.attempts) == ("event-1", "pending", 0)
    assert replayed.id != 1
    assert subject.store.replay(999, AT) is None


def test_a_subscription_keeps_its_role_until_a_patch_changes_it(subject: Subject) -> None:
    _add(subject.store)
    subject.store.add(
        NewSubscription(
            id="s-2",
            url="https://hooks.example.com/y",
            description="support desk",
            event_types=(),
            secret="whsec_def",
            at=AT,
            role="support_agent",
        )
    )
    roles = {view.id: view.role for view in subject.store.list()}
    assert roles == {"s-1": "admin", "s-2": "support_agent"}
    assert subject.store.update("s-2", 1, SubscriptionPatch(description="desk"), AT)
    kept = subject.store.get("s-2")
    assert kept is not None and kept.role == "support_agent"
    assert subject.store.update("s-2", 2, SubscriptionPatch(role="analyst"), AT)
    changed = subject.store.get("s-2")
    assert changed is not None and (changed.role, changed.version) == ("analyst", 3)
