"""The campaign aggregate: scheduling, A/B rounds and who gets what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.campaigns.ab_test import AbTest, Variant, WinnerMetric
from domain.campaigns.campaign import (
    AudiencePhase,
    Campaign,
    CampaignFinished,
    CampaignScheduled,
    CampaignStarted,
    CampaignStatus,
    Pick,
)
from domain.campaigns.channels import Channel
from domain.errors import DomainError, ErrorCode

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
SPLIT = AbTest(
    variants=(Variant("A", "t-a", 50), Variant("B", "t-b", 50)),
    test_share_percent=20,
    metric=WinnerMetric.OPEN_RATE,
    confidence=0.95,
    wait=timedelta(hours=4),
)


def campaign(ab_test: AbTest | None = None) -> Campaign:
    return Campaign.create(
        id="cmp-1",
        name="  Spring sale ",
        segment_id="seg-1",
        channel=Channel.EMAIL,
        template_id=None if ab_test else "t-1",
        ab_test=ab_test,
        throttle_per_second=50,
        at=NOW,
        by="u-1",
    )


def test_a_draft_needs_a_name_a_segment_and_one_template_or_test() -> None:
    with pytest.raises(DomainError) as raised:
        Campaign.create(
            id="c",
            name=" ",
            segment_id="",
            channel=Channel.SMS,
            template_id="t",
            ab_test=SPLIT,
            throttle_per_second=0,
            at=NOW,
            by="u",
        )
    assert {p.field for p in raised.value.problems} == {
        "name",
        "segmentId",
        "templateId",
        "throttlePerSecond",
    }
    assert campaign().name == "Spring sale"


def test_scheduling_without_a_time_or_in_the_past_means_now() -> None:
    draft = campaign()
    draft.schedule(None, NOW, by="u-1")
    assert draft.scheduled_at == NOW and draft.is_due(NOW)
    draft.schedule(NOW - timedelta(days=1), NOW, by="u-1")
    assert draft.scheduled_at == NOW
    draft.schedule(NOW + timedelta(hours=2), NOW, by="u-1")
    assert not draft.is_due(NOW + timedelta(hours=1))
    assert [type(e) for e in draft.events] == [CampaignScheduled] * 3


def test_a_plain_campaign_sends_to_everyone_then_finishes() -> None:
    plain = campaign()
    plain.schedule(None, NOW, by="u-1")
    plain.start(NOW, by="system")
    assert plain.status is CampaignStatus.SENDING
    assert plain.phase is AudiencePhase.EVERYONE
    assert plain.pick("c-9") == Pick("t-1")
    plain.finish(NOW + timedelta(minutes=5), by="system")
    assert plain.status is CampaignStatus.SENT
    assert [type(e) for e in plain.events] == [CampaignScheduled, CampaignStarted, CampaignFinished]
    with pytest.raises(DomainError) as raised:
        plain.cancel(NOW)
    assert raised.value.problems[0].code is ErrorCode.TRANSITION_NOT_ALLOWED


def test_a_campaign_does_not_start_before_its_time() -> None:
    later = campaign()
    later.schedule(NOW + timedelta(hours=1), NOW, by="u-1")
    with pytest.raises(DomainError):
        later.start(NOW, by="system")
    with pytest.raises(DomainError):
        campaign().start(NOW, by="system")


def test_an_ab_test_sends_the_test_group_waits_then_sends_the_winner_to_the_rest() -> None:
    tested = campaign(SPLIT)
    tested.schedule(None, NOW, by="u-1")
    tested.start(NOW, by="system")
    customers = [f"c-{n}" for n in range(1_000)]
    first_round = {c: tested.pick(c) for c in customers}
    in_test = {c for c, pick in first_round.items() if pick is not None}
    assert 120 < len(in_test) < 280
    assert {pick.variant for pick in first_round.values() if pick} == {"A", "B"}
    with pytest.raises(DomainError):
        tested.finish(NOW, by="system")

    tested.test_sent(NOW + timedelta(minutes=10))
    assert tested.status is CampaignStatus.TESTING
    assert tested.winner_due_at == NOW + timedelta(hours=4, minutes=10)
    with pytest.raises(DomainError):
        tested.winner_chosen("B", NOW + timedelta(hours=1))
    with pytest.raises(DomainError):
        tested.winner_chosen("Z", NOW + timedelta(hours=5))

    tested.winner_chosen("B", NOW + timedelta(hours=5))
    assert tested.phase is AudiencePhase.HOLDOUT
    second_round = {c: tested.pick(c) for c in customers}
    assert {c for c, pick in second_round.items() if pick is not None} == set(customers) - in_test
    assert {pick for pick in second_round.values() if pick} == {Pick("t-b", "B")}
    tested.finish(NOW + timedelta(hours=6), by="system")
    finished = tested.events[-1]
    assert isinstance(finished, CampaignFinished) and finished.winner_variant == "B"


def test_an_ab_test_without_holdout_is_one_round() -> None:
    full = AbTest(
        variants=SPLIT.variants,
        test_share_percent=100,
        metric=WinnerMetric.CLICK_RATE,
        confidence=0.9,
        wait=timedelta(0),
    )
    tested = campaign(full)
    tested.schedule(None, NOW, by="u-1")
    tested.start(NOW, by="system")
    assert tested.phase is AudiencePhase.EVERYONE
    assert all(tested.pick(f"c-{n}") is not None for n in range(100))
    with pytest.raises(DomainError):
        tested.test_sent(NOW)
    tested.finish(NOW, by="system")


def test_cancelling_stops_a_campaign_once() -> None:
    running = campaign(SPLIT)
    running.schedule(None, NOW, by="u-1")
    running.start(NOW, by="system")
    running.test_sent(NOW)
    assert running.cancel(NOW)
    assert not running.cancel(NOW)
    assert running.status is CampaignStatus.CANCELLED and running.is_finished
