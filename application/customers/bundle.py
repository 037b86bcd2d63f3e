"""The customers module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.customers.commands import (
    ArchiveCustomer,
    CreateCustomer,
    CreateCustomersInBulk,
    UpdateCustomer,
)
from application.customers.file_import import ImportCustomerFile
from application.customers.importing import ImportCustomers
from application.customers.merging import FindDuplicateCandidates, MergeCustomers
from application.customers.queries import GetCustomers, ListCustomers


@frozen(kw_only=True)
class Customers:
    create: CreateCustomer
    create_in_bulk: CreateCustomersInBulk
    update: UpdateCustomer
    archive: ArchiveCustomer
    get: GetCustomers
    list: ListCustomers
    import_rows: ImportCustomers
    import_file: ImportCustomerFile
    """A whole file, read by the files adapter, with its error report."""
    find_duplicates: FindDuplicateCandidates
    merge: MergeCustomers
