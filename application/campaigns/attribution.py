"""Which campaigns earned which orders: conversions and attributed revenue per campaign and
variant, by one of the four models of ``domain/campaigns/attribution.py``.

An order counts as a conversion of a campaign when one of the campaign's touches falls in
the window before it, whatever the model. The model decides how the order's total is
shared among every touch in that window: those of other campaigns and journeys take
their share too, so revenue is never counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from attrs import field, frozen

from application.campaigns.campaign_ports import CampaignView
from application.messages.ports import MessageStatsReader
from application.orders.ports import OrderReader
from application.orders.views import OrderFilter, OrderSort, OrderSortField, OrderView
from application.pagination import SortKey
from application.ports import Clock
from domain.access.visibility import EVERYTHING
from domain.campaigns.attribution import (
    DEFAULT_WINDOW,
    AttributedOrder,
    AttributionModel,
    Touch,
    attribute,
)
from domain.orders.order import OrderStatus

DEFAULT_MODEL = AttributionModel.LAST_TOUCH
"""The model campaign stats use unless asked for another: the one most reports expect."""
COUNTED_STATUSES = frozenset({OrderStatus.PLACED.value, OrderStatus.PAID.value})
"""Cancelled and refunded orders earned nothing."""
ORDER_PAGE = 1_000

CampaignKey = tuple[str, str | None]
"""A campaign id and a variant, or ``None`` for the campaign as a whole."""


@frozen
class Attributed:
    """What a campaign (or one variant of it) earned."""

    conversions: int
    """Orders with a touch of the campaign in the window before them."""
    converted: int
    """Customers with at least one such order."""
    revenue: Mapping[str, Decimal]
    """The credited amounts, by currency; amounts are never converted."""


NOTHING_ATTRIBUTED = Attributed(conversions=0, converted=0, revenue={})


def quantum_of(total: Decimal) -> Decimal:
    """The smallest unit the total is written in, at least a cent."""
    exponent = total.as_tuple().exponent
    places = min(exponent if isinstance(exponent, int) else 0, -2)
    return Decimal(1).scaleb(places)


@frozen
class AttributeCampaigns:
    orders: OrderReader
    touches: MessageStatsReader
    clock: Clock
    window: timedelta = DEFAULT_WINDOW

    def __call__(
        self, campaigns: Sequence[CampaignView], model: AttributionModel = DEFAULT_MODEL
    ) -> dict[CampaignKey, Attributed]:
        """Per campaign (variant ``None``) and per A/B variant; a campaign that never
        started earned nothing and has no entry."""
        started = {c.id: c for c in campaigns if c.started_at is not None}
        if not started:
            return {}
        since = min(c.started_at for c in started.values() if c.started_at is not None)
        now = self.clock.now()
        orders = list(self._orders(since))
        if not orders:
            return {}
        customer_ids = {order.customer_id for order in orders}
        touches = self.touches.touches(customer_ids, since - self.window, now)
        return self._credit(started, orders, touches, model)

    def _orders(self, since: datetime) -> Iterator[OrderView]:
        where = OrderFilter(statuses=COUNTED_STATUSES, placed_after=since)
        order = OrderSort(OrderSortField.PLACED_AT, descending=False)
        after: SortKey | None = None
        while True:
            page = self.orders.slice(
                where,
                order,
                visible=EVERYTHING,
                after=after,
                before=None,
                limit=ORDER_PAGE,
                from_end=False,
            )
            yield from page
            if len(page) < ORDER_PAGE:
                return
            after = order.key_of(page[-1])

    def _credit(
        self,
        campaigns: Mapping[str, CampaignView],
        orders: Sequence[OrderView],
        touches: Mapping[str, Sequence[Touch]],
        model: AttributionModel,
    ) -> dict[CampaignKey, Attributed]:
        conversions: dict[CampaignKey, int] = defaultdict(int)
        converted: dict[CampaignKey, set[str]] = defaultdict(set)
        revenue: dict[CampaignKey, dict[str, Decimal]] = defaultdict(dict)
        for order in orders:
            mine = touches.get(order.customer_id, ())
            in_window = [
                t for t in mine if order.placed_at - self.window <= t.at <= order.placed_at
            ]
            if not any(t.campaign_id in campaigns for t in in_window):
                continue
            for key in _keys_of(in_window, campaigns, order.customer_id):
                conversions[key] += 1
                converted[key].add(order.customer_id)
            credits = attribute(
                AttributedOrder(
                    id=order.id,
                    placed_at=order.placed_at,
                    total=order.total,
                    quantum=quantum_of(order.total),
                ),
                in_window,
                model,
                self.window,
            )
            for credit in credits:
                campaign = campaigns.get(credit.touch.campaign_id or "")
                if campaign is None:
                    continue
                for key in _keys(campaign, order.customer_id):
                    amounts = revenue[key]
                    amounts[order.currency] = (
                        amounts.get(order.currency, Decimal(0)) + credit.amount
                    )
        return {
            key: Attributed(
                conversions=conversions[key],
                converted=len(converted[key]),
                revenue=dict(revenue.get(key, {})),
            )
            for key in conversions
        }


def _keys(campaign: CampaignView, customer_id: str) -> list[CampaignKey]:
    variant = campaign.variant_sent(customer_id)
    keys: list[CampaignKey] = [(campaign.id, None)]
    if variant is not None:
        keys.append((campaign.id, variant))
    return keys


def _keys_of(
    touches: Sequence[Touch], campaigns: Mapping[str, CampaignView], customer_id: str
) -> set[CampaignKey]:
    return {
        key
        for touch in touches
        if touch.campaign_id in campaigns
        for key in _keys(campaigns[touch.campaign_id or ""], customer_id)
    }


@frozen
class CampaignStats:
    """What a campaign (or one variant of it) did: the outbox's counts and what it earned."""

    queued: int = 0
    """Not sent yet: waiting, held back by a cap or quiet hours, or being sent."""
    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    opened: int = 0
    clicked: int = 0
    unsubscribed: int = 0
    converted: int = 0
    """Customers who placed an order with a touch of the campaign in the window before it."""
    conversions: int = 0
    """Those orders."""
    attributed_revenue: Mapping[str, Decimal] = field(factory=dict)
    """By currency, as the model credited it."""


@frozen
class ReadCampaignStats:
    counts: MessageStatsReader
    attribution: AttributeCampaigns

    def __call__(
        self, campaigns: Sequence[CampaignView], model: AttributionModel = DEFAULT_MODEL
    ) -> dict[CampaignKey, CampaignStats]:
        """Per campaign (variant ``None``) and per variant sent; absent keys had nothing."""
        if not campaigns:
            return {}
        counted = self.counts.by_campaign([c.id for c in campaigns])
        earned = self.attribution(campaigns, model)
        stats: dict[CampaignKey, CampaignStats] = {}
        for key in set(counted) | set(earned):
            counts = counted.get(key)
            attributed = earned.get(key, NOTHING_ATTRIBUTED)
            stats[key] = CampaignStats(
                queued=counts.queued if counts else 0,
                sent=counts.sent if counts else 0,
                delivered=counts.delivered if counts else 0,
                bounced=counts.bounced if counts else 0,
                opened=counts.opened if counts else 0,
                clicked=counts.clicked if counts else 0,
                unsubscribed=counts.unsubscribed if counts else 0,
                converted=attributed.converted,
                conversions=attributed.conversions,
                attributed_revenue=attributed.revenue,
            )
        return stats
