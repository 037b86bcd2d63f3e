"""Campaigns in memory, with the transaction semantics of the SQL adapter."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from adapters.memory.messages import InMemoryMessageRepository
from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.transaction import repository
from application.campaigns.campaign_ports import NEWEST_FIRST, CampaignView
from application.pagination import MemoryOrder, SortKey, read_time, slice_in_memory
from domain.campaigns.campaign import Campaign
from domain.campaigns.messages import MessageStatus

_WAITING = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


class InMemoryCampaignRepository:
    """``uow.campaigns``: copies out of the store, version-checked and written on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self.staged = Staged(transaction, transaction.store.campaigns)

    def add(self, campaign: Campaign) -> None:
        self.staged.add(campaign)

    def get(self, campaign_id: str) -> Campaign | None:
        return self.staged.get(campaign_id)


class InMemoryCampaignsUnitOfWork(InMemoryUnitOfWork):
    campaigns = repository(InMemoryCampaignRepository)
    messages = repository(InMemoryMessageRepository)


NEWEST_FIRST_ORDER: MemoryOrder[CampaignView] = MemoryOrder(
    name=NEWEST_FIRST,
    value_of=lambda view: view.created_at,
    id_of=lambda view: view.id,
    read=read_time,
    descending=True,
)


class InMemoryCampaignReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _views(self) -> list[CampaignView]:
        with self._store.lock:
            return [CampaignView.of(campaign) for campaign in self._store.campaigns.values()]

    def get(self, campaign_id: str) -> CampaignView | None:
        with self._store.lock:
            campaign = self._store.campaigns.get(campaign_id)
            return None if campaign is None else CampaignView.of(campaign)

    def get_many(self, campaign_ids: Collection[str]) -> Mapping[str, CampaignView]:
        with self._store.lock:
            found = (self._store.campaigns.get(campaign_id) for campaign_id in campaign_ids)
            return {c.id: CampaignView.of(c) for c in found if c is not None}

    def slice(
        self,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[CampaignView]:
        return slice_in_memory(
            self._views(),
            NEWEST_FIRST_ORDER,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def count(self) -> int:
        with self._store.lock:
            return len(self._store.campaigns)

    def unsent_message_ids(self, campaign_id: str) -> list[str]:
        with self._store.lock:
            return sorted(
                message.id
                for message in self._store.messages.values()
                if message.source.campaign_id == campaign_id and message.status in _WAITING
            )
