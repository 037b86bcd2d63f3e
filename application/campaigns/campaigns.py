"""Use cases of campaigns: create, schedule, cancel, and the launch that queues a message
for each member of the segment at send time (with an A/B test: the test group, then after
the wait the winner to the rest).

Sending is the outbox's: a launch only queues ``Message``s, under a dedupe key per
campaign and customer, so a launch that stops halfway and runs again queues the rest and
nothing twice. Consent, suppression, caps and quiet hours are the dispatcher's, at send
time. A campaign's throttle is carried on its messages as their ``due_at``: the n-th
message of a round is due ``n / throttle`` seconds after the round began, so the
dispatcher, which only claims what is due, sends no faster than that on average.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from attrs import frozen

from application.campaigns.attribution import DEFAULT_MODEL, ReadCampaignStats
from application.campaigns.campaign_ports import (
    NEWEST_FIRST,
    CampaignReader,
    CampaignRepository,
    CampaignsUnitOfWorkFactory,
    CampaignView,
    SegmentAudience,
    campaign_sort_key,
)
from application.campaigns.templates import Templates
from application.customers.ports import CustomerReader
from application.customers.views import CustomerView
from application.errors import NotFound
from application.pagination import Page, PageRequest, SortKey, SortValue, keyset_page, read_time
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.segments.ports import SegmentEvaluator, SegmentReader
from application.segments.rules import SegmentRules
from domain.access.roles import Permission
from domain.access.visibility import EVERYTHING
from domain.campaigns.ab_test import (
    AbTest,
    Variant,
    VariantResult,
    Winner,
    WinnerMetric,
    choose_winner,
)
from domain.campaigns.campaign import AudiencePhase, Campaign, CampaignStatus
from domain.campaigns.channels import Channel
from domain.campaigns.messages import Message, MessageSource, MessageStatus
from domain.campaigns.policy import SkipReason
from domain.campaigns.suppression import address_key
from domain.errors import DomainError, ErrorCode, Problem, ProblemCollector
from domain.scheduling import Timer
from domain.segments.segment import SegmentKind

LAUNCH = "campaign.launch"
"""The timer kind that starts a scheduled campaign."""
AB_DECIDE = "campaign.ab_decide"
"""The timer kind that reads an A/B test's results and sends the winner to the rest."""
QUEUE_CHUNK = 1_000
"""Messages queued per transaction: an audience of 100,000 is 100 short transactions."""
DEFAULT_AB_WAIT_MINUTES = 240


@frozen
class VariantInput:
    key: str
    template_id: str
    weight_percent: int


@frozen(kw_only=True)
class AbTestInput:
    variants: Sequence[VariantInput]
    test_share_percent: int = 100
    metric: WinnerMetric = WinnerMetric.OPEN_RATE
    confidence: float = 0.95
    wait_minutes: int = DEFAULT_AB_WAIT_MINUTES


@frozen(kw_only=True)
class NewCampaign:
    """What a campaign sends: one template, or an A/B test of several."""

    name: str
    segment_id: str
    template_id: str | None = None
    ab_test: AbTestInput | None = None
    throttle_per_second: int | None = None


