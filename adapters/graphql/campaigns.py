"""Campaigns through the API: create, schedule, cancel, list, and their stats."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry

from adapters.graphql.channels import ChannelEnum, api_channel
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.money import Money
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.segments import SegmentNode
from adapters.graphql.templates import TemplateNode
from adapters.graphql.type_names import CAMPAIGN, SEGMENT, TEMPLATE
from application.campaigns.attribution import DEFAULT_MODEL, CampaignStats
from application.campaigns.campaign_bundle import Campaigns
from application.campaigns.campaign_ports import CampaignView
from application.campaigns.campaigns import AbTestInput, NewCampaign, VariantInput
from application.campaigns.template_ports import TemplateView
from application.campaigns.templates import Templates
from application.pagination import PageRequest
from application.segments.bundle import Segments
from domain.access.roles import Permission
from domain.campaigns.ab_test import Variant, WinnerMetric
from domain.campaigns.attribution import AttributionModel


@strawberry.enum(name="CampaignStatus", description="Where a campaign is in its life.")
class CampaignStatusEnum(Enum):
    DRAFT = strawberry.enum_value("draft", description="Created, not scheduled yet.")
    SCHEDULED = strawberry.enum_value("scheduled", description="Waiting for its time.")
    SENDING = strawberry.enum_value(
        "sending", description="Queueing its messages (with an A/B test: a round of them)."
    )
    TESTING = strawberry.enum_value(
        "testing", description="The A/B test group was sent; waiting for the results."
    )
    SENT = strawberry.enum_value(
        "sent", description="Every message of its audience is queued or out."
    )
    CANCELLED = strawberry.enum_value("cancelled", description="Stopped; sends nothing more.")


@strawberry.enum(name="WinnerMetric", description="What an A/B test's winner is chosen by.")
class WinnerMetricEnum(Enum):
    OPEN_RATE = strawberry.enum_value("open_rate", description="Opened per message sent.")
    CLICK_RATE = strawberry.enum_value("click_rate", description="Clicked per message sent.")
    CONVERSION_RATE = strawberry.enum_value(
        "conversion_rate", description="Customers who ordered within the window, per message sent."
    )


@strawberry.enum(
    name="AttributionModel", description="How an order's total is shared among its touches."
)
class AttributionModelEnum(Enum):
    LAST_TOUCH = strawberry.enum_value("last_touch", description="All to the last touch.")
    FIRST_TOUCH = strawberry.enum_value("first_touch", description="All to the first touch.")
    LINEAR = strawberry.enum_value("linear", description="Shared evenly by every touch.")
    POSITION_BASED = strawberry.enum_value(
        "position_based",
        description="40 % to the first, 40 % to the last, 20 % shared by those between.",
    )


@strawberry.type(description="What a campaign, or one variant of it, did so far.")
class CampaignStatsNode:
    queued: int = strawberry.field(
        description="Messages not sent yet: waiting, held back by a cap or quiet hours, or "
        "being sent."
    )
    sent: int = strawberry.field(
        description="Messages the channel accepted, whatever became of them after."
    )
    delivered: int = strawberry.field(description="Messages reported delivered.")
    bounced: int = strawberry.field(description="Messages that bounced.")
    opened: int = strawberry.field(description="Messages opened at least once.")
    clicked: int = strawberry.field(description="Messages with at least one link followed.")
    unsubscribed: int = strawberry.field(description="Recipients who unsubscribed through it.")
    converted: int = strawberry.field(
        description="Customers who placed an order within 7 days after a touch of it."
    )
    conversions: int = strawberry.field(description="Those customers' orders.")
    attributed_revenue: list[Money] = strawberry.field(
        description="The orders' totals credited to it by the attribution model, one amount "
        "per currency, never converted."
    )

    @classmethod
    def of(cls, stats: CampaignStats | None) -> CampaignStatsNode:
        stats = stats or CampaignStats()
        return cls(
            queued=stats.queued,
            sent=stats.sent,
            delivered=stats.delivered,
            bounced=stats.bounced,
            opened=stats.opened,
            clicked=stats.clicked,
            unsubscribed=stats.unsubscribed,
            converted=stats.converted,
            conversions=stats.conversions,
            attributed_revenue=[
                Money.in_currency(amount, currency)
                for currency, amount in sorted(stats.attributed_revenue.items())
            ],
        )


E = TypeVar("E", bound=Enum)


def _domain_value(kind: type[E], value: Enum) -> E:
    """The domain's member for a member of the API's enum of the same values."""
    return kind(value.value)


def _segment_loader(info: Info) -> Any:
    context = info.context
    return context.loaders.batch(
        "campaigns.segments",
        lambda ids: context.services.use(Segments).read.get_many(context.principal, ids),
    )


def _all_templates(info: Info, wanted: Sequence[str]) -> dict[str, TemplateView]:
    """The templates asked for, read a page of the (small) catalogue at a time."""
    context = info.context
    read = context.services.use(Templates).read
    found: dict[str, TemplateView] = {}
    after = None
    while True:
        page = read.list(
            context.principal, PageRequest(first=100, after=after), include_archived=True
        )
        found.update((edge.node.id, edge.node) for edge in page.edges)
        if set(wanted) <= set(found) or not page.has_next_page:
            return {key: found[key] for key in wanted if key in found}
        after = page.end_cursor


def _template_loader(info: Info) -> Any:
    return info.context.loaders.batch("campaigns.templates", lambda ids: _all_templates(info, ids))


async def _template(info: Info, template_id: str) -> TemplateNode | None:
    view = await _template_loader(info).load(template_id)
    return None if view is None else TemplateNode.from_view(view)


def _stats_of_page(
    info: Info, keys: Sequence[str]
) -> dict[str, dict[tuple[str, str | None], CampaignStats]]:
    """Every campaign's stats the page asks for, by model, in one call per model."""
    context = info.context
    campaigns = context.services.use(Campaigns)
    by_model: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        model, _, campaign_id = key.partition(":")
        by_model[model].append(campaign_id)
    found: dict[str, dict[tuple[str, str | None], CampaignStats]] = {}
    for model, ids in by_model.items():
        views = list(campaigns.read.get_many(context.principal, ids).values())
        stats = campaigns.stats(views, AttributionModel(model))
        for campaign_id in ids:
            found[f"{model}:{campaign_id}"] = {
                key: value for key, value in stats.items() if key[0] == campaign_id
            }
    return found


