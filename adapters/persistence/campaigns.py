"""Campaigns on SQL: the table, ``uow.campaigns`` in the unit of work's session, the reader."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    Row,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from adapters.persistence.campaign_tables import campaigns
from adapters.persistence.keyset import walking_order, window
from adapters.persistence.messages import SqlMessageRepository
from adapters.persistence.messages_tables import messages
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.transaction import repository
from application.campaigns.campaign_ports import CampaignView
from application.errors import AlreadyTaken, StaleVersion
from application.pagination import SortKey
from domain.campaigns.ab_test import AbTest, Variant, WinnerMetric
from domain.campaigns.campaign import Campaign, CampaignStatus
from domain.campaigns.channels import Channel
from domain.campaigns.messages import MessageStatus

_WAITING = (MessageStatus.QUEUED.value, MessageStatus.DEFERRED.value)


def _ab_test(row: Row[Any]) -> AbTest | None:
    if row.ab_variants is None:
        return None
    return AbTest(
        variants=tuple(
            Variant(v["key"], v["template_id"], int(v["weight_percent"])) for v in row.ab_variants
        ),
        test_share_percent=row.ab_test_share_percent,
        metric=WinnerMetric(row.ab_metric),
        confidence=float(row.ab_confidence),
        wait=timedelta(seconds=row.ab_wait_seconds),
    )


def _campaign(row: Row[Any]) -> Campaign:
    return Campaign(
        id=row.id,
        name=row.name,
        segment_id=row.segment_id,
        channel=Channel(row.channel),
        template_id=row.template_id,
        ab_test=_ab_test(row),
        throttle_per_second=row.throttle_per_second,
        status=CampaignStatus(row.status),
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        scheduled_at=row.scheduled_at,
        started_at=row.started_at,
        test_sent_at=row.test_sent_at,
        winner_variant=row.winner_variant,
        winner_chosen_at=row.winner_chosen_at,
        finished_at=row.finished_at,
        cancelled_at=row.cancelled_at,
        version=row.version,
    )


def _ab_values(test: AbTest | None) -> dict[str, Any]:
    if test is None:
        return {
            "ab_variants": None,
            "ab_test_share_percent": None,
            "ab_metric": None,
            "ab_confidence": None,
            "ab_wait_seconds": None,
        }
    return {
        "ab_variants": [
            {"key": v.key, "template_id": v.template_id, "weight_percent": v.weight_percent}
            for v in test.variants
        ],
        "ab_test_share_percent": test.test_share_percent,
        "ab_metric": test.metric.value,
        "ab_confidence": test.confidence,
        "ab_wait_seconds": int(test.wait.total_seconds()),
    }


def _values(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "segment_id": campaign.segment_id,
        "channel": campaign.channel.value,
        "template_id": campaign.template_id,
        **_ab_values(campaign.ab_test),
        "throttle_per_second": campaign.throttle_per_second,
        "status": campaign.status.value,
        "updated_at": campaign.updated_at,
        "scheduled_at": campaign.scheduled_at,
        "started_at": campaign.started_at,
        "test_sent_at": campaign.test_sent_at,
        "winner_variant": campaign.winner_variant,
        "winner_chosen_at": campaign.winner_chosen_at,
        "finished_at": campaign.finished_at,
        "cancelled_at": campaign.cancelled_at,
        "version": campaign.version,
    }


class SqlCampaignRepository:
    """``uow.campaigns``: added campaigns are written at once; those loaded are saved on
    flush, refused as stale when another change got there first."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._seen: dict[str, Campaign] = {}
        self._written: dict[str, int] = {}
        transaction.writes(self)

    def _track(self, campaign: Campaign) -> Campaign:
        campaign = self._transaction.saw(self._seen.setdefault(campaign.id, campaign))
        self._written.setdefault(campaign.id, campaign.version)
        return campaign

    def add(self, campaign: Campaign) -> None:
        try:
            with self._session.begin_nested():
                self._session.execute(
                    insert(campaigns).values(
                        id=campaign.id,
                        created_at=campaign.created_at,
                        created_by=campaign.created_by,
                        **_values(campaign),
                    )
                )
        except IntegrityError as error:
            raise AlreadyTaken("id", "another campaign has this id") from error
        self._track(campaign)

    def get(self, campaign_id: str) -> Campaign | None:
        if campaign_id in self._seen:
            return self._seen[campaign_id]
        row = self._session.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
        return None if row is None else self._track(_campaign(row))

    def flush(self) -> None:
        for campaign in self._seen.values():
            written = self._written[campaign.id]
            if campaign.version == written:
                continue
            changed = self._session.execute(
                update(campaigns)
                .where(campaigns.c.id == campaign.id, campaigns.c.version == written)
                .values(**_values(campaign))
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion(written)
            self._written[campaign.id] = campaign.version


class SqlCampaignsUnitOfWork(SqlUnitOfWork):
    campaigns = repository(SqlCampaignRepository)
    messages = repository(SqlMessageRepository)


def _view(row: Row[Any]) -> CampaignView:
    return CampaignView.of(_campaign(row))


class SqlCampaignReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, campaign_id: str) -> CampaignView | None:
        return self.get_many([campaign_id]).get(campaign_id)

    def get_many(self, campaign_ids: Collection[str]) -> Mapping[str, CampaignView]:
        if not campaign_ids:
            return {}
        query = select(campaigns).where(campaigns.c.id.in_(list(campaign_ids)))
        with self._engine.connect() as connection:
            return {row.id: _view(row) for row in connection.execute(query)}

    def slice(
        self,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[CampaignView]:
        table = campaigns
        conditions = window(
            table.c.created_at, table.c.id, descending=True, after=after, before=before
        )
        query = (
            select(table)
            .where(*conditions)
            .order_by(
                *walking_order(table.c.created_at, table.c.id, descending=True, from_end=from_end)
            )
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def count(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(campaigns)).scalar_one())

    def unsent_message_ids(self, campaign_id: str) -> list[str]:
        query = (
            select(messages.c.id)
            .where(
                messages.c.campaign_id == campaign_id,
                messages.c.status.in_(_WAITING),
            )
            .order_by(messages.c.id)
        )
        with self._engine.connect() as connection:
            return list(connection.execute(query).scalars())