@frozen
class CreateCampaign:
    """A draft campaign; its channel is its templates' channel."""

    uow: CampaignsUnitOfWorkFactory
    segments: SegmentReader
    templates: Templates
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewCampaign) -> CampaignView:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        problems = ProblemCollector()
        if new.segment_id and new.segment_id not in self.segments.get_many([new.segment_id]):
            problems.problems.append(
                Problem("segmentId", ErrorCode.NOT_FOUND, "no segment has this id")
            )
        wanted: list[tuple[str, str]] = []
        if new.template_id:
            wanted.append(("templateId", new.template_id))
        if new.ab_test is not None:
            wanted += [
                (f"abTest.variants.{index}.templateId", variant.template_id)
                for index, variant in enumerate(new.ab_test.variants)
                if variant.template_id
            ]
        channels: set[Channel] = set()
        for field, template_id in wanted:
            template = self.templates.read.get(actor, template_id)
            if template is None:
                problems.problems.append(
                    Problem(field, ErrorCode.NOT_FOUND, "no template has this id")
                )
            elif template.archived_at is not None:
                problems.problems.append(
                    Problem(field, ErrorCode.ARCHIVED, "the template is archived")
                )
            else:
                channels.add(template.channel)
        if len(channels) > 1:
            problems.problems.append(
                Problem("abTest.variants", ErrorCode.INVALID, "variants must share a channel")
            )
        ab_test = None
        if new.ab_test is not None:
            try:
                ab_test = _ab_test(new.ab_test)
            except DomainError as error:
                problems.problems += [
                    Problem(f"abTest.{_API_NAMES.get(p.field, p.field)}", p.code, p.message)
                    for p in error.problems
                ]
        problems.raise_if_any()
        with self.uow() as uow:
            campaign = Campaign.create(
                id=self.ids.new_id(),
                name=new.name,
                segment_id=new.segment_id,
                channel=channels.pop() if channels else Channel.EMAIL,
                template_id=new.template_id,
                ab_test=ab_test,
                throttle_per_second=new.throttle_per_second,
                at=self.clock.now(),
                by=actor.actor_id,
            )
            uow.campaigns.add(campaign)
            uow.commit()
        return CampaignView.of(campaign)


_API_NAMES = {"wait": "waitMinutes"}


def _ab_test(given: AbTestInput) -> AbTest:
    return AbTest(
        variants=tuple(Variant(v.key, v.template_id, v.weight_percent) for v in given.variants),
        test_share_percent=given.test_share_percent,
        metric=given.metric,
        confidence=given.confidence,
        wait=timedelta(minutes=given.wait_minutes),
    )


def _load(campaigns: CampaignRepository, campaign_id: str) -> Campaign:
    campaign = campaigns.get(campaign_id)
    if campaign is None:
        raise NotFound("campaignId", "no campaign has this id")
    return campaign


@frozen
class ScheduleCampaign:
    """Send at ``at`` (``None`` or a moment past: now); the launch is a durable timer."""

    uow: CampaignsUnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(
        self, actor: Principal, campaign_id: str, at: datetime | None = None
    ) -> CampaignView:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        with self.uow() as uow:
            campaign = _load(uow.campaigns, campaign_id)
            campaign.schedule(at, self.clock.now(), actor.actor_id)
            assert campaign.scheduled_at is not None
            uow.timers.set(
                Timer(
                    id=self.ids.new_id(),
                    kind=LAUNCH,
                    subject_id=campaign.id,
                    due_at=campaign.scheduled_at,
                )
            )
            uow.commit()
        return CampaignView.of(campaign)


@frozen
class CancelCampaign:
    """Stop a campaign: a scheduled one never launches, a sending one queues no more, and
    what it queued but did not send yet is skipped."""

    uow: CampaignsUnitOfWorkFactory
    reader: CampaignReader
    clock: Clock

    def __call__(self, actor: Principal, campaign_id: str) -> CampaignView:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        now = self.clock.now()
        with self.uow() as uow:
            campaign = _load(uow.campaigns, campaign_id)
            if campaign.cancel(now):
                uow.timers.cancel(LAUNCH, campaign.id)
                uow.timers.cancel(AB_DECIDE, campaign.id)
                # A message the dispatcher claimed meanwhile is in flight and goes out; the
                # rest never will. A claim committed first makes this commit stale, and the
                # cancel is tried again by the caller.
                unsent = uow.messages.get_many(self.reader.unsent_message_ids(campaign.id))
                for message in unsent.values():
                    if message.status in (MessageStatus.QUEUED, MessageStatus.DEFERRED):
                        message.skip(SkipReason.CANCELLED, now)
                        uow.messages.save(message)
            uow.commit()
        return CampaignView.of(campaign)


@frozen
class EvaluatedAudience:
    """``SegmentAudience`` over the segments module: a dynamic segment's rule is evaluated
    now by an evaluator over fresh facts, so whoever joined after scheduling is in and
    whoever left is out; a static segment is its stored list."""

    segments: SegmentReader
    rules: SegmentRules
    evaluator: SegmentEvaluator
    clock: Clock

    def members(self, segment_id: str) -> Sequence[str]:
        segment = self.segments.get_many([segment_id]).get(segment_id)
        if segment is None:
            return []
        if segment.kind is SegmentKind.STATIC:
            return sorted(self.segments.all_members(segment_id))
        rule = self.rules.resolve(self.rules.stored(segment.rule))
        today = self.clock.now().astimezone(UTC).date()
        return sorted(self.evaluator.evaluate(rule, today).ids)