_MODEL = "The attribution model of attributedRevenue; LAST_TOUCH when left out."


async def _stats(
    info: Info, campaign: CampaignView, model: AttributionModelEnum | None
) -> dict[tuple[str, str | None], CampaignStats]:
    chosen = _domain_value(AttributionModel, model) if model is not None else DEFAULT_MODEL
    loader = info.context.loaders.batch("campaigns.stats", lambda keys: _stats_of_page(info, keys))
    found: dict[tuple[str, str | None], CampaignStats] | None = await loader.load(
        f"{chosen.value}:{campaign.id}"
    )
    return found or {}


@strawberry.type(description="One version of an A/B tested campaign's message.")
class CampaignVariant:
    key: str = strawberry.field(description="The variant's key, such as A or B.")
    weight_percent: int = strawberry.field(
        description="Its share of the test group, in percent; the variants' shares sum to 100."
    )
    template_id: strawberry.Private[str]
    campaign: strawberry.Private[CampaignView]

    @strawberry.field(description="The template it sends; null once it is gone.")
    async def template(self, info: Info) -> TemplateNode | None:
        return await _template(info, self.template_id)

    @strawberry.field(description="What this variant did so far.")
    async def stats(
        self,
        info: Info,
        attribution_model: Annotated[
            AttributionModelEnum | None, strawberry.argument(description=_MODEL)
        ] = None,
    ) -> CampaignStatsNode:
        found = await _stats(info, self.campaign, attribution_model)
        return CampaignStatsNode.of(found.get((self.campaign.id, self.key)))

    @classmethod
    def of(cls, variant: Variant, campaign: CampaignView) -> CampaignVariant:
        return cls(
            key=variant.key,
            weight_percent=variant.weight_percent,
            template_id=variant.template_id,
            campaign=campaign,
        )


