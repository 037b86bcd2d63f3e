"""Campaigns through their use cases, on in-memory storage: the audience at send time,
deduplication, a launch run twice, A/B tests, cancelling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.campaigns.campaign_ports import CampaignView
from application.campaigns.campaigns import (
    AB_DECIDE,
    LAUNCH,
    AbTestInput,
    AudienceQueue,
    LaunchCampaign,
    VariantInput,
)
from application.customers.bundle import Customers
from application.customers.commands import CustomerPatch
from domain.campaigns.ab_test import WinnerMetric
from domain.campaigns.campaign import CampaignStatus
from domain.campaigns.channels import Channel
from domain.campaigns.messages import MessageStatus
from domain.campaigns.policy import SkipReason
from domain.errors import DomainError, ErrorCode
from domain.segments.segment import SegmentKind
from tests.campaign_sending.conftest import SYSTEM, CampaignApp
from tests.contracts.customers import new_customer


def _problems(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[str, ErrorCode]]:
    return {(problem.field, problem.code) for problem in error.value.problems}


def _view(app: CampaignApp, campaign_id: str) -> CampaignView:
    view = app.campaigns.read.get(SYSTEM, campaign_id)
    assert view is not None
    return view


def test_a_segment_or_template_that_does_not_exist_is_refused_on_its_field(
    app: CampaignApp,
) -> None:
    template = app.template()
    with pytest.raises(DomainError) as refused:
        app.campaign(segment_id="nope", template_id="missing")
    assert _problems(refused) == {
        ("segmentId", ErrorCode.NOT_FOUND),
        ("templateId", ErrorCode.NOT_FOUND),
    }
    segment = app.segment()
    with pytest.raises(DomainError) as refused:
        app.campaign(
            segment_id=segment,
            ab_test=AbTestInput(
                variants=[VariantInput("A", template, 50), VariantInput("B", "gone", 50)]
            ),
        )
    assert _problems(refused) == {("abTest.variants.1.templateId", ErrorCode.NOT_FOUND)}
    assert app.campaigns.read.count(SYSTEM) == 0


def test_an_ab_split_not_summing_to_100_is_refused(app: CampaignApp) -> None:
    template, segment = app.template(), app.segment()
    with pytest.raises(DomainError) as refused:
        app.campaign(
            segment_id=segment,
            ab_test=AbTestInput(
                variants=[VariantInput("A", template, 50), VariantInput("B", template, 40)]
            ),
        )
    assert ("abTest.variants", ErrorCode.INVALID) in _problems(refused)


def test_the_channel_is_the_templates(app: CampaignApp) -> None:
    sms = app.template("Text", Channel.SMS)
    email = app.template("Mail")
    segment = app.segment()
    view = _view(app, app.campaign(segment_id=segment, template_id=sms))
    assert (view.channel, view.status) == (Channel.SMS, CampaignStatus.DRAFT)
    with pytest.raises(DomainError) as refused:
        app.campaign(
            segment_id=segment,
            ab_test=AbTestInput(
                variants=[VariantInput("A", sms, 50), VariantInput("B", email, 50)]
            ),
        )
    assert _problems(refused) == {("abTest.variants", ErrorCode.INVALID)}


def test_the_audience_is_the_segment_at_send_time(app: CampaignApp) -> None:
    template, segment = app.template(), app.segment()
    stays, leaves = app.members(2)
    app.members(1, first="Out")
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, app.clock.now() + timedelta(hours=1))
    # Between scheduling and the launch one joins the segment and one leaves it.
    (joins,) = app.members(1)
    customers = app.container.use(Customers)
    customers.update(SYSTEM, CustomerPatch(customer_id=leaves, first_name="Gone"))
    app.run_due()
    assert app.messages_of(campaign) == []
    assert _view(app, campaign).status is CampaignStatus.SCHEDULED
    app.clock.advance(timedelta(hours=1))
    app.run_due()
    assert app.recipients(campaign) == sorted([stays, joins])
    view = _view(app, campaign)
    assert view.status is CampaignStatus.SENT
    assert view.started_at == view.finished_at == app.clock.now()
    message = app.messages_of(campaign)[0]
    assert (message.status, message.marketing, message.template_id) == (
        MessageStatus.QUEUED,
        True,
        template,
    )
    assert message.to.startswith("in") and message.dedupe_key == f"campaign:{campaign}:{stays}"


def test_a_static_segment_sends_to_its_stored_list(app: CampaignApp) -> None:
    template = app.template()
    listed = app.members(3)
    segment = app.segment(kind=SegmentKind.STATIC)
    app.members(2)  # named alike, but the list was taken before they came
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    assert app.recipients(campaign) == sorted(listed)


def test_two_customers_sharing_an_address_get_one_message(app: CampaignApp) -> None:
    template, segment = app.template("Text", Channel.SMS), app.segment()
    first, second, third = app.customers(
        [
            new_customer(first="In", phone="+447700900001", customer_id="a"),
            new_customer(first="In", phone="+447700900001", customer_id="b"),
            new_customer(first="In", phone="+447700900002", customer_id="c"),
        ]
    )
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    # The first by id keeps the shared number; each customer is in the audience once.
    assert app.recipients(campaign) == [first, third]
    assert [m.to for m in app.messages_of(campaign)] == ["+447700900001", "+447700900002"]
    assert second not in app.recipients(campaign)


class Crash(Exception):
    """The process dies."""


def _crash_halfway(app: CampaignApp, campaign: str, *, chunk: int = 10) -> None:
    """Run the launch as a process that dies reading the third chunk of the audience."""
    real: AudienceQueue = app.container.module("campaigns").queue()
    calls = 0

    class CrashingCustomers:
        def get_many(self, ids: object, *, visible: object) -> object:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise Crash
            return real.customers.get_many(ids, visible=visible)  # type: ignore[arg-type]

    crashing = LaunchCampaign(
        uow=real.uow,
        queue=AudienceQueue(
            uow=real.uow,
            audience=real.audience,
            customers=CrashingCustomers(),  # type: ignore[arg-type]
            templates=real.templates,
            clock=real.clock,
            ids=real.ids,
            chunk=chunk,
        ),
        clock=real.clock,
        ids=real.ids,
    )
    with pytest.raises(Crash):
        crashing(SYSTEM, campaign)


def test_a_launch_that_stops_halfway_and_runs_again_queues_the_rest_once(
    app: CampaignApp,
) -> None:
    template, segment = app.template(), app.segment()
    members = app.members(25)
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, None)
    _crash_halfway(app, campaign)
    assert len(app.messages_of(campaign)) == 20
    assert _view(app, campaign).status is CampaignStatus.SENDING
    # The timer was not done, so the worker fires it again.
    app.run_due()
    assert app.recipients(campaign) == sorted(members)
    assert _view(app, campaign).status is CampaignStatus.SENT
    assert app.container.module("campaigns").launch()(SYSTEM, campaign) == 0
    assert len(app.messages_of(campaign)) == 25


def test_a_throttle_spreads_the_messages_due_times(app: CampaignApp) -> None:
    template, segment = app.template(), app.segment()
    app.members(5)
    campaign = app.campaign(segment_id=segment, template_id=template, throttle_per_second=2)
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    due = sorted(message.due_at - app.clock.now() for message in app.messages_of(campaign))
    assert due == [timedelta(seconds=s) for s in (0, 0.5, 1, 1.5, 2)]


def test_cancelling_a_scheduled_campaign_stops_its_launch(app: CampaignApp) -> None:
    template, segment = app.template(), app.segment()
    app.members(3)
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, app.clock.now() + timedelta(minutes=5))
    assert app.campaigns.cancel(SYSTEM, campaign).status is CampaignStatus.CANCELLED
    app.clock.advance(timedelta(hours=1))
    app.run_due()
    assert app.messages_of(campaign) == []
    assert (LAUNCH, campaign) not in app.store.timers


def test_cancelling_a_sending_campaign_skips_what_is_not_sent(app: CampaignApp) -> None:
    template, segment = app.template(), app.segment()
    app.members(25)
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, None)
    _crash_halfway(app, campaign)
    first = app.messages_of(campaign)[0]
    app.engage([first.id])
    assert app.campaigns.cancel(SYSTEM, campaign).status is CampaignStatus.CANCELLED
    app.run_due()  # the launch timer fires again, and queues nothing more
    statuses = [(m.status, m.skip_reason) for m in app.messages_of(campaign)]
    assert (
        statuses
        == [(MessageStatus.SENT, None)] + [(MessageStatus.SKIPPED, SkipReason.CANCELLED)] * 19
    )


def test_a_sent_campaign_cannot_be_cancelled(app: CampaignApp) -> None:
    template, segment = app.template(), app.segment()
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    with pytest.raises(DomainError) as refused:
        app.campaigns.cancel(SYSTEM, campaign)
    assert _problems(refused) == {("status", ErrorCode.TRANSITION_NOT_ALLOWED)}


def _ab_campaign(app: CampaignApp, *, share: int, wait_minutes: int = 60) -> tuple[str, str, str]:
    first, second = app.template("Subject A"), app.template("Subject B")
    segment = app.segment()
    campaign = app.campaign(
        segment_id=segment,
        ab_test=AbTestInput(
            variants=[VariantInput("A", first, 50), VariantInput("B", second, 50)],
            test_share_percent=share,
            metric=WinnerMetric.OPEN_RATE,
            confidence=0.95,
            wait_minutes=wait_minutes,
        ),
    )
    return campaign, first, second


def test_an_ab_test_sends_the_test_group_then_the_winner_to_the_rest(app: CampaignApp) -> None:
    audience = app.members(10_000)
    campaign, first, second = _ab_campaign(app, share=20)
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    tested = app.messages_of(campaign)
    view = _view(app, campaign)
    assert view.status is CampaignStatus.TESTING
    # 20 % of 10,000 is 2,000 (binomial sd 40), split 50/50 (sd about 22 each).
    assert 1_850 <= len(tested) <= 2_150
    by_variant = {key: [m for m in tested if m.source.variant == key] for key in ("A", "B")}
    assert all(900 <= len(group) <= 1_100 for group in by_variant.values())
    assert {m.template_id for m in by_variant["A"]} == {first}
    assert (AB_DECIDE, campaign) in app.store.timers
    # One in five of A's messages is opened, two in five of B's.
    opened = [m.id for m in by_variant["A"][::5]]
    opened += [m.id for m in by_variant["B"][::5] + by_variant["B"][1::5]]
    app.engage([m.id for m in tested], opened=opened)
    app.clock.advance(timedelta(minutes=59))
    app.run_due()
    assert _view(app, campaign).status is CampaignStatus.TESTING
    app.clock.advance(timedelta(minutes=1))
    app.run_due()
    view = _view(app, campaign)
    assert (view.status, view.winner_variant) == (CampaignStatus.SENT, "B")
    everyone = app.messages_of(campaign)
    assert sorted(m.customer_id for m in everyone) == sorted(audience)
    rest = [m for m in everyone if m.id not in {t.id for t in tested}]
    assert {(m.source.variant, m.template_id) for m in rest} == {("B", second)}


def test_an_ab_test_of_the_whole_audience_sends_every_variant_and_picks_none(
    app: CampaignApp,
) -> None:
    app.members(400)
    campaign, _, _ = _ab_campaign(app, share=100)
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    view = _view(app, campaign)
    assert (view.status, view.winner_variant) == (CampaignStatus.SENT, None)
    counts = {key: sum(m.source.variant == key for m in app.messages_of(campaign)) for key in "AB"}
    assert sum(counts.values()) == 400 and 150 <= counts["A"] <= 250


def test_the_winner_is_the_z_tests_against_hand_computed_figures(app: CampaignApp) -> None:
    campaign, _, _ = _ab_campaign(app, share=50)
    test = _view(app, campaign).ab_test
    assert test is not None
    # Customers picked so that exactly 1,000 land in each variant and 500 in the holdout.
    groups: dict[str | None, list[str]] = {"A": [], "B": [], None: []}
    wanted = {"A": 1_000, "B": 1_000, None: 500}
    number = 0
    while any(len(groups[key]) < wanted[key] for key in groups):
        candidate = f"p-{number:05d}"
        number += 1
        variant = test.assign(campaign, candidate)
        key = variant.key if variant else None
        if len(groups[key]) < wanted[key]:
            groups[key].append(candidate)
    app.members(0, ids=[c for group in groups.values() for c in group])
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    by_customer = {m.customer_id: m.id for m in app.messages_of(campaign)}
    assert len(by_customer) == 2_000
    # 200 of A's 1,000 opened, 150 of B's: p = 0.2 vs 0.15, pooled 0.175,
    # se = sqrt(0.175 * 0.825 * (1/1000 + 1/1000)) = 0.016993, z = 0.05 / 0.016993 = 2.942,
    # two-sided p = erfc(2.942 / sqrt 2) = 0.00326: significant at 95 %.
    opened = [by_customer[c] for c in groups["A"][:200] + groups["B"][:150]]
    app.engage(by_customer.values(), opened=opened)
    module = app.container.module("campaigns")
    decide = module.decide()
    with module.ports.unit_of_work() as uow:
        stored = uow.campaigns.get(campaign)
    assert stored is not None
    results = decide.results(stored)
    assert [(r.variant_key, r.sent, r.opened) for r in results] == [
        ("A", 1_000, 200),
        ("B", 1_000, 150),
    ]
    app.clock.advance(timedelta(hours=1))
    winner = decide(SYSTEM, campaign)
    assert winner is not None and winner.variant_key == "A" and winner.significant
    assert winner.z == pytest.approx(2.942, abs=1e-3)
    assert winner.p_value == pytest.approx(0.00326, abs=1e-5)
    assert sorted(app.recipients(campaign)) == sorted(c for g in groups.values() for c in g)
    holdout = {m.customer_id: m for m in app.messages_of(campaign) if m.customer_id in groups[None]}
    assert {m.source.variant for m in holdout.values()} == {"A"}
