"""The composition root: reads configuration once and wires adapters to ports."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from attrs import frozen
from dependency_injector import containers, providers
from starlette.applications import Starlette

from adapters.clock import SystemClock
from adapters.demo.seeding import DemoServices
from adapters.graphql.app import create_app
from adapters.graphql.context import Services
from adapters.ids import UuidV7Generator
from adapters.memory.companies import InMemoryCompanyReader
from adapters.memory.custom_fields import InMemoryCustomFieldDefinitionReader
from adapters.memory.readers import (
    InMemoryCredentialReader,
    InMemoryCustomerReader,
    InMemoryOrderReader,
    InMemoryUserReader,
)
from adapters.memory.store import InMemoryStore
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.messaging.in_process import InProcessEventBus
from adapters.persistence.companies import SqlCompanyReader
from adapters.persistence.custom_fields import SqlCustomFieldDefinitionReader
from adapters.persistence.database import open_database
from adapters.persistence.mapping import map_domain
from adapters.persistence.migrate import upgrade
from adapters.persistence.orders import SqlOrderReader
from adapters.persistence.readers import (
    SqlCredentialReader,
    SqlCustomerReader,
    SqlUserReader,
)
from adapters.persistence.unit_of_work import SqlUnitOfWork
from application.access.api_keys import AuthenticateApiKey, IssueApiKey
from application.access.users import RegisterUser
from application.companies.commands import ArchiveCompany, CreateCompany, UpdateCompany
from application.companies.queries import GetCompanies, ListCompanies
from application.custom_fields.commands import DefineCustomField
from application.custom_fields.queries import ListCustomFieldDefinitions
from application.customers.commands import (
    ArchiveCustomer,
    ContactParser,
    CreateCustomer,
    CreateCustomersInBulk,
    UpdateCustomer,
)
from application.customers.importing import ImportCustomers
from application.customers.merging import FindDuplicateCandidates, MergeCustomers
from application.customers.queries import GetCustomers, ListCustomers
from application.orders.commands import CancelOrder, MarkOrderPaid, RecordOrder, RefundOrder
from application.orders.importing import ImportOrders
from application.orders.queries import ReadOrders

PROFILES: Mapping[str, Mapping[str, Any]] = {
    "embedded": {
        "database_url": "sqlite:///rapport.db",
        "storage": "sql",
        "event_bus": "in_process",
        "graphiql": True,
    },
    "production": {
        "database_url": "postgresql://127.0.0.1/rapport",
        "storage": "sql",
        "event_bus": "in_process",
        "graphiql": False,
    },
}


@frozen
class Settings:
    """Everything configurable, from ``RAPPORT_*`` variables over the chosen profile."""

    profile: str
    database_url: str
    storage: str
    event_bus: str
    graphiql: bool
    default_phone_region: str
    host: str
    port: int
    import_workers: int = 0
    """Processes that check the rows of a file import while this one stores them."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        profile = env.get("RAPPORT_PROFILE", "embedded")
        if profile not in PROFILES:
            raise SystemExit(
                f"RAPPORT_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}"
            )
        defaults = PROFILES[profile]
        return cls(
            profile=profile,
            database_url=env.get("RAPPORT_DATABASE_URL", defaults["database_url"]),
            storage=env.get("RAPPORT_STORAGE", defaults["storage"]),
            event_bus=env.get("RAPPORT_EVENT_BUS", defaults["event_bus"]),
            graphiql=env.get("RAPPORT_GRAPHIQL", str(defaults["graphiql"])).lower()
            in ("1", "true", "yes", "on"),
            default_phone_region=env.get("RAPPORT_DEFAULT_PHONE_REGION", "US").upper(),
            host=env.get("RAPPORT_HOST", "127.0.0.1"),
            port=int(env.get("RAPPORT_PORT", "8000")),
            import_workers=int(env.get("RAPPORT_IMPORT_WORKERS", str(default_import_workers()))),
        )


