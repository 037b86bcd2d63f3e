"""Two storages exposing the same names: SQL (SQLite or PostgreSQL) and in memory.

The root picks one; every module reads its ports from ``storage.<name>`` whichever it is.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.memory.access import InMemoryAccessReader
from adapters.memory.activities import InMemoryActivityReader
from adapters.memory.behaviour import InMemoryBehaviourReader
from adapters.memory.companies import InMemoryCompanyReader
from adapters.memory.credentials import (
    InMemoryApiKeyReader,
    InMemoryApiKeyUsage,
    InMemoryCredentialReader,
)
from adapters.memory.custom_fields import InMemoryCustomFieldDefinitionReader
from adapters.memory.lifecycle import InMemoryLifecycleReader
from adapters.memory.pipeline_reads import (
    InMemoryBehaviourCounts,
    InMemoryLeadReader,
    InMemoryPipelineReader,
    InMemorySalesAnalyticsReader,
    InMemoryTaskReader,
)
from adapters.memory.readers import (
    InMemoryCustomerReader,
    InMemoryOrderReader,
    InMemoryUserReader,
)
from adapters.memory.scheduling import InMemoryScheduledWork
from adapters.memory.segments import InMemorySegmentFacts, InMemorySegmentReader
from adapters.memory.store import InMemoryStore
from adapters.memory.tags import InMemoryTagReader
from adapters.memory.timeline import InMemoryTimelineReader
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.memory.webhooks import InMemoryWebhookStore
from adapters.persistence.access import SqlAccessReader
from adapters.persistence.activities import SqlActivityReader
from adapters.persistence.behaviour import SqlBehaviourReader
from adapters.persistence.companies import SqlCompanyReader
from adapters.persistence.credentials import SqlApiKeyReader, SqlApiKeyUsage, SqlCredentialReader
from adapters.persistence.custom_fields import SqlCustomFieldDefinitionReader
from adapters.persistence.database import Database, open_database
from adapters.persistence.lifecycle import SqlLifecycleReader
from adapters.persistence.mapping import map_domain
from adapters.persistence.orders import SqlOrderReader
from adapters.persistence.pipeline_reads import (
    SqlBehaviourCounts,
    SqlLeadReader,
    SqlPipelineReader,
    SqlTaskReader,
)
from adapters.persistence.readers import SqlCustomerReader, SqlUserReader
from adapters.persistence.sales_analytics import SqlSalesAnalyticsReader
from adapters.persistence.scheduling import SqlScheduledWork
from adapters.persistence.segment_facts import SqlSegmentFacts
from adapters.persistence.segments import SqlSegmentReader
from adapters.persistence.tags import SqlTagReader
from adapters.persistence.timeline import SqlTimelineReader
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.persistence.webhooks import SqlWebhookStore


def open_mapped_database(url: str) -> Database:
    map_domain()
    return open_database(url)


def _dispose(database: Database) -> None:
    database.dispose()


class SqlStorage(containers.DeclarativeContainer):
    """Every port over one database; readers use the read pool, writes the write pool."""

    database_url = providers.Dependency(instance_of=str)
    publisher: providers.Dependency[object] = providers.Dependency()
    """Where a committed unit of work hands its events."""

    database = providers.Singleton(open_mapped_database, database_url)
    engine = database.provided.reader
    unit_of_work = providers.Factory(
        SqlUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    customer_reader = providers.Singleton(SqlCustomerReader, engine)
    company_reader = providers.Singleton(SqlCompanyReader, engine)
    custom_field_reader = providers.Singleton(SqlCustomFieldDefinitionReader, engine)
    user_reader = providers.Singleton(SqlUserReader, engine)
    credential_reader = providers.Singleton(SqlCredentialReader, engine)
    access_reader = providers.Singleton(SqlAccessReader, engine)
    api_key_usage = providers.Singleton(SqlApiKeyUsage, database.provided.writer)
    api_key_reader = providers.Singleton(SqlApiKeyReader, engine)
    order_reader = providers.Singleton(SqlOrderReader, engine)
    activity_reader = providers.Singleton(SqlActivityReader, engine)
    behaviour_reader = providers.Singleton(SqlBehaviourReader, engine)
    timeline_reader = providers.Singleton(SqlTimelineReader, engine)
    lifecycle_reader = providers.Singleton(SqlLifecycleReader, engine)
    tag_reader = providers.Singleton(SqlTagReader, engine)
    segment_reader = providers.Singleton(SqlSegmentReader, engine)
    segment_facts = providers.Singleton(SqlSegmentFacts, engine)
    pipeline_reader = providers.Singleton(SqlPipelineReader, engine)
    sales_analytics_reader = providers.Singleton(SqlSalesAnalyticsReader, engine)
    lead_reader = providers.Singleton(SqlLeadReader, engine)
    task_reader = providers.Singleton(SqlTaskReader, engine)
    behaviour_counts = providers.Singleton(SqlBehaviourCounts, engine)
    webhook_store = providers.Singleton(SqlWebhookStore, database.provided.writer)
    scheduled_work = providers.Singleton(SqlScheduledWork, database.provided.writer)
    close = providers.Callable(_dispose, database)


class MemoryStorage(containers.DeclarativeContainer):
    """Every port over one in-memory store: the same names as ``SqlStorage``."""

    publisher: providers.Dependency[object] = providers.Dependency()

    store = providers.Singleton(InMemoryStore)
    unit_of_work = providers.Factory(InMemoryUnitOfWork, store=store, publisher=publisher)
    customer_reader = providers.Singleton(InMemoryCustomerReader, store)
    company_reader = providers.Singleton(InMemoryCompanyReader, store)
    custom_field_reader = providers.Singleton(InMemoryCustomFieldDefinitionReader, store)
    user_reader = providers.Singleton(InMemoryUserReader, store)
    credential_reader = providers.Singleton(InMemoryCredentialReader, store)
    access_reader = providers.Singleton(InMemoryAccessReader, store)
    api_key_usage = providers.Singleton(InMemoryApiKeyUsage, store)
    api_key_reader = providers.Singleton(InMemoryApiKeyReader, store)
    order_reader = providers.Singleton(InMemoryOrderReader, store)
    activity_reader = providers.Singleton(InMemoryActivityReader, store)
    behaviour_reader = providers.Singleton(InMemoryBehaviourReader, store)
    timeline_reader = providers.Singleton(InMemoryTimelineReader, store)
    lifecycle_reader = providers.Singleton(InMemoryLifecycleReader, store)
    tag_reader = providers.Singleton(InMemoryTagReader, store)
    segment_reader = providers.Singleton(InMemorySegmentReader, store)
    segment_facts = providers.Singleton(InMemorySegmentFacts, store)
    pipeline_reader = providers.Singleton(InMemoryPipelineReader, store)
    sales_analytics_reader = providers.Singleton(InMemorySalesAnalyticsReader, store)
    lead_reader = providers.Singleton(InMemoryLeadReader, store)
    task_reader = providers.Singleton(InMemoryTaskReader, store)
    behaviour_counts = providers.Singleton(InMemoryBehaviourCounts, store)
    webhook_store = providers.Singleton(InMemoryWebhookStore)
    scheduled_work = providers.Singleton(InMemoryScheduledWork, store)
    close: providers.Object[None] = providers.Object(None)
