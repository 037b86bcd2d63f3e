"""Every storage adapter (in-memory, SQLite, PostgreSQL) against the same contracts."""

from tests.contracts.access import AccessRepositoryContract
from tests.contracts.activities import ActivityRepositoryContract, CustomerLookupContract
from tests.contracts.behaviour import TrackedEventLogContract
from tests.contracts.customers import (
    CustomerReaderContract,
    CustomerRepositoryContract,
    UnitOfWorkContract,
)
from tests.contracts.timeline import TimelineContract


class TestStorageAdapters(
    CustomerRepositoryContract,
    UnitOfWorkContract,
    CustomerReaderContract,
    AccessRepositoryContract,
    ActivityRepositoryContract,
    CustomerLookupContract,
    TrackedEventLogContract,
    TimelineContract,
):
    """The ``backend`` fixture of tests/conftest.py runs each test on every adapter."""
