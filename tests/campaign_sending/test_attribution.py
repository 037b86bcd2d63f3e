"""Campaign stats and attribution through the use cases, against figures worked by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from application.campaigns.attribution import CampaignStats
from application.campaigns.campaign_ports import CampaignView
from application.campaigns.campaigns import AbTestInput, VariantInput
from domain.campaigns.attribution import AttributionModel
from tests.campaign_sending.conftest import SYSTEM, CampaignApp
from tests.contracts.orders import new_order


def _send_and_open(app: CampaignApp, campaign: str, *, opened_by: set[str]) -> None:
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    messages = app.messages_of(campaign)
    app.engage(
        [m.id for m in messages],
        opened=[m.id for m in messages if m.customer_id in opened_by],
    )


def _order(app: CampaignApp, customer_id: str, order_id: str, total: str) -> None:
    with app.backend.uow() as uow:
        uow.orders.add(new_order(customer_id, order_id, at=app.clock.now(), total=total))
        uow.commit()


def _views(app: CampaignApp, *campaign_ids: str) -> list[CampaignView]:
    found = app.campaigns.read.get_many(SYSTEM, campaign_ids)
    return [found[campaign_id] for campaign_id in campaign_ids]


@pytest.fixture
def three_touches(app: CampaignApp) -> tuple[list[str], str, str]:
    """Ann opens three campaigns a day apart, then orders 100.00; Bob opens the first and
    orders nothing; Cy never opens anything and orders 50.00."""
    template, segment = app.template(), app.segment()
    ann, bob, cy = app.members(3)
    campaigns = [
        app.campaign(name=f"Day {day}", segment_id=segment, template_id=template)
        for day in range(3)
    ]
    for day, campaign in enumerate(campaigns):
        _send_and_open(app, campaign, opened_by={ann, bob} if day == 0 else {ann})
        app.clock.advance(timedelta(days=1))
    _order(app, ann, "o-ann", "100.00")
    _order(app, cy, "o-cy", "50.00")
    return campaigns, ann, bob


@pytest.mark.parametrize(
    ("model", "credited"),
    [
        # All to the last touch; all to the first.
        (AttributionModel.LAST_TOUCH, (None, None, "100.00")),
        (AttributionModel.FIRST_TOUCH, ("100.00", None, None)),
        # 100 / 3 = 33.33 rounded down twice; the last touch takes the remaining 33.34.
        (AttributionModel.LINEAR, ("33.33", "33.33", "33.34")),
        # 40 % to the first and the last, the 20 % between to the one in the middle.
        (AttributionModel.POSITION_BASED, ("40.00", "20.00", "40.00")),
    ],
)
def test_each_model_credits_the_order_as_worked_by_hand(
    app: CampaignApp,
    three_touches: tuple[list[str], str, str],
    model: AttributionModel,
    credited: tuple[str | None, ...],
) -> None:
    campaigns, _, _ = three_touches
    stats = app.campaigns.stats(_views(app, *campaigns), model)
    for campaign, amount in zip(campaigns, credited, strict=True):
        found = stats[(campaign, None)]
        revenue = {"USD": Decimal(amount)} if amount is not None else {}
        # Every campaign touched Ann within the week before her order: each converted her.
        assert (found.converted, found.conversions, found.attributed_revenue) == (1, 1, revenue)


def test_stats_count_the_outbox_and_the_conversions(
    app: CampaignApp, three_touches: tuple[list[str], str, str]
) -> None:
    campaigns, _, _ = three_touches
    stats = app.campaigns.stats(_views(app, *campaigns))
    first = stats[(campaigns[0], None)]
    assert first == CampaignStats(
        sent=3,
        opened=2,
        converted=1,
        conversions=1,
        attributed_revenue={},
    )
    assert stats[(campaigns[2], None)].attributed_revenue == {"USD": Decimal("100.00")}


def test_an_order_after_the_window_or_before_the_touch_is_no_conversion(
    app: CampaignApp,
) -> None:
    template, segment = app.template(), app.segment()
    early, late = app.members(2)
    _order(app, early, "o-before", "10.00")
    app.clock.advance(timedelta(hours=1))
    campaign = app.campaign(segment_id=segment, template_id=template)
    _send_and_open(app, campaign, opened_by={early, late})
    app.clock.advance(timedelta(days=7, seconds=1))
    _order(app, late, "o-late", "20.00")
    stats = app.campaigns.stats(_views(app, campaign))
    assert (stats[(campaign, None)].converted, stats[(campaign, None)].attributed_revenue) == (
        0,
        {},
    )


def test_an_ab_tests_revenue_goes_to_the_variant_each_customer_got(app: CampaignApp) -> None:
    first, second, segment = app.template("A"), app.template("B"), app.segment()
    people = app.members(40)
    campaign = app.campaign(
        segment_id=segment,
        ab_test=AbTestInput(variants=[VariantInput("A", first, 50), VariantInput("B", second, 50)]),
    )
    _send_and_open(app, campaign, opened_by=set(people))
    variants = {m.customer_id: m.source.variant for m in app.messages_of(campaign)}
    app.clock.advance(timedelta(hours=2))
    for number, person in enumerate(people[:10]):
        _order(app, person, f"o-{number}", "10.00")
    stats = app.campaigns.stats(_views(app, campaign), AttributionModel.LINEAR)
    bought = [variants[person] for person in people[:10]]
    for key in ("A", "B"):
        expected = Decimal("10.00") * bought.count(key)
        found = stats[(campaign, key)]
        assert found.converted == bought.count(key)
        assert found.attributed_revenue == ({"USD": expected} if expected else {})
    assert stats[(campaign, None)].attributed_revenue == {"USD": Decimal("100.00")}
