"""Contracts of the lifecycle port (``uow.lifecycle``), its reader, and the order facts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.errors import StaleVersion
from application.lifecycle.ports import LifecycleReader
from application.pagination import SortKey
from domain.lifecycle import CustomerLifecycle, RuleTrigger, Stage, StageRule, Track
from domain.lifecycle.defaults import default_catalogue
from domain.lifecycle.tracks import NO_STAGE
from domain.orders import OrderStatus
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import T0
from tests.contracts.orders import new_order
from tests.contracts.timeline import stored_customers

CATALOGUE = default_catalogue()
ACQUISITION = CATALOGUE.track("acquisition")
ENGAGEMENT = CATALOGUE.track("engagement")


def reader(backend: StorageBackend) -> LifecycleReader:
    assert backend.lifecycle is not None, "the backend has no lifecycle reader"
    return backend.lifecycle


def move(
    backend: StorageBackend, customer_id: str, stage: str, change_id: str, *, days: int = 0
) -> None:
    track = ACQUISITION if ACQUISITION.has_stage(stage) else ENGAGEMENT
    with backend.uow() as uow:
        lifecycle = uow.lifecycle.get_many([customer_id])[customer_id]
        lifecycle.move(
            track,
            stage,
            change_id=change_id,
            at=T0 + timedelta(days=days),
            by="user-1",
            reason="why",
            override=True,
        )
        uow.commit()


class LifecycleContract:
    """Stages per track, an append-only history paged newest first, moved whole on a merge."""

    def test_a_fresh_store_holds_the_default_tracks_and_rules(
        self, backend: StorageBackend
    ) -> None:
        assert reader(backend).catalogue() == CATALOGUE
        with backend.uow() as uow:
            assert uow.lifecycle.catalogue() == CATALOGUE

    def test_stages_and_history_read_back_with_their_events(self, backend: StorageBackend) -> None:
        customer, other = stored_customers(backend, 2)
        move(backend, customer.id, "lead", "ch-1")
        move(backend, customer.id, "active", "ch-2", days=1)
        move(backend, customer.id, "customer", "ch-3", days=2)
        stages = reader(backend).stages_of([customer.id, other.id])
        assert [(s.track, s.stage, s.entered_at) for s in stages[customer.id]] == [
            ("acquisition", "customer", T0 + timedelta(days=2)),
            ("engagement", "active", T0 + timedelta(days=1)),
        ]
        assert stages[other.id] == []
        history = reader(backend).history(customer.id, after=None, limit=10)
        assert [c.id for c in history] == ["ch-3", "ch-2", "ch-1"]
        latest = history[0]
        assert (latest.from_stage, latest.to_stage, latest.override, latest.reason) == (
            "lead",
            "customer",
            True,
            "why",
        )
        assert latest.previous_entered_at == T0 and latest.changed_at.tzinfo is not None
        rest = reader(backend).history(
            customer.id, after=SortKey(latest.changed_at, latest.id), limit=10
        )
        assert [c.id for c in rest] == ["ch-2", "ch-1"]
        oldest = reader(backend).history(customer.id, after=None, limit=2, oldest_first=True)
        assert [c.id for c in oldest] == ["ch-1", "ch-2"]
        newer = reader(backend).history(
            customer.id, after=None, before=SortKey(oldest[0].changed_at, "ch-1"), limit=5
        )
        assert [c.id for c in newer] == ["ch-3", "ch-2"]
        newest = reader(backend).newest_of([customer.id, other.id], 2)
        assert [c.id for c in newest[customer.id]] == ["ch-3", "ch-2"]
        assert list(newest.get(other.id, ())) == []
        counts = reader(backend).history_counts([customer.id, other.id])
        assert (counts[customer.id], counts.get(other.id, 0)) == (3, 0)
        stored = [e for e in backend.outbox() if e[0] == "rapport.lifecycle.stage_changed.v1"]
        assert stored == [("rapport.lifecycle.stage_changed.v1", customer.id)] * 3

    def test_rolls_back_uncommitted_stage_changes(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        with backend.uow() as uow:
            uow.lifecycle.get_many([customer.id])[customer.id].move(
                ACQUISITION, "lead", change_id="ch-1", at=T0, by="u"
            )
        assert reader(backend).stages_of([customer.id])[customer.id] == []
        assert reader(backend).history(customer.id, after=None, limit=5) == []

    def test_a_concurrent_stage_change_is_a_conflict(self, backend: StorageBackend) -> None:
        if not backend.concurrent_writers:
            pytest.skip("writers are serialised: a second one waits for the first")
        (customer,) = stored_customers(backend)
        move(backend, customer.id, "lead", "ch-1")
        with backend.uow() as slow:
            mine = slow.lifecycle.get_many([customer.id])[customer.id]
            move(backend, customer.id, "marketing_qualified_lead", "ch-2", days=1)
            mine.move(ACQUISITION, "other", change_id="ch-3", at=T0, by="u")
            with pytest.raises(StaleVersion):
                slow.commit()
        assert [s.stage for s in reader(backend).stages_of([customer.id])[customer.id]] == [
            "marketing_qualified_lead"
        ]

    def test_entering_a_track_another_transaction_entered_is_a_conflict(
        self, backend: StorageBackend
    ) -> None:
        if not backend.concurrent_writers:
            pytest.skip("writers are serialised: a second one waits for the first")
        (customer,) = stored_customers(backend)
        with backend.uow() as slow:
            mine = slow.lifecycle.get_many([customer.id])[customer.id]
            move(backend, customer.id, "new", "ch-1")
            mine.move(ENGAGEMENT, "active", change_id="ch-2", at=T0, by="u")
            with pytest.raises(StaleVersion):
                slow.commit()
        assert [s.stage for s in reader(backend).stages_of([customer.id])[customer.id]] == ["new"]

    def test_a_merge_keeps_the_survivors_stages_and_moves_history(
        self, backend: StorageBackend
    ) -> None:
        survivor, duplicate = stored_customers(backend, 2)
        move(backend, survivor.id, "lead", "ch-1")
        move(backend, duplicate.id, "customer", "ch-2")
        move(backend, duplicate.id, "active", "ch-3")
        with backend.uow() as uow:
            assert uow.lifecycle.move_to(survivor.id, [duplicate.id]) == 2
            uow.commit()
        stages = reader(backend).stages_of([survivor.id, duplicate.id])
        assert [(s.track, s.stage) for s in stages[survivor.id]] == [
            ("acquisition", "lead"),
            ("engagement", "active"),
        ]
        assert stages[duplicate.id] == []
        history = reader(backend).history(survivor.id, after=None, limit=10)
        assert sorted(c.id for c in history) == ["ch-1", "ch-2", "ch-3"]
        assert reader(backend).history(duplicate.id, after=None, limit=10) == []

    def test_saved_tracks_and_rules_are_part_of_the_catalogue(
        self, backend: StorageBackend
    ) -> None:
        loyalty = Track(
            key="loyalty",
            label="Loyalty",
            stages=(Stage("bronze", "Bronze"), Stage("gold", "Gold")),
            transitions=frozenset({(NO_STAGE, "bronze"), ("bronze", "gold")}),
            position=2,
        )
        rule = StageRule(
            key="buyers_are_bronze",
            track="loyalty",
            trigger=RuleTrigger.PAID_ORDER,
            to_stage="bronze",
            from_stages=frozenset({NO_STAGE}),
            priority=5,
        )
        with backend.uow() as uow:
            uow.lifecycle.save_track(loyalty)
            uow.lifecycle.save_rule(rule)
            assert uow.lifecycle.catalogue().track("loyalty") == loyalty
        assert "loyalty" not in reader(backend).catalogue().tracks
        with backend.uow() as uow:
            uow.lifecycle.save_track(loyalty)
            uow.lifecycle.save_rule(rule)
            uow.commit()
        catalogue = reader(backend).catalogue()
        assert catalogue.track("loyalty") == loyalty
        assert catalogue.rules_for("loyalty") == [rule]
        relabelled = Track(
            key="engagement",
            label="Engagement!",
            stages=ENGAGEMENT.stages,
            transitions=ENGAGEMENT.transitions,
            position=1,
        )
        with backend.uow() as uow:
            uow.lifecycle.save_track(relabelled)
            uow.commit()
        assert reader(backend).catalogue().track("engagement") == relabelled

    def test_stages_in_use_are_the_stages_customers_are_at(self, backend: StorageBackend) -> None:
        first, second = stored_customers(backend, 2)
        move(backend, first.id, "lead", "ch-1")
        move(backend, second.id, "customer", "ch-2")
        move(backend, second.id, "new", "ch-3")
        with backend.uow() as uow:
            assert uow.lifecycle.stages_in_use("acquisition") == {"lead", "customer"}
            assert uow.lifecycle.stages_in_use("loyalty") == set()

    def test_loading_a_customer_without_stages_gives_an_empty_lifecycle(
        self, backend: StorageBackend
    ) -> None:
        (customer,) = stored_customers(backend)
        with backend.uow() as uow:
            found = uow.lifecycle.get_many([customer.id])
        assert isinstance(found[customer.id], CustomerLifecycle)
        assert found[customer.id].stages == {}


class OrderFactsContract:
    """The set-based facts the lifecycle sweep reads: one row per customer with orders."""

    def test_order_facts_page_by_customer_id_with_last_order_and_paid(
        self, backend: StorageBackend
    ) -> None:
        customers = sorted(stored_customers(backend, 3), key=lambda c: c.id)
        first, second, third = customers
        cancelled = new_order(second.id, "o-3", at=T0 + timedelta(days=9), paid=False)
        cancelled.cancel(at=T0, by="u")
        with backend.uow() as uow:
            uow.orders.add_many(
                [
                    new_order(first.id, "o-1", at=T0, paid=False),
                    new_order(first.id, "o-2", at=T0 + timedelta(days=3), paid=False),
                    new_order(second.id, "o-4", at=T0 + timedelta(days=1), paid=True),
                    cancelled,
                ]
            )
            uow.commit()
        assert cancelled.status is OrderStatus.CANCELLED
        page = backend.orders.order_facts(after_customer=None, limit=1)
        assert [(f.customer_id, f.last_order_at, f.has_paid_order) for f in page] == [
            (first.id, T0 + timedelta(days=3), False)
        ]
        rest = backend.orders.order_facts(after_customer=first.id, limit=10)
        assert [(f.customer_id, f.last_order_at, f.has_paid_order) for f in rest] == [
            (second.id, T0 + timedelta(days=1), True)
        ]
        assert third.id not in {f.customer_id for f in rest}
