"""The campaigns module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.campaigns.attribution import AttributeCampaigns, ReadCampaignStats
from application.campaigns.campaigns import (
    CancelCampaign,
    CreateCampaign,
    DecideAbTest,
    LaunchCampaign,
    ReadCampaigns,
    ScheduleCampaign,
)


@frozen(kw_only=True)
class Campaigns:
    create: CreateCampaign
    schedule: ScheduleCampaign
    cancel: CancelCampaign
    launch: LaunchCampaign
    """What the ``campaign.launch`` timer runs; callable directly to launch a due campaign."""
    decide: DecideAbTest
    """What the ``campaign.ab_decide`` timer runs."""
    read: ReadCampaigns
    stats: ReadCampaignStats
    attribution: AttributeCampaigns
