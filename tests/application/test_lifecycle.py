"""Lifecycle use cases on the in-memory adapters: manual moves, order rules, the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.ids import SequentialIdGenerator
from application.customers.commands import NewCustomer
from application.customers.merging import MergeCustomers
from application.errors import Forbidden, NotFound
from application.lifecycle.catalogue import (
    RuleDefinition,
    SaveLifecycleTrack,
    SaveStageRule,
    TrackDefinition,
)
from application.lifecycle.commands import ChangeLifecycleStage, StageMove
from application.lifecycle.queries import ReadLifecycle
from application.lifecycle.rules import RunLifecycleSweep
from application.orders.commands import MarkOrderPaid, NewOrder, RecordOrder
from application.principal import Principal
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App

SYSTEM = Principal.system()


class Lifecycle:
    def __init__(self, app: App) -> None:
        ids = SequentialIdGenerator("l")
        assert app.backend.lifecycle is not None
        self.app = app
        self.change = ChangeLifecycleStage(app.backend.uow, app.clock, ids)
        self.read = ReadLifecycle(app.backend.lifecycle, app.clock)
        self.sweep = RunLifecycleSweep(app.backend.uow, app.backend.orders, app.clock, ids)
        self.record = RecordOrder(app.backend.uow, app.clock, SequentialIdGenerator("o"))
        self.pay = MarkOrderPaid(app.backend.uow, app.clock, ids)

    def customer(self, name: str = "Ada") -> str:
        return self.app.customers.create(SYSTEM, NewCustomer(first_name=name)).id

    def stages(self, customer_id: str) -> dict[str, str]:
        views = self.read.stages_of(SYSTEM, [customer_id])[customer_id]
        return {view.track: view.stage for view in views}

    def order(self, customer_id: str, *, paid: bool, days_ago: int = 0) -> str:
        placed = self.app.clock.now() - timedelta(days=days_ago)
        return self.record(
            SYSTEM,
            NewOrder(
                customer_id=customer_id, placed_at=placed, currency="USD", total="10", paid=paid
            ),
        ).id


@pytest.fixture
def life(app: App) -> Lifecycle:
    return Lifecycle(app)


def test_a_manual_move_is_stored_with_history_timeline_and_event(
    life: Lifecycle, agent: Principal
) -> None:
    ada = life.customer()
    life.change(agent, StageMove(customer_id=ada, track="acquisition", stage="lead"))
    life.app.clock.advance(timedelta(days=2))
    life.change(
        agent,
        StageMove(customer_id=ada, track="acquisition", stage="marketing_qualified_lead"),
    )
    assert life.stages(ada) == {"acquisition": "marketing_qualified_lead"}
    history = life.read.history(agent, ada, first=10, after=None)
    latest = history.edges[0].node
    assert (latest.from_stage, latest.to_stage, latest.actor_id) == (
        "lead",
        "marketing_qualified_lead",
        agent.actor_id,
    )
    assert latest.changed_at - (latest.previous_entered_at or latest.changed_at) == timedelta(
        days=2
    )
    life.app.clock.advance(timedelta(hours=5))
    assert life.read.time_in_stage(agent, ada, "acquisition") == timedelta(hours=5)
    timeline = life.app.timeline.get(agent, ada, kinds=["stage_changed"])
    assert [e.node.data["toStage"] for e in timeline.edges] == ["marketing_qualified_lead", "lead"]
    assert [t for t, _ in life.app.backend.outbox()].count(
        "rapport.lifecycle.stage_changed.v1"
    ) == 2


def test_a_skipped_move_needs_an_override_with_a_reason(life: Lifecycle, agent: Principal) -> None:
    ada = life.customer()
    life.change(agent, StageMove(customer_id=ada, track="acquisition", stage="lead"))
    with pytest.raises(DomainError) as refused:
        life.change(agent, StageMove(customer_id=ada, track="acquisition", stage="customer"))
    assert refused.value.problems[0].code is ErrorCode.TRANSITION_NOT_ALLOWED
    life.change(
        agent,
        StageMove(
            customer_id=ada, track="acquisition", stage="customer", override=True, reason="signed"
        ),
    )
    latest = life.read.history(agent, ada, first=1, after=None).edges[0].node
    assert latest.override and latest.reason == "signed"


@pytest.mark.parametrize(
    ("track", "stage", "code"),
    [("loyalty", "gold", ErrorCode.UNKNOWN_TRACK), ("acquisition", "vip", ErrorCode.UNKNOWN_STAGE)],
)
def test_unknown_tracks_and_stages_are_refused(
    life: Lifecycle, agent: Principal, track: str, stage: str, code: ErrorCode
) -> None:
    ada = life.customer()
    with pytest.raises(DomainError) as refused:
        life.change(agent, StageMove(customer_id=ada, track=track, stage=stage))
    assert refused.value.problems[0].code is code


def test_an_unknown_customer_or_a_viewer_is_refused(
    life: Lifecycle, agent: Principal, viewer: Principal
) -> None:
    with pytest.raises(NotFound):
        life.change(agent, StageMove(customer_id="nobody", track="acquisition", stage="lead"))
    with pytest.raises(Forbidden):
        life.change(viewer, StageMove(customer_id="x", track="acquisition", stage="lead"))
    with pytest.raises(Forbidden):
        life.sweep(viewer)


def test_a_paid_order_makes_a_customer_in_the_same_transaction(life: Lifecycle) -> None:
    ada = life.customer()
    order_id = life.order(ada, paid=False)
    assert life.stages(ada) == {}
    life.pay(SYSTEM, order_id)
    assert life.stages(ada) == {"acquisition": "customer"}
    (change,) = [e.node for e in life.read.history(SYSTEM, ada, first=5, after=None).edges]
    assert change.rule == "first_paid_order" and not change.override


def test_the_sweep_moves_by_inactivity_and_is_idempotent(life: Lifecycle) -> None:
    recent, quiet, silent, never = (life.customer(n) for n in ("A", "B", "C", "D"))
    life.order(recent, paid=True, days_ago=10)
    life.order(quiet, paid=True, days_ago=100)
    life.order(silent, paid=False, days_ago=400)
    batches: list[int] = []
    report = life.sweep(SYSTEM, batch_size=2, on_batch=batches.append)
    assert batches == [2, 1]
    assert report.customers == 3
    assert life.stages(recent) == {"acquisition": "customer"}
    assert life.stages(quiet) == {"acquisition": "customer", "engagement": "at_risk"}
    assert life.stages(silent) == {"engagement": "churned"}
    assert life.stages(never) == {}
    again = life.sweep(SYSTEM, batch_size=2)
    assert again.changes == 0
    churned = life.read.history(SYSTEM, silent, first=5, after=None).edges[0].node
    assert churned.override and churned.rule == "no_order_365_days"
    assert "365" in churned.reason


def test_an_order_after_dormancy_wins_the_customer_back(life: Lifecycle) -> None:
    ada = life.customer()
    life.order(ada, paid=True, days_ago=200)
    life.sweep(SYSTEM)
    assert life.stages(ada)["engagement"] == "dormant"
    life.app.clock.advance(timedelta(days=1))
    life.order(ada, paid=True)
    assert life.stages(ada)["engagement"] == "won_back"
    assert life.sweep(SYSTEM).changes == 0


def test_a_merge_keeps_the_survivors_stage_and_moves_history(
    life: Lifecycle, agent: Principal, manager: Principal
) -> None:
    survivor, duplicate = life.customer("Ada"), life.customer("Ada")
    life.change(agent, StageMove(customer_id=survivor, track="acquisition", stage="lead"))
    life.change(agent, StageMove(customer_id=duplicate, track="acquisition", stage="customer"))
    life.change(agent, StageMove(customer_id=duplicate, track="engagement", stage="active"))
    MergeCustomers(life.app.backend.uow, life.app.clock)(manager, survivor, [duplicate])
    assert life.stages(survivor) == {"acquisition": "lead", "engagement": "active"}
    assert len(life.read.history(agent, survivor, first=10, after=None).edges) == 3


def test_a_new_track_and_rule_are_data_used_at_once(life: Lifecycle, manager: Principal) -> None:
    save_track = SaveLifecycleTrack(life.app.backend.uow)
    save_rule = SaveStageRule(life.app.backend.uow)
    save_track(
        manager,
        TrackDefinition(
            key="loyalty",
            label="Loyalty",
            stages=[("bronze", "Bronze"), ("gold", "Gold")],
            transitions=[(None, "bronze"), ("bronze", "gold")],
            position=2,
        ),
    )
    catalogue = save_rule(
        manager,
        RuleDefinition(
            key="buyers_are_bronze",
            track="loyalty",
            trigger="paid_order",
            to_stage="bronze",
            from_stages=[""],
        ),
    )
    assert [t.key for t in catalogue.ordered()] == ["acquisition", "engagement", "loyalty"]
    ada = life.customer()
    life.order(ada, paid=True)
    assert life.stages(ada) == {"acquisition": "customer", "loyalty": "bronze"}
    with pytest.raises(DomainError) as in_use:
        save_track(
            manager,
            TrackDefinition(
                key="loyalty", label="Loyalty", stages=[("gold", "Gold")], transitions=[]
            ),
        )
    assert in_use.value.problems[0].field == "stages"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"trigger": "moon_phase"}, "trigger", ErrorCode.INVALID_CHOICE),
        ({"track": "loyalty"}, "track", ErrorCode.UNKNOWN_TRACK),
        ({"to_stage": "vip"}, "toStage", ErrorCode.UNKNOWN_STAGE),
        ({"days": None}, "days", ErrorCode.INVALID),
    ],
)
def test_a_bad_rule_is_refused(
    life: Lifecycle, changes: dict[str, object], field: str, code: ErrorCode
) -> None:
    fields: dict[str, object] = {
        "key": "quiet",
        "track": "engagement",
        "trigger": "inactivity",
        "to_stage": "at_risk",
        "days": 30,
        **changes,
    }
    with pytest.raises(DomainError) as refused:
        SaveStageRule(life.app.backend.uow)(SYSTEM, RuleDefinition(**fields))  # type: ignore[arg-type]
    assert (refused.value.problems[0].field, refused.value.problems[0].code) == (field, code)


def test_only_lifecycle_managers_edit_tracks(life: Lifecycle, agent: Principal) -> None:
    with pytest.raises(Forbidden):
        SaveLifecycleTrack(life.app.backend.uow)(
            agent, TrackDefinition(key="x", label="X", stages=[("a", "A")], transitions=[])
        )
