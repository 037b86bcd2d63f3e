"""Lifecycle tracks, manual moves, rules and merges, with no I/O."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.lifecycle import CustomerFacts, CustomerLifecycle, RuleTrigger, StageChanged
from domain.lifecycle.defaults import default_catalogue

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CATALOGUE = default_catalogue()
ACQUISITION = CATALOGUE.track("acquisition")
ENGAGEMENT = CATALOGUE.track("engagement")


def ids() -> itertools.count[int]:
    return itertools.count(1)


def new_id_from(counter: itertools.count[int]) -> str:
    return f"ch-{next(counter):04d}"


def test_a_forward_step_needs_no_override_and_keeps_history() -> None:
    lifecycle = CustomerLifecycle("c-1")
    lifecycle.move(ACQUISITION, "lead", change_id="1", at=T0, by="u-1")
    change = lifecycle.move(
        ACQUISITION, "marketing_qualified_lead", change_id="2", at=T0 + timedelta(days=3), by="u-1"
    )
    assert change is not None
    assert (change.from_stage, change.to_stage, change.override) == (
        "lead",
        "marketing_qualified_lead",
        False,
    )
    assert change.previous_entered_at == T0
    assert lifecycle.stage_on("acquisition") == "marketing_qualified_lead"
    assert [type(e) for e in lifecycle.events] == [StageChanged, StageChanged]
    assert lifecycle.events[0].event_type == "rapport.lifecycle.stage_changed.v1"


@pytest.mark.parametrize("target", ["subscriber", "opportunity"])
def test_a_backward_or_skipped_move_needs_an_override(target: str) -> None:
    lifecycle = CustomerLifecycle("c-1")
    lifecycle.move(ACQUISITION, "lead", change_id="1", at=T0, by="u-1")
    with pytest.raises(DomainError) as refused:
        lifecycle.move(ACQUISITION, target, change_id="2", at=T0, by="u-1")
    assert refused.value.problems[0].code is ErrorCode.TRANSITION_NOT_ALLOWED
    assert lifecycle.stage_on("acquisition") == "lead"


def test_an_override_needs_a_reason_and_is_recorded() -> None:
    lifecycle = CustomerLifecycle("c-1")
    lifecycle.move(ACQUISITION, "lead", change_id="1", at=T0, by="u-1")
    with pytest.raises(DomainError) as refused:
        lifecycle.move(ACQUISITION, "customer", change_id="2", at=T0, by="u-1", override=True)
    assert refused.value.problems[0].code is ErrorCode.REQUIRED
    change = lifecycle.move(
        ACQUISITION, "customer", change_id="2", at=T0, by="u-1", override=True, reason="signed"
    )
    assert change is not None and change.override and change.reason == "signed"


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        CustomerLifecycle("c-1").move(ACQUISITION, "vip", change_id="1", at=T0, by="u-1")
    assert refused.value.problems[0].code is ErrorCode.UNKNOWN_STAGE
    with pytest.raises(DomainError) as unknown:
        CATALOGUE.track("loyalty")
    assert unknown.value.problems[0].code is ErrorCode.UNKNOWN_TRACK


def test_moving_to_the_current_stage_changes_nothing() -> None:
    lifecycle = CustomerLifecycle("c-1")
    lifecycle.move(ACQUISITION, "lead", change_id="1", at=T0, by="u-1")
    assert lifecycle.move(ACQUISITION, "lead", change_id="2", at=T0, by="u-1") is None
    assert len(lifecycle.changes) == 1


def test_a_paid_order_makes_a_customer_of_a_lead_by_an_override_naming_the_rule() -> None:
    lifecycle = CustomerLifecycle("c-1")
    lifecycle.move(ACQUISITION, "lead", change_id="1", at=T0, by="u-1")
    counter = ids()
    made = lifecycle.apply_rules(
        CATALOGUE,
        CustomerFacts(now=T0, has_paid_order=True, last_order_at=T0),
        new_id=lambda: new_id_from(counter),
        by="system",
    )
    assert [(c.track, c.to_stage, c.rule, c.override) for c in made] == [
        ("acquisition", "customer", "first_paid_order", True)
    ]
    assert "first_paid_order" in made[0].reason


def test_inactivity_moves_to_the_deepest_stage_it_has_reached() -> None:
    lifecycle = CustomerLifecycle("c-1")
    lifecycle.move(ENGAGEMENT, "active", change_id="1", at=T0, by="u-1")
    facts = CustomerFacts(now=T0 + timedelta(days=200), last_order_at=T0)
    made = lifecycle.apply_rules(CATALOGUE, facts, new_id=lambda: "x", by="system")
    assert [(c.to_stage, c.rule, c.override) for c in made] == [
        ("dormant", "no_order_180_days", True)
    ]
    again = lifecycle.apply_rules(CATALOGUE, facts, new_id=lambda: "y", by="system")
    assert again == []


def test_an_order_after_dormancy_wins_the_customer_back() -> None:
    lifecycle = CustomerLifecycle("c-1")
    lifecycle.move(ENGAGEMENT, "active", change_id="1", at=T0, by="u-1")
    lifecycle.apply_rules(
        CATALOGUE,
        CustomerFacts(now=T0 + timedelta(days=181), last_order_at=T0),
        new_id=lambda: "2",
        by="system",
    )
    made = lifecycle.apply_rules(
        CATALOGUE,
        CustomerFacts(now=T0 + timedelta(days=190), last_order_at=T0 + timedelta(days=189)),
        new_id=lambda: "3",
        by="system",
        triggers=[RuleTrigger.ORDER_AFTER_STAGE, RuleTrigger.PAID_ORDER],
    )
    assert [(c.from_stage, c.to_stage, c.override) for c in made] == [
        ("dormant", "won_back", False)
    ]


def test_a_merge_keeps_the_survivors_stages_and_fills_the_tracks_it_lacks() -> None:
    survivor = CustomerLifecycle("s")
    survivor.move(ACQUISITION, "lead", change_id="1", at=T0, by="u")
    first = CustomerLifecycle("d1")
    first.move(ACQUISITION, "customer", change_id="2", at=T0, by="u")
    first.move(ENGAGEMENT, "new", change_id="3", at=T0, by="u")
    second = CustomerLifecycle("d2")
    second.move(ENGAGEMENT, "active", change_id="4", at=T0 + timedelta(days=1), by="u")
    survivor.absorb([first, second])
    assert survivor.stage_on("acquisition") == "lead"
    assert survivor.stage_on("engagement") == "active"
    assert first.stages == {} and second.stages == {}


TRACKS = sorted(CATALOGUE.tracks)
manual = st.tuples(
    st.just("manual"),
    st.sampled_from(TRACKS),
    st.sampled_from(sorted({s for t in CATALOGUE.tracks.values() for s in t.stage_keys})),
    st.booleans(),
)
rules = st.tuples(
    st.just("rules"), st.integers(0, 400), st.booleans(), st.booleans(), st.integers(0, 400)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(manual, rules), max_size=25))
def test_no_sequence_leaves_a_disallowed_stage_without_a_recorded_override(
    steps: list[tuple[object, ...]],
) -> None:
    lifecycle = CustomerLifecycle("c-1")
    counter = ids()
    now = T0
    for step in steps:
        now += timedelta(days=1)
        if step[0] == "manual":
            _, track_key, stage, override = step
            track = CATALOGUE.track(str(track_key))
            with contextlib.suppress(DomainError):
                lifecycle.move(
                    track,
                    str(stage),
                    change_id=new_id_from(counter),
                    at=now,
                    by="u",
                    reason="because" if override else "",
                    override=bool(override),
                )
        else:
            _, advance, paid, ordered, ago = step
            now += timedelta(days=int(str(advance)))
            lifecycle.apply_rules(
                CATALOGUE,
                CustomerFacts(
                    now=now,
                    has_paid_order=bool(paid),
                    last_order_at=now - timedelta(days=int(str(ago))) if ordered else None,
                ),
                new_id=lambda: new_id_from(counter),
                by="system",
            )
    replayed: dict[str, str | None] = {}
    for change in lifecycle.changes:
        track = CATALOGUE.track(change.track)
        assert change.from_stage == replayed.get(change.track)
        assert track.has_stage(change.to_stage)
        if not track.allows(change.from_stage, change.to_stage):
            assert change.override and change.reason
        replayed[change.track] = change.to_stage
    assert replayed == {t: a.stage for t, a in lifecycle.stages.items()}