def address_of(customer: CustomerView, channel: Channel) -> str:
    """Where a message on ``channel`` goes: empty when the customer has no address there
    (the dispatcher then skips it, on the record)."""
    if channel is Channel.EMAIL:
        return customer.email or ""
    if channel is Channel.SMS:
        return customer.phone or ""
    return customer.id


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@frozen
class AudienceQueue:
    """Queues a campaign's current phase to the segment's members now, in chunks of one
    transaction each; what an earlier run queued is skipped by its dedupe key."""

    uow: CampaignsUnitOfWorkFactory
    audience: SegmentAudience
    customers: CustomerReader
    templates: Templates
    clock: Clock
    ids: IdGenerator
    chunk: int = QUEUE_CHUNK

    def __call__(self, actor: Principal, campaign: Campaign) -> int:
        """How many messages were queued that were not queued before."""
        members = self.audience.members(campaign.segment_id)
        versions = {
            template_id: self._version(actor, template_id)
            for template_id in _template_ids(campaign)
        }
        now = self.clock.now()
        round_started = (
            campaign.winner_chosen_at
            if campaign.phase is AudiencePhase.HOLDOUT
            else campaign.started_at
        ) or now
        spacing = (
            timedelta(seconds=1 / campaign.throttle_per_second)
            if campaign.throttle_per_second
            else timedelta(0)
        )
        seen_addresses: set[str] = set()
        position = 0
        queued = 0
        for chunk in _chunks(members, self.chunk):
            found = self.customers.get_many(chunk, visible=EVERYTHING)
            messages: list[Message] = []
            for customer_id in chunk:
                customer = found.get(customer_id)
                if customer is None or customer.archived_at or customer.merged_into:
                    continue
                address = address_of(customer, campaign.channel)
                if address:
                    # Two customers sharing an address get one message, in every phase:
                    # the first of them by id keeps it.
                    key = address_key(address, campaign.channel)
                    if key in seen_addresses:
                        continue
                    seen_addresses.add(key)
                pick = campaign.pick(customer_id)
                if pick is None:
                    continue
                messages.append(
                    Message.queue(
                        id=self.ids.new_id(),
                        customer_id=customer_id,
                        channel=campaign.channel,
                        to=address,
                        source=MessageSource.campaign(campaign.id, pick.variant),
                        template_id=pick.template_id,
                        template_version=versions[pick.template_id],
                        marketing=True,
                        at=now,
                        due_at=round_started + spacing * position,
                    )
                )
                position += 1
            if not messages:
                continue
            with self.uow() as uow:
                current = uow.campaigns.get(campaign.id)
                if current is None or current.status is not CampaignStatus.SENDING:
                    return queued  # cancelled while queueing: queue no more
                queued += uow.messages.add_many(messages)
                uow.commit()
        return queued

    def _version(self, actor: Principal, template_id: str) -> int:
        template = self.templates.read.get(actor, template_id)
        if template is None:
            raise NotFound("templateId", "the campaign's template no longer exists")
        return template.version


@frozen
class LaunchCampaign:
    """The ``campaign.launch`` timer: start the campaign and queue its audience (with an
    A/B test: the test group, then the ``campaign.ab_decide`` timer after the wait).

    Safe to run again after a crash at any point: the campaign starts once, the queueing
    skips what an earlier run queued, and the last step happens once."""

    uow: CampaignsUnitOfWorkFactory
    queue: AudienceQueue
    clock: Clock
    ids: IdGenerator

    def fire(self, actor: Principal, timer: Timer) -> None:
        self(actor, timer.subject_id)

    def __call__(self, actor: Principal, campaign_id: str) -> int:
        """Run the launch; returns how many messages it queued that were not queued before."""
        actor.require(Permission.MANAGE_CAMPAIGNS)
        now = self.clock.now()
        with self.uow() as uow:
            campaign = uow.campaigns.get(campaign_id)
            if campaign is None or campaign.status not in (
                CampaignStatus.SCHEDULED,
                CampaignStatus.SENDING,
            ):
                return 0
            if campaign.status is CampaignStatus.SCHEDULED:
                if not campaign.is_due(now):
                    return 0  # moved to later: its own timer fires then
                campaign.start(now, actor.actor_id)
                uow.commit()
        queued = self.queue(actor, campaign)
        with self.uow() as uow:
            campaign = _load(uow.campaigns, campaign_id)
            if campaign.status is not CampaignStatus.SENDING:
                return queued
            if campaign.phase is AudiencePhase.TEST_GROUP:
                campaign.test_sent(self.clock.now())
                due = campaign.winner_due_at
                assert due is not None
                uow.timers.set(
                    Timer(id=self.ids.new_id(), kind=AB_DECIDE, subject_id=campaign.id, due_at=due)
                )
            else:
                campaign.finish(self.clock.now(), actor.actor_id)
            uow.commit()
        return queued


