"""Every storage adapter (in-memory, SQLite, PostgreSQL) against the same contracts."""

from tests.contracts.access import AccessRepositoryContract
from tests.contracts.customers import (
    CustomerReaderContract,
    CustomerRepositoryContract,
    UnitOfWorkContract,
)
from tests.contracts.orders import ExternalIdContract, MergeContract, OrderRepositoryContract


class TestStorageAdapters(
    CustomerRepositoryContract,
    UnitOfWorkContract,
    CustomerReaderContract,
    AccessRepositoryContract,
    OrderRepositoryContract,
    ExternalIdContract,
    MergeContract,
):
    """The ``backend`` fixture of tests/conftest.py runs each test on every adapter."""
