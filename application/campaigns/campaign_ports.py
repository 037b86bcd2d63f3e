"""What the campaign use cases need: storage of campaigns, a reader for lists, and the
segment audience evaluated at send time."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.messages.ports import MessageRepository
from application.pagination import SortKey
from application.unit_of_work import UnitOfWork
from domain.campaigns.ab_test import AbTest
from domain.campaigns.campaign import Campaign, CampaignStatus
from domain.campaigns.channels import Channel

NEWEST_FIRST = "campaigns.newest_first"
"""The one ordering of campaign lists: newest created first, then id."""


@frozen
class CampaignView:
    """A campaign as queries return it: plain values, no behaviour."""

    id: str
    name: str
    segment_id: str
    channel: Channel
    template_id: str | None
    ab_test: AbTest | None
    throttle_per_second: int | None
    status: CampaignStatus
    created_at: datetime
    created_by: str
    updated_at: datetime
    scheduled_at: datetime | None
    started_at: datetime | None
    test_sent_at: datetime | None
    winner_variant: str | None
    winner_chosen_at: datetime | None
    finished_at: datetime | None
    cancelled_at: datetime | None
    version: int

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignView:
        return cls(
            id=campaign.id,
            name=campaign.name,
            segment_id=campaign.segment_id,
            channel=campaign.channel,
            template_id=campaign.template_id,
            ab_test=campaign.ab_test,
            throttle_per_second=campaign.throttle_per_second,
            status=campaign.status,
            created_at=campaign.created_at,
            created_by=campaign.created_by,
            updated_at=campaign.updated_at,
            scheduled_at=campaign.scheduled_at,
            started_at=campaign.started_at,
            test_sent_at=campaign.test_sent_at,
            winner_variant=campaign.winner_variant,
            winner_chosen_at=campaign.winner_chosen_at,
            finished_at=campaign.finished_at,
            cancelled_at=campaign.cancelled_at,
            version=campaign.version,
        )

    @property
    def template_ids(self) -> tuple[str, ...]:
        """Every template the campaign sends: its one, or one per variant."""
        if self.ab_test is not None:
            return tuple(variant.template_id for variant in self.ab_test.variants)
        return () if self.template_id is None else (self.template_id,)

    def variant_sent(self, customer_id: str) -> str | None:
        """The variant a customer of the campaign was sent (``None`` without an A/B test):
        the assignment is a hash of the ids, so it is known without reading the message."""
        if self.ab_test is None:
            return None
        variant = self.ab_test.assign(self.id, customer_id)
        return variant.key if variant is not None else self.winner_variant


def campaign_sort_key(view: CampaignView) -> SortKey:
    return SortKey(view.created_at, view.id)


class CampaignRepository(Protocol):
    """``uow.campaigns``: loaded for change, saved on commit (stale writes refused)."""

    def add(self, campaign: Campaign) -> None: ...

    def get(self, campaign_id: str) -> Campaign | None: ...


class CampaignReader(Protocol):
    def get(self, campaign_id: str) -> CampaignView | None: ...

    def get_many(self, campaign_ids: Collection[str]) -> Mapping[str, CampaignView]: ...

    def slice(
        self,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[CampaignView]:
        """Campaigns newest first (then by id, descending), strictly between the keys."""
        ...

    def count(self) -> int: ...

    def unsent_message_ids(self, campaign_id: str) -> list[str]:
        """The campaign's messages still waiting in the outbox (queued or held back)."""
        ...


class SegmentAudience(Protocol):
    """Who is in a segment now: a dynamic segment's rule evaluated at the moment of asking
    (never a stored or cached membership), a static segment's frozen list."""

    def members(self, segment_id: str) -> Sequence[str]:
        """The active members' ids, sorted; empty for a segment that does not exist."""
        ...


class CampaignsUnitOfWork(UnitOfWork, Protocol):
    @property
    def campaigns(self) -> CampaignRepository: ...
    @property
    def messages(self) -> MessageRepository: ...


class CampaignsUnitOfWorkFactory(Protocol):
    def __call__(self) -> CampaignsUnitOfWork: ...