@strawberry.type(description="How a campaign's A/B test runs.")
class AbTestSettings:
    test_share_percent: int = strawberry.field(
        description="The share of the audience the variants are tested on, in percent; the "
        "rest gets the winner. 100: no holdout, every variant goes out as split."
    )
    metric: WinnerMetricEnum = strawberry.field(description="What the winner is chosen by.")
    confidence: float = strawberry.field(
        description="The confidence the winner's lead is called significant at, e.g. 0.95."
    )
    wait_minutes: int = strawberry.field(
        description="How long after the test group is sent the winner is chosen."
    )


@strawberry.type(name="Campaign", description="A message to a segment, now or at a time.")
class CampaignNode(Node):
    name: str = strawberry.field(description="What the campaign is called.")
    status: CampaignStatusEnum = strawberry.field(description="Where it is in its life.")
    channel: ChannelEnum = strawberry.field(description="Its templates' channel.")
    throttle_per_second: int | None = strawberry.field(
        description="At most this many messages a second; null: as fast as the channel goes."
    )
    ab_test: AbTestSettings | None = strawberry.field(
        description="The A/B test's settings; null for a campaign of one template."
    )
    scheduled_at: datetime | None = strawberry.field(
        description="When it launches or launched; null for a draft."
    )
    started_at: datetime | None = strawberry.field(description="When it began queueing.")
    finished_at: datetime | None = strawberry.field(
        description="When its whole audience was queued."
    )
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")
    created_at: datetime = strawberry.field(description="When it was created.")
    version: int = strawberry.field(description="Grows with every change.")
    view: strawberry.Private[CampaignView]

    @strawberry.field(description="The segment it goes to; null once the segment is gone.")
    async def segment(self, info: Info) -> SegmentNode | None:
        view = await _segment_loader(info).load(self.view.segment_id)
        return None if view is None else SegmentNode.from_view(view)

    @strawberry.field(description="The one template it sends; null for an A/B test (see variants).")
    async def template(self, info: Info) -> TemplateNode | None:
        if self.view.template_id is None:
            return None
        return await _template(info, self.view.template_id)

    @strawberry.field(description="The A/B test's variants, in order; empty without a test.")
    def variants(self) -> list[CampaignVariant]:
        if self.view.ab_test is None:
            return []
        return [CampaignVariant.of(v, self.view) for v in self.view.ab_test.variants]

    @strawberry.field(description="The variant chosen for the rest; null until chosen.")
    def winner(self) -> CampaignVariant | None:
        test, key = self.view.ab_test, self.view.winner_variant
        if test is None or key is None:
            return None
        return CampaignVariant.of(test.variant(key), self.view)

    @strawberry.field(description="What the campaign did so far, every variant together.")
    async def stats(
        self,
        info: Info,
        attribution_model: Annotated[
            AttributionModelEnum | None, strawberry.argument(description=_MODEL)
        ] = None,
    ) -> CampaignStatsNode:
        found = await _stats(info, self.view, attribution_model)
        return CampaignStatsNode.of(found.get((self.view.id, None)))

    @classmethod
    def from_view(cls, view: CampaignView) -> CampaignNode:
        test = view.ab_test
        return cls(
            id=strawberry.ID(to_global_id(CAMPAIGN, view.id)),
            name=view.name,
            status=CampaignStatusEnum(view.status.value),
            channel=api_channel(view.channel),
            throttle_per_second=view.throttle_per_second,
            ab_test=None
            if test is None
            else AbTestSettings(
                test_share_percent=test.test_share_percent,
                metric=WinnerMetricEnum(test.metric.value),
                confidence=test.confidence,
                wait_minutes=int(test.wait.total_seconds() // 60),
            ),
            scheduled_at=view.scheduled_at,
            started_at=view.started_at,
            finished_at=view.finished_at,
            cancelled_at=view.cancelled_at,
            created_at=view.created_at,
            version=view.version,
            view=view,
        )


@strawberry.type(name="CampaignEdge", description="One campaign of a page.")
class CampaignEdge(Edge[CampaignNode]):
    pass


@strawberry.type(name="CampaignConnection", description="A page of campaigns, newest first.")
class CampaignConnection(Connection[CampaignNode]):
    edges: list[CampaignEdge] = strawberry.field(  # type: ignore[assignment]
        description="The campaigns of this page, newest first."
    )
    edge_type = CampaignEdge

    @strawberry.field(description="How many campaigns there are.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Campaigns).read.count(context.principal)


def fetch_campaign(info: Info, campaign_id: str) -> CampaignNode | None:
    context = info.context
    view = context.services.use(Campaigns).read.get(context.principal, campaign_id)
    return CampaignNode.from_view(view) if view is not None else None


_CAMPAIGN_ID = "The global id of the campaign."


@strawberry.input(description="One variant of an A/B test.")
class CampaignVariantInput:
    key: str = strawberry.field(description="A short key, such as A or B, unique in the test.")
    template_id: strawberry.ID = strawberry.field(description="The global id of its template.")
    weight_percent: int = strawberry.field(
        description="Its share of the test group in percent; the shares must sum to 100."
    )


@strawberry.input(description="An A/B test: variants tested on a share, the winner to the rest.")
class AbTestInputType:
    variants: list[CampaignVariantInput] = strawberry.field(
        description="Two to ten variants whose weights sum to 100."
    )
    test_share_percent: int = strawberry.field(
        default=100,
        description="The share of the audience tested, 1 to 100; 100 sends every variant "
        "as split and chooses no winner.",
    )
    metric: WinnerMetricEnum = strawberry.field(
        default=WinnerMetricEnum.OPEN_RATE, description="What the winner is chosen by."
    )
    confidence: float = strawberry.field(
        default=0.95,
        description="The confidence a lead is called significant at, between 0.5 and 1.",
    )
    wait_minutes: int = strawberry.field(
        default=240, description="How long after the test group goes out the winner is chosen."
    )


@strawberry.input(description="A new campaign: a template, or an A/B test of several.")
class CreateCampaignInput:
    name: str = strawberry.field(description="What the campaign is called, one line.")
    segment_id: strawberry.ID = strawberry.field(
        description="The global id of the segment whose members at send time it goes to."
    )
    template_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of its one template; null with an abTest."
    )
    ab_test: AbTestInputType | None = strawberry.field(
        default=None, description="An A/B test instead of one template."
    )
    throttle_per_second: int | None = strawberry.field(
        default=None, description="At most this many messages a second, 1 to 10,000."
    )


@strawberry.input(description="When a campaign launches.")
class ScheduleCampaignInput:
    campaign_id: strawberry.ID = strawberry.field(description=_CAMPAIGN_ID)
    at: datetime | None = strawberry.field(
        default=None, description="When it launches; null or a moment past launches it now."
    )


@strawberry.input(description="The campaign to cancel.")
class CancelCampaignInput:
    campaign_id: strawberry.ID = strawberry.field(description=_CAMPAIGN_ID)


_ERRORS = "Why nothing was done; empty on success."


@strawberry.type(description="The result of createCampaign.")
class CreateCampaignPayload:
    campaign: CampaignNode | None = strawberry.field(
        default=None, description="The new campaign, a draft; null when nothing was saved."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of scheduleCampaign.")
class ScheduleCampaignPayload:
    campaign: CampaignNode | None = strawberry.field(
        default=None, description="The scheduled campaign; null when nothing changed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of cancelCampaign.")
class CancelCampaignPayload:
    campaign: CampaignNode | None = strawberry.field(
        default=None, description="The cancelled campaign; null when nothing changed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


def _campaign_id(value: strawberry.ID, field: str = "campaignId") -> str:
    return local_id(value, CAMPAIGN, field=field)


def _new_campaign(input: CreateCampaignInput) -> NewCampaign:
    test = input.ab_test
    return NewCampaign(
        name=input.name,
        segment_id=local_id(input.segment_id, SEGMENT, field="segmentId"),
        template_id=None
        if input.template_id is None
        else local_id(input.template_id, TEMPLATE, field="templateId"),
        ab_test=None
        if test is None
        else AbTestInput(
            variants=[
                VariantInput(
                    v.key,
                    local_id(v.template_id, TEMPLATE, field=f"abTest.variants.{index}.templateId"),
                    v.weight_percent,
                )
                for index, v in enumerate(test.variants)
            ],
            test_share_percent=test.test_share_percent,
            metric=_domain_value(WinnerMetric, test.metric),
            confidence=test.confidence,
            wait_minutes=test.wait_minutes,
        ),
        throttle_per_second=input.throttle_per_second,
    )


@strawberry.type
class CampaignQuery:
    @strawberry.field(description="Campaigns, newest first.", extensions=[QueryErrors()])
    def campaigns(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many, from the start.")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The cursor the page starts after.")
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="At most this many, from the end.")
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="The cursor the page ends before.")
        ] = None,
    ) -> CampaignConnection:
        context = info.context
        page = context.services.use(Campaigns).read.list(
            context.principal, PageRequest(first, after, last, before)
        )
        return CampaignConnection.from_page(page, CampaignNode.from_view)

    @strawberry.field(
        description="One campaign; null when there is none.", extensions=[QueryErrors()]
    )
    def campaign(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=_CAMPAIGN_ID)],
    ) -> CampaignNode | None:
        return fetch_campaign(info, _campaign_id(id, "id"))


