"""Customers: create, change, archive, list, import and merge."""

from dependency_injector import containers, providers

from adapters.files.customer_import import CustomerFileImporter
from application.customers.bundle import Customers
from application.customers.commands import (
    ArchiveCustomer,
    CreateCustomer,
    CreateCustomersInBulk,
    UpdateCustomer,
)
from application.customers.importing import ImportCustomers
from application.customers.merging import FindDuplicateCandidates, MergeCustomers
from application.customers.queries import GetCustomers, ListCustomers
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    import_rows = use_case(ImportCustomers, platform, storage, parser=platform.contact_parser)
    bundle = providers.Singleton(
        Customers,
        create=use_case(CreateCustomer, platform, storage, parser=platform.contact_parser),
        create_in_bulk=use_case(
            CreateCustomersInBulk, platform, storage, parser=platform.contact_parser
        ),
        update=use_case(UpdateCustomer, platform, storage, parser=platform.contact_parser),
        archive=use_case(ArchiveCustomer, platform, storage),
        get=use_case(GetCustomers, platform, storage, reader=storage.customer_reader),
        list=use_case(
            ListCustomers,
            platform,
            storage,
            reader=storage.customer_reader,
            definitions=storage.custom_field_reader,
        ),
        import_rows=import_rows,
        import_file=providers.Singleton(CustomerFileImporter, rows=import_rows),
        find_duplicates=use_case(
            FindDuplicateCandidates, platform, storage, reader=storage.customer_reader
        ),
        merge=use_case(MergeCustomers, platform, storage),
    )
