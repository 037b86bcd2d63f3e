"""The campaigns' storage contract: what memory, SQLite and PostgreSQL all hold to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from attrs import frozen
from dependency_injector import providers

from adapters.messaging.in_process import ALL_EVENTS
from application.campaigns.campaign_ports import CampaignReader, CampaignsUnitOfWorkFactory
from application.campaigns.campaigns import ReadCampaigns
from application.errors import StaleVersion
from application.pagination import PageRequest
from application.principal import Principal
from composition import campaigns
from composition.storage import MemoryStorage
from domain.campaigns.ab_test import AbTest, Variant, WinnerMetric
from domain.campaigns.campaign import Campaign, CampaignStatus
from domain.campaigns.channels import Channel
from domain.events import DomainEvent
from tests.contracts.backend import StorageBackend

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@frozen
class CampaignStorage:
    uow: CampaignsUnitOfWorkFactory
    reader: CampaignReader
    concurrent_writers: bool
    backend: StorageBackend


@pytest.fixture
def campaign_storage(request: pytest.FixtureRequest, backend: StorageBackend) -> CampaignStorage:
    """The campaigns' ports on the storage adapter ``backend`` is."""
    publisher = providers.Object(backend.bus)
    ports: campaigns.SqlPorts | campaigns.MemoryPorts
    if backend.name == "memory":
        storage = MemoryStorage(publisher=publisher)
        ports = campaigns.MemoryPorts(store=storage.store, publisher=publisher)
    else:
        database = request.getfixturevalue(f"{backend.name}_database")
        ports = campaigns.SqlPorts(database=providers.Object(database), publisher=publisher)
    return CampaignStorage(
        uow=ports.unit_of_work,
        reader=ports.campaign_reader(),
        concurrent_writers=backend.concurrent_writers,
        backend=backend,
    )


AB_TEST = AbTest(
    variants=(Variant("A", "t-a", 60), Variant("B", "t-b", 40)),
    test_share_percent=20,
    metric=WinnerMetric.CLICK_RATE,
    confidence=0.9,
    wait=timedelta(hours=2),
)


def _campaign(
    campaign_id: str,
    *,
    at: datetime = AT,
    ab_test: AbTest | None = None,
    throttle: int | None = None,
) -> Campaign:
    return Campaign.create(
        id=campaign_id,
        name=f"Spring {campaign_id}",
        segment_id="s-1",
        channel=Channel.EMAIL,
        template_id=None if ab_test else "t-1",
        ab_test=ab_test,
        throttle_per_second=throttle,
        at=at,
        by="u-1",
    )


def _add(storage: CampaignStorage, *added: Campaign) -> None:
    with storage.uow() as uow:
        for campaign in added:
            uow.campaigns.add(campaign)
        uow.commit()


class CampaignStorageContract:
    def test_an_added_campaign_reads_back_whole(self, campaign_storage: CampaignStorage) -> None:
        _add(campaign_storage, _campaign("c-1", throttle=50), _campaign("c-2", ab_test=AB_TEST))
        one = campaign_storage.reader.get("c-1")
        assert one is not None
        assert (one.name, one.segment_id, one.channel, one.template_id, one.ab_test) == (
            "Spring c-1",
            "s-1",
            Channel.EMAIL,
            "t-1",
            None,
        )
        assert (one.throttle_per_second, one.status, one.created_at, one.created_by) == (
            50,
            CampaignStatus.DRAFT,
            AT,
            "u-1",
        )
        tested = campaign_storage.reader.get("c-2")
        assert tested is not None and tested.ab_test == AB_TEST
        assert tested.template_ids == ("t-a", "t-b")
        assert campaign_storage.reader.get("c-3") is None
        assert set(campaign_storage.reader.get_many(["c-1", "c-3", "c-2"])) == {"c-1", "c-2"}

    def test_a_campaign_rolls_back_uncommitted_work_by_default(
        self, campaign_storage: CampaignStorage
    ) -> None:
        with campaign_storage.uow() as uow:
            uow.campaigns.add(_campaign("c-1"))
        assert campaign_storage.reader.get("c-1") is None
        assert campaign_storage.reader.count() == 0

    def test_campaign_changes_are_saved_with_their_events(
        self, campaign_storage: CampaignStorage
    ) -> None:
        _add(campaign_storage, _campaign("c-1", ab_test=AB_TEST))
        published: list[DomainEvent] = []
        campaign_storage.backend.bus.subscribe(ALL_EVENTS, published.append)
        later = AT + timedelta(hours=1)
        with campaign_storage.uow() as uow:
            campaign = uow.campaigns.get("c-1")
            assert campaign is not None
            campaign.schedule(later, AT, "u-1")
            uow.commit()
        with campaign_storage.uow() as uow:
            campaign = uow.campaigns.get("c-1")
            assert campaign is not None
            campaign.start(later, "system")
            campaign.test_sent(later)
            uow.commit()
        with campaign_storage.uow() as uow:
            campaign = uow.campaigns.get("c-1")
            assert campaign is not None
            campaign.winner_chosen("B", later + timedelta(hours=2))
            uow.commit()
        view = campaign_storage.reader.get("c-1")
        assert view is not None
        assert (view.status, view.scheduled_at, view.started_at, view.test_sent_at) == (
            CampaignStatus.SENDING,
            later,
            later,
            later,
        )
        assert (view.winner_variant, view.winner_chosen_at) == ("B", later + timedelta(hours=2))
        assert view.version == 5
        assert [event.event_type for event in published] == [
            "rapport.campaign.scheduled.v1",
            "rapport.campaign.started.v1",
        ]

    def test_a_stale_campaign_change_is_refused(self, campaign_storage: CampaignStorage) -> None:
        if not campaign_storage.concurrent_writers:
            pytest.skip("this storage serialises writers, so two writes cannot interleave")
        _add(campaign_storage, _campaign("c-1"))
        with campaign_storage.uow() as late:
            stale = late.campaigns.get("c-1")
            assert stale is not None
            with campaign_storage.uow() as first:
                winner = first.campaigns.get("c-1")
                assert winner is not None
                winner.cancel(AT)
                first.commit()
            stale.schedule(None, AT, "u-1")
            with pytest.raises(StaleVersion):
                late.commit()
        view = campaign_storage.reader.get("c-1")
        assert view is not None and view.status is CampaignStatus.CANCELLED

    def test_campaign_lists_page_newest_first(self, campaign_storage: CampaignStorage) -> None:
        _add(
            campaign_storage,
            *(_campaign(f"c-{n}", at=AT + timedelta(minutes=n % 3)) for n in range(7)),
        )
        read = ReadCampaigns(campaign_storage.reader)
        actor = Principal.system()
        seen: list[str] = []
        after = None
        while True:
            page = read.list(actor, PageRequest(first=3, after=after))
            seen += [edge.node.id for edge in page.edges]
            if not page.has_next_page:
                break
            after = page.edges[-1].cursor
        # Newest first; the same moment by id, descending.
        assert seen == ["c-5", "c-2", "c-4", "c-1", "c-6", "c-3", "c-0"]
        assert read.count(actor) == 7
        last = read.list(actor, PageRequest(last=2))
        assert [edge.node.id for edge in last.edges] == ["c-3", "c-0"]
