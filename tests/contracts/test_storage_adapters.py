"""Every storage adapter (in-memory, SQLite, PostgreSQL) against the same contracts."""

from tests.contracts.access import AccessReaderContract, AccessRepositoryContract
from tests.contracts.activities import ActivityRepositoryContract, CustomerLookupContract
from tests.contracts.behaviour import TrackedEventLogContract
from tests.contracts.companies import CompanyReaderContract, CompanyRepositoryContract
from tests.contracts.custom_field_queries import CustomFieldQueryContract
from tests.contracts.custom_field_storage import CustomFieldStorageContract
from tests.contracts.custom_fields import CustomFieldDefinitionContract
from tests.contracts.customers import (
    CustomerReaderContract,
    CustomerRepositoryContract,
    CustomerSegmentAndStageFilterContract,
    UnitOfWorkContract,
)
from tests.contracts.lifecycle import LifecycleContract, OrderFactsContract
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

__all__ = ["template_storage"]


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
):
    """The ``backend`` fixture of tests/conftest.py runs each test on every adapter."""