def _template_ids(campaign: Campaign) -> tuple[str, ...]:
    if campaign.ab_test is not None:
        return tuple(variant.template_id for variant in campaign.ab_test.variants)
    return () if campaign.template_id is None else (campaign.template_id,)


@frozen
class DecideAbTest:
    """The ``campaign.ab_decide`` timer: the test group's results pick the winner (the best
    rate on the test's metric, with its z-test against the runner-up), which is then
    queued to the rest of the audience. Safe to run again: the winner is chosen once."""

    uow: CampaignsUnitOfWorkFactory
    stats: ReadCampaignStats
    queue: AudienceQueue
    clock: Clock

    def fire(self, actor: Principal, timer: Timer) -> None:
        self(actor, timer.subject_id)

    def __call__(self, actor: Principal, campaign_id: str) -> Winner | None:
        """The winner chosen now, or ``None`` when there was nothing to decide (cancelled,
        or decided by an earlier run, whose sending this run completes)."""
        actor.require(Permission.MANAGE_CAMPAIGNS)
        winner: Winner | None = None
        with self.uow() as uow:
            campaign = uow.campaigns.get(campaign_id)
            if campaign is None or campaign.ab_test is None:
                return None
            if campaign.status is CampaignStatus.TESTING:
                winner = choose_winner(
                    self.results(campaign), campaign.ab_test.metric, campaign.ab_test.confidence
                )
                campaign.winner_chosen(winner.variant_key, self.clock.now())
                uow.commit()
            elif campaign.status is not CampaignStatus.SENDING or campaign.winner_variant is None:
                return None
        self.queue(actor, campaign)
        with self.uow() as uow:
            campaign = _load(uow.campaigns, campaign_id)
            if campaign.status is CampaignStatus.SENDING:
                campaign.finish(self.clock.now(), actor.actor_id)
                uow.commit()
        return winner

    def results(self, campaign: Campaign) -> list[VariantResult]:
        """What each variant's test group did so far."""
        assert campaign.ab_test is not None
        stats = self.stats([CampaignView.of(campaign)], DEFAULT_MODEL)
        results = []
        for variant in campaign.ab_test.variants:
            counted = stats.get((campaign.id, variant.key))
            results.append(
                VariantResult(
                    variant.key,
                    sent=counted.sent if counted else 0,
                    opened=counted.opened if counted else 0,
                    clicked=counted.clicked if counted else 0,
                    converted=counted.converted if counted else 0,
                )
            )
        return results


class _NewestFirst:
    name = NEWEST_FIRST

    def key_of(self, view: CampaignView) -> SortKey:
        return campaign_sort_key(view)

    def read_cursor_value(self, raw: object) -> SortValue:
        return read_time(raw)


@frozen
class ReadCampaigns:
    reader: CampaignReader

    def get(self, actor: Principal, campaign_id: str) -> CampaignView | None:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.get(campaign_id)

    def get_many(
        self, actor: Principal, campaign_ids: Collection[str]
    ) -> Mapping[str, CampaignView]:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.get_many(campaign_ids)

    def list(self, actor: Principal, page: PageRequest) -> Page[CampaignView]:
        """Campaigns, newest first."""
        actor.require(Permission.READ_CAMPAIGNS)
        return keyset_page(page, _NewestFirst(), self.reader.slice)

    def count(self, actor: Principal) -> int:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.count()
