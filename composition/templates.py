"""Message templates: saved checked, previewed for a customer, rendered for the sender."""

from dependency_injector import containers, providers

from adapters.memory.store import InMemoryStore
from adapters.memory.templates import (
    InMemoryTemplateReader,
    InMemoryTemplateShelf,
    InMemoryTemplatesUnitOfWork,
)
from adapters.persistence.database import Database
from adapters.persistence.templates import SqlTemplateReader, SqlTemplatesUnitOfWork
from adapters.templating.jinja import JinjaTemplateEngine
from application.campaigns.template_context import PreviewFactsReader
from application.campaigns.templates import (
    ArchiveTemplate,
    CompiledTemplates,
    CreateTemplate,
    PreviewTemplate,
    ReadTemplates,
    RenderMessage,
    Templates,
    UpdateTemplate,
)


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency(instance_of=Database)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(
        SqlTemplatesUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    template_reader = providers.Singleton(SqlTemplateReader, database.provided.reader)


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)
    publisher: providers.Dependency[object] = providers.Dependency()
    shelf = providers.Singleton(InMemoryTemplateShelf, store)
    unit_of_work = providers.Factory(
        InMemoryTemplatesUnitOfWork, store=store, publisher=publisher, shelf=shelf
    )
    template_reader = providers.Singleton(InMemoryTemplateReader, shelf)


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()

    engine = providers.Singleton(JinjaTemplateEngine)
    compiled = providers.Singleton(CompiledTemplates, engine=engine)
    bundle = providers.Singleton(
        Templates,
        create=providers.Singleton(
            CreateTemplate,
            uow=ports.unit_of_work.provider,
            engine=engine,
            definitions=storage.custom_field_reader,
            clock=platform.clock,
            ids=platform.ids,
        ),
        update=providers.Singleton(
            UpdateTemplate,
            uow=ports.unit_of_work.provider,
            engine=engine,
            definitions=storage.custom_field_reader,
            clock=platform.clock,
        ),
        archive=providers.Singleton(
            ArchiveTemplate, uow=ports.unit_of_work.provider, clock=platform.clock
        ),
        read=providers.Singleton(ReadTemplates, reader=ports.template_reader),
        preview=providers.Singleton(
            PreviewTemplate,
            reader=ports.template_reader,
            compiled=compiled,
            facts=providers.Singleton(
                PreviewFactsReader,
                customers=storage.customer_reader,
                companies=storage.company_reader,
                orders=storage.order_reader,
            ),
        ),
        render=providers.Singleton(RenderMessage, reader=ports.template_reader, compiled=compiled),
    )