@strawberry.type
class CampaignMutation:
    @strawberry.mutation(
        description="Create a draft campaign to a segment. A segment or template that does "
        "not exist, or an A/B split not summing to 100, is a user error on its field.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def create_campaign(
        self,
        info: Info,
        input: Annotated[CreateCampaignInput, strawberry.argument(description="The campaign.")],
    ) -> CreateCampaignPayload:
        view = info.context.services.use(Campaigns).create(
            info.context.principal, _new_campaign(input)
        )
        return CreateCampaignPayload(campaign=CampaignNode.from_view(view))

    @strawberry.mutation(
        description="Schedule a campaign, or move it while it waits; `rapport worker` "
        "launches it when due, to the segment's members at that moment.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def schedule_campaign(
        self,
        info: Info,
        input: Annotated[ScheduleCampaignInput, strawberry.argument(description="When.")],
    ) -> ScheduleCampaignPayload:
        view = info.context.services.use(Campaigns).schedule(
            info.context.principal, _campaign_id(input.campaign_id), input.at
        )
        return ScheduleCampaignPayload(campaign=CampaignNode.from_view(view))

    @strawberry.mutation(
        description="Cancel a campaign: nothing more is queued, and what is queued but not "
        "sent is skipped.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def cancel_campaign(
        self,
        info: Info,
        input: Annotated[CancelCampaignInput, strawberry.argument(description="Which.")],
    ) -> CancelCampaignPayload:
        view = info.context.services.use(Campaigns).cancel(
            info.context.principal, _campaign_id(input.campaign_id)
        )
        return CancelCampaignPayload(campaign=CampaignNode.from_view(view))


PART = SchemaPart(
    queries=(CampaignQuery,),
    mutations=(CampaignMutation,),
    nodes={CAMPAIGN: fetch_campaign},
)
