"""Privacy: exporting everything held about a customer, and erasing them."""

from dependency_injector import containers, providers

from adapters.memory.privacy import (
    InMemoryPersonalDataReader,
    InMemoryPrivacyUnitOfWork,
    NoCompaction,
)
from adapters.memory.store import InMemoryStore
from adapters.persistence.database import Database
from adapters.persistence.privacy import (
    SqlPersonalDataReader,
    SqlPrivacyUnitOfWork,
    SqlStorageCompaction,
)
from application.audit.bundle import Audit
from application.principal import Principal
from application.privacy.bundle import Privacy
from application.privacy.commands import AuditRedaction, EraseCustomer, ExportCustomerData


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency(instance_of=Database)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(
        SqlPrivacyUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    personal_data_reader = providers.Singleton(SqlPersonalDataReader, database.provided.reader)
    compaction = providers.Singleton(SqlStorageCompaction, database.provided.writer)


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(InMemoryPrivacyUnitOfWork, store=store, publisher=publisher)
    personal_data_reader = providers.Singleton(InMemoryPersonalDataReader, store)
    compaction = providers.Singleton(NoCompaction)


def audit_redaction(audit: Audit) -> AuditRedaction:
    """An erased person's before and after values taken out of the audit log."""

    def redact(object_type: str, object_id: str) -> None:
        audit.redact.person(Principal.system(), object_id)

    return redact


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()
    audit = providers.Dependency(instance_of=Audit)

    bundle = providers.Singleton(
        Privacy,
        erase=providers.Singleton(
            EraseCustomer,
            uow=ports.unit_of_work.provider,
            clock=platform.clock,
            compaction=ports.compaction,
            redact_audit=providers.Callable(audit_redaction, audit),
        ),
        export=providers.Singleton(
            ExportCustomerData,
            uow=ports.unit_of_work.provider,
            reader=ports.personal_data_reader,
            clock=platform.clock,
        ),
    )
