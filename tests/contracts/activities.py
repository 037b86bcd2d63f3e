"""Contracts of the activity repository and reader, and of the customer lookup."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from application.customers.lookup import CustomerStatus
from application.errors import StaleVersion
from domain.access.visibility import EVERYTHING
from domain.activities import Activity, ActivityChanges, ActivityKind, Direction
from domain.customers import EmailAddress
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import T0, new_customer
from tests.contracts.timeline import stored_customers

_numbers = itertools.count(1)


def new_activity(customer_id: str, *, kind: ActivityKind = ActivityKind.CALL) -> Activity:
    return Activity.log(
        id=f"act-{next(_numbers):08d}",
        customer_id=customer_id,
        kind=kind,
        author_id="author-1",
        occurred_at=T0 - timedelta(hours=1),
        subject="Renewal",
        body="They will renew.\nSend the quote.",
        duration_seconds=300 if kind.has_duration else None,
        direction=Direction.OUTBOUND if kind.has_direction else None,
        at=T0,
    )


def stored_activity(backend: StorageBackend, kind: ActivityKind = ActivityKind.CALL) -> Activity:
    (customer,) = stored_customers(backend)
    activity = new_activity(customer.id, kind=kind)
    with backend.uow() as uow:
        uow.activities.add(activity)
        uow.commit()
    return activity


class ActivityRepositoryContract:
    @pytest.mark.parametrize("kind", list(ActivityKind))
    def test_logged_activity_reads_back_equal(
        self, backend: StorageBackend, kind: ActivityKind
    ) -> None:
        activity = stored_activity(backend, kind)
        with backend.uow() as uow:
            loaded = uow.activities.get(activity.id)
        assert loaded is not None
        assert (loaded.kind, loaded.direction, loaded.duration_seconds) == (
            kind,
            activity.direction,
            activity.duration_seconds,
        )
        assert loaded.body == "They will renew.\nSend the quote."
        assert loaded.occurred_at == activity.occurred_at and loaded.occurred_at.tzinfo is not None
        assert loaded.events == []
        view = backend.activities.get_many([activity.id, "missing"], visible=EVERYTHING)[
            activity.id
        ]
        assert (view.kind, view.subject, view.version) == (kind, "Renewal", 1)

    def test_edits_and_deletion_are_saved_with_their_events(self, backend: StorageBackend) -> None:
        activity = stored_activity(backend)
        with backend.uow() as uow:
            loaded = uow.activities.get(activity.id)
            assert loaded is not None
            loaded.edit(
                ActivityChanges(subject="Renewal agreed", direction=Direction.INBOUND),
                at=T0 + timedelta(1),
                by="author-1",
                moderator=False,
            )
            uow.commit()
        view = backend.activities.get_many([activity.id], visible=EVERYTHING)[activity.id]
        assert (view.subject, view.direction, view.version) == (
            "Renewal agreed",
            Direction.INBOUND,
            2,
        )
        with backend.uow() as uow:
            loaded = uow.activities.get(activity.id)
            assert loaded is not None
            loaded.delete(at=T0 + timedelta(2), by="manager-1", moderator=True)
            uow.commit()
        assert backend.activities.get_many([activity.id], visible=EVERYTHING) == {}
        with backend.uow() as uow:
            deleted = uow.activities.get(activity.id)
        assert deleted is not None and deleted.is_deleted and deleted.version == 3
        assert [t for t, aggregate in backend.outbox() if aggregate == activity.id] == [
            "rapport.activity.logged.v1",
            "rapport.activity.updated.v1",
            "rapport.activity.deleted.v1",
        ]

    def test_stale_edit_is_a_conflict_not_a_lost_update(self, backend: StorageBackend) -> None:
        if not backend.concurrent_writers:
            pytest.skip(f"{backend.name} serialises writers, so two writes cannot interleave")
        activity = stored_activity(backend)
        first, second = backend.uow(), backend.uow()
        with first, second:
            mine = first.activities.get(activity.id)
            theirs = second.activities.get(activity.id)
            assert mine is not None and theirs is not None
            theirs.edit(ActivityChanges(subject="Theirs"), at=T0, by="author-1", moderator=False)
            second.commit()
            mine.edit(ActivityChanges(body="Mine"), at=T0, by="author-1", moderator=False)
            with pytest.raises(StaleVersion):
                first.commit()
        view = backend.activities.get_many([activity.id], visible=EVERYTHING)[activity.id]
        assert (view.subject, view.version) == ("Theirs", 2)


class CustomerLookupContract:
    def test_statuses_tell_active_from_archived_and_skip_unknown(
        self, backend: StorageBackend
    ) -> None:
        active, archived = new_customer(), new_customer()
        archived.archive(at=T0, by="a")
        with backend.uow() as uow:
            uow.customers.add_many([active, archived])
            uow.commit()
        with backend.uow() as uow:
            statuses = uow.customer_lookup.statuses([active.id, archived.id, "missing"])
            assert uow.customer_lookup.statuses([]) == {}
        assert statuses == {active.id: CustomerStatus.ACTIVE, archived.id: CustomerStatus.ARCHIVED}

    def test_emails_resolve_to_active_customers_only(self, backend: StorageBackend) -> None:
        active = new_customer(email="ada@example.com")
        archived = new_customer(email="old@example.com")
        archived.archive(at=T0, by="a")
        with backend.uow() as uow:
            uow.customers.add_many([active, archived])
            uow.commit()
        wanted = [EmailAddress(e) for e in ("ada@example.com", "old@example.com", "no@example.com")]
        with backend.uow() as uow:
            found = uow.customer_lookup.ids_by_email(wanted)
        assert found == {EmailAddress("ada@example.com"): active.id}

    def test_external_ids_resolve_to_their_customer(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        if backend.link_external_id is None:
            pytest.skip(f"{backend.name} has no customer_external_ids table yet (another branch)")
        backend.link_external_id("shopify", "cust-42", customer.id)
        with backend.uow() as uow:
            assert uow.customer_lookup.by_external_id("shopify", "cust-42") == customer.id
            assert uow.customer_lookup.by_external_id("stripe", "cust-42") is None
            assert uow.customer_lookup.by_external_id("shopify", "cust-43") is None

    def test_without_external_ids_nothing_resolves(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            assert uow.customer_lookup.by_external_id("shopify", "cust-42") is None