def default_import_workers() -> int:
    """One core stores what the others check: every core but one, and at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


def _open_mapped_database(url: str) -> Any:
    map_domain()
    return open_database(url)


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidV7Generator)
    contact_parser = providers.Singleton(ContactParser, default_region=config.default_phone_region)

    event_bus = providers.Selector(
        config.event_bus,
        in_process=providers.Singleton(InProcessEventBus),
    )

    database = providers.Singleton(_open_mapped_database, config.database_url)
    memory_store = providers.Singleton(InMemoryStore)

    unit_of_work = providers.Selector(
        config.storage,
        sql=providers.Factory(
            SqlUnitOfWork, sessions=database.provided.sessions, publisher=event_bus
        ),
        memory=providers.Factory(InMemoryUnitOfWork, store=memory_store, publisher=event_bus),
    )
    customer_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCustomerReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCustomerReader, store=memory_store),
    )
    company_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCompanyReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCompanyReader, store=memory_store),
    )
    custom_field_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCustomFieldDefinitionReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCustomFieldDefinitionReader, store=memory_store),
    )
    user_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlUserReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryUserReader, store=memory_store),
    )

    create_customer = providers.Singleton(
        CreateCustomer, uow=unit_of_work.provider, clock=clock, ids=ids, parser=contact_parser
    )
    create_customers_in_bulk = providers.Singleton(
        CreateCustomersInBulk,
        uow=unit_of_work.provider,
        clock=clock,
        ids=ids,
        parser=contact_parser,
    )
    update_customer = providers.Singleton(
        UpdateCustomer, uow=unit_of_work.provider, clock=clock, parser=contact_parser
    )
    archive_customer = providers.Singleton(ArchiveCustomer, uow=unit_of_work.provider, clock=clock)
    get_customers = providers.Singleton(GetCustomers, reader=customer_reader)
    list_customers = providers.Singleton(
        ListCustomers, reader=customer_reader, definitions=custom_field_reader
    )
    create_company = providers.Singleton(
        CreateCompany, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    update_company = providers.Singleton(UpdateCompany, uow=unit_of_work.provider, clock=clock)
    archive_company = providers.Singleton(ArchiveCompany, uow=unit_of_work.provider, clock=clock)
    get_companies = providers.Singleton(GetCompanies, reader=company_reader)
    list_companies = providers.Singleton(
        ListCompanies, reader=company_reader, definitions=custom_field_reader
    )
    define_custom_field = providers.Singleton(
        DefineCustomField, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    list_custom_field_definitions = providers.Singleton(
        ListCustomFieldDefinitions, reader=custom_field_reader
    )
    register_user = providers.Singleton(
        RegisterUser, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    issue_api_key = providers.Singleton(
        IssueApiKey, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    credential_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCredentialReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCredentialReader, store=memory_store),
    )
    authenticate = providers.Singleton(AuthenticateApiKey, credentials=credential_reader)

    order_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlOrderReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryOrderReader, store=memory_store),
    )
    record_order = providers.Singleton(RecordOrder, uow=unit_of_work.provider, clock=clock, ids=ids)
    mark_order_paid = providers.Singleton(MarkOrderPaid, uow=unit_of_work.provider, clock=clock)
    refund_order = providers.Singleton(RefundOrder, uow=unit_of_work.provider, clock=clock)
    cancel_order = providers.Singleton(CancelOrder, uow=unit_of_work.provider, clock=clock)
    import_orders = providers.Singleton(
        ImportOrders, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    read_orders = providers.Singleton(ReadOrders, reader=order_reader)
    import_customers = providers.Singleton(
        ImportCustomers, uow=unit_of_work.provider, clock=clock, ids=ids, parser=contact_parser
    )

    find_duplicates = providers.Singleton(FindDuplicateCandidates, reader=customer_reader)
    merge_customers = providers.Singleton(MergeCustomers, uow=unit_of_work.provider, clock=clock)

    demo_services = providers.Singleton(
        DemoServices,
        register_user=register_user,
        create_customers_in_bulk=create_customers_in_bulk,
        create_company=create_company,
        define_custom_field=define_custom_field,
        list_custom_field_definitions=list_custom_field_definitions,
    )

    services = providers.Singleton(
        Services,
        create_customer=create_customer,
        update_customer=update_customer,
        archive_customer=archive_customer,
        get_customers=get_customers,
        list_customers=list_customers,
        user_reader=user_reader,
        read_orders=read_orders,
        record_order=record_order,
        mark_order_paid=mark_order_paid,
        refund_order=refund_order,
        cancel_order=cancel_order,
        import_customers=import_customers,
        find_duplicates=find_duplicates,
        merge_customers=merge_customers,
        create_company=create_company,
        update_company=update_company,
        archive_company=archive_company,
        get_companies=get_companies,
        list_companies=list_companies,
        define_custom_field=define_custom_field,
        list_custom_field_definitions=list_custom_field_definitions,
    )


def build_container(settings: Settings | None = None) -> Container:
    settings = settings or Settings.from_env()
    container = Container()
    container.config.from_dict(
        {
            "database_url": settings.database_url,
            "storage": settings.storage,
            "event_bus": settings.event_bus,
            "default_phone_region": settings.default_phone_region,
        }
    )
    return container


def shutdown(container: Container, settings: Settings) -> None:
    if settings.storage == "sql":
        container.database().dispose()


def create_asgi_app() -> Starlette:
    """The app that ``uvicorn --factory bootstrap:create_asgi_app`` serves."""
    settings = Settings.from_env()
    return asgi_app(build_container(settings), settings)


def asgi_app(container: Container, settings: Settings) -> Starlette:
    return create_app(
        container.services(),
        container.authenticate(),
        graphiql=settings.graphiql,
        on_shutdown=lambda: shutdown(container, settings),
    )


def main() -> None:
    """The ``rapport`` command."""
    from adapters.cli.main import build_cli
    from adapters.cli.runtime import CliRuntime

    def runtime() -> CliRuntime:
        settings = Settings.from_env()
        container = build_container(settings)
        return CliRuntime(
            settings_summary=f"{settings.profile} profile, {settings.database_url}",
            host=settings.host,
            port=settings.port,
            migrate=lambda: migrate(container, settings),
            issue_api_key=container.issue_api_key(),
            demo=container.demo_services(),
            list_customers=container.list_customers(),
            import_orders=container.import_orders(),
            import_customers=container.import_customers(),
            import_workers=settings.import_workers,
            get_customers=container.get_customers(),
            build_app=lambda: asgi_app(container, settings),
            app_factory="bootstrap:create_asgi_app",
            close=lambda: shutdown(container, settings),
        )

    build_cli(runtime)()


def migrate(container: Container, settings: Settings) -> str:
    if settings.storage != "sql":
        return "in-memory storage needs no migration"
    database = container.database()
    upgrade(database.writer)
    return f"database at the latest schema ({database.writer.url.render_as_string()})"
