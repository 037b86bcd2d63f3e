"""Every storage adapter (in-memory, SQLite, PostgreSQL) against the same contracts."""

import pytest
from dependency_injector import providers

from adapters.messaging.in_process import InProcessEventBus
from composition import consent, journeys, messages
from composition.storage import MemoryStorage
from tests.conftest import STORAGE_KINDS, memory_backend, sql_backend
from tests.contracts.access import AccessReaderContract, AccessRepositoryContract
from tests.contracts.activities import ActivityRepositoryContract, CustomerLookupContract
from tests.contracts.behaviour import TrackedEventLogContract
from tests.contracts.campaigns import CampaignStorageContract, campaign_storage
from tests.contracts.companies import CompanyReaderContract, CompanyRepositoryContract
from tests.contracts.consent import ConsentBackend, ConsentContract
from tests.contracts.custom_field_queries import CustomFieldQueryContract
from tests.contracts.custom_field_storage import CustomFieldStorageContract
from tests.contracts.custom_fields import CustomFieldDefinitionContract
from tests.contracts.customers import (
    CustomerReaderContract,
    CustomerRepositoryContract,
    CustomerSegmentAndStageFilterContract,
    UnitOfWorkContract,
)
from tests.contracts.journeys import JourneysBackend, JourneysContract
from tests.contracts.lifecycle import LifecycleContract, OrderFactsContract
from tests.contracts.messages import MessagesBackend, MessagesContract
from tests.contracts.orders import (
    CompanyOrdersContract,
    ExternalIdContract,
    MergeContract,
    OrderRepositoryContract,
    OrderStatsContract,
)
from tests.contracts.pipeline import (
    PipelineContract,
    PipelineMergeContract,
    PipelineUseCaseContract,
)
from tests.contracts.pipeline_visibility import PipelineVisibilityContract
from tests.contracts.segments import SegmentContract
from tests.contracts.tags import TagContract
from tests.contracts.templates import TemplateStorageContract, template_storage
from tests.contracts.timeline import TimelineContract
from tests.contracts.visibility import (
    CompanyVisibilityContract,
    CredentialReachContract,
    VisibilityContract,
)

__all__ = ["campaign_storage", "template_storage"]


class TestStorageAdapters(
    CustomerRepositoryContract,
    UnitOfWorkContract,
    CustomerReaderContract,
    CustomerSegmentAndStageFilterContract,
    AccessRepositoryContract,
    AccessReaderContract,
    OrderRepositoryContract,
    ExternalIdContract,
    MergeContract,
    CompanyOrdersContract,
    OrderStatsContract,
    CustomFieldDefinitionContract,
    CustomFieldQueryContract,
    CustomFieldStorageContract,
    CompanyRepositoryContract,
    CompanyReaderContract,
    ActivityRepositoryContract,
    CustomerLookupContract,
    TrackedEventLogContract,
    TimelineContract,
    TagContract,
    LifecycleContract,
    OrderFactsContract,
    SegmentContract,
    PipelineContract,
    PipelineMergeContract,
    PipelineUseCaseContract,
    PipelineVisibilityContract,
    VisibilityContract,
    CompanyVisibilityContract,
    CredentialReachContract,
    TemplateStorageContract,
    CampaignStorageContract,
):
    """The ``backend`` fixture of tests/conftest.py runs each test on every adapter."""


@pytest.fixture(params=STORAGE_KINDS)
def consent_backend(request: pytest.FixtureRequest, bus: InProcessEventBus) -> ConsentBackend:
    """The consent module's own ports over each storage, beside the shared ones."""
    publisher = providers.Object(bus)
    ports: consent.SqlPorts | consent.MemoryPorts
    if request.param == "memory":
        storage = MemoryStorage(publisher=publisher)
        backend = memory_backend(bus, storage)
        ports = consent.MemoryPorts(store=storage.store, publisher=publisher)
    else:
        database = request.getfixturevalue(f"{request.param}_database")
        backend = sql_backend(request.param, database, bus)
        ports = consent.SqlPorts(database=providers.Object(database), publisher=publisher)
    return ConsentBackend(
        storage=backend,
        uow=ports.unit_of_work,
        reader=ports.consent_reader(),
        secrets=ports.secrets(),
    )


class TestConsentStorage(ConsentContract):
    @pytest.fixture
    def consent(self, consent_backend: ConsentBackend) -> ConsentBackend:
        return consent_backend


@pytest.fixture(params=STORAGE_KINDS)
def messages_backend(request: pytest.FixtureRequest, bus: InProcessEventBus) -> MessagesBackend:
    """The messages module's own ports over each storage, beside the shared ones."""
    publisher = providers.Object(bus)
    ports: messages.SqlPorts | messages.MemoryPorts
    if request.param == "memory":
        storage = MemoryStorage(publisher=publisher)
        backend = memory_backend(bus, storage)
        ports = messages.MemoryPorts(store=storage.store, publisher=publisher)
    else:
        database = request.getfixturevalue(f"{request.param}_database")
        backend = sql_backend(request.param, database, bus)
        ports = messages.SqlPorts(database=providers.Object(database), publisher=publisher)
    return MessagesBackend(
        storage=backend,
        uow=ports.unit_of_work,
        reader=ports.message_reader(),
        stats=ports.message_stats(),
    )


class TestMessageStorage(MessagesContract):
    @pytest.fixture
    def messages(self, messages_backend: MessagesBackend) -> MessagesBackend:
        return messages_backend


@pytest.fixture(params=STORAGE_KINDS)
def journeys_backend(request: pytest.FixtureRequest, bus: InProcessEventBus) -> JourneysBackend:
    """The journeys module's own ports over each storage, beside the shared ones."""
    publisher = providers.Object(bus)
    ports: journeys.SqlPorts | journeys.MemoryPorts
    if request.param == "memory":
        storage = MemoryStorage(publisher=publisher)
        backend = memory_backend(bus, storage)
        ports = journeys.MemoryPorts(store=storage.store, publisher=publisher)
    else:
        database = request.getfixturevalue(f"{request.param}_database")
        backend = sql_backend(request.param, database, bus)
        ports = journeys.SqlPorts(database=providers.Object(database), publisher=publisher)
    return JourneysBackend(
        storage=backend,
        uow=ports.unit_of_work,
        reader=ports.journey_reader(),
        facts=ports.journey_facts(),
    )


class TestJourneyStorage(JourneysContract):
    @pytest.fixture
    def journeys(self, journeys_backend: JourneysBackend) -> JourneysBackend:
        return journeys_backend
