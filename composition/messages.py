"""Messages: the outbox storage, the dispatcher that sends what is due, engagement tracking."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.memory.messages import (
    InMemoryMessageReader,
    InMemoryMessageStats,
    InMemoryMessagesUnitOfWork,
)
from adapters.memory.store import InMemoryStore
from adapters.persistence.database import Database
from adapters.persistence.messages import (
    SqlMessageReader,
    SqlMessageStats,
    SqlMessagesUnitOfWork,
)


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency(instance_of=Database)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(
        SqlMessagesUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    message_reader = providers.Singleton(SqlMessageReader, database.provided.reader)
    message_stats = providers.Singleton(SqlMessageStats, database.provided.reader)


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(InMemoryMessagesUnitOfWork, store=store, publisher=publisher)
    message_reader = providers.Singleton(InMemoryMessageReader, store)
    message_stats = providers.Singleton(InMemoryMessageStats, store)
