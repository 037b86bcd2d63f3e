"""The audit log: written by every audited operation, read by admins, purged daily."""

from dependency_injector import containers, providers

from adapters.memory.audit import InMemoryAuditJournal, InMemoryAuditLog
from adapters.memory.store import InMemoryStore
from adapters.persistence.audit import SqlAuditJournal, SqlAuditLog
from adapters.persistence.database import Database
from application.audit.bundle import Audit
from application.audit.commands import (
    AuditedAuthenticationFailures,
    PurgeAuditLog,
    RedactAuditedObject,
)
from application.audit.queries import ReadAuditLog
from application.audit.trail import AuditTrail
from composition.wiring import every
from domain.scheduling import Schedule


class SqlPorts(containers.DeclarativeContainer):
    database: providers.Dependency[Database] = providers.Dependency()
    publisher: providers.Dependency[object] = providers.Dependency()
    log = providers.Singleton(SqlAuditLog, database)
    journal = providers.Singleton(SqlAuditJournal)


class MemoryPorts(containers.DeclarativeContainer):
    store: providers.Dependency[InMemoryStore] = providers.Dependency()
    publisher: providers.Dependency[object] = providers.Dependency()
    log = providers.Singleton(InMemoryAuditLog)
    journal = providers.Singleton(InMemoryAuditJournal, log)


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()
    config = providers.Configuration()

    trail = providers.Singleton(
        AuditTrail, log=ports.log, journal=ports.journal, clock=platform.clock, ids=platform.ids
    )
    purge = providers.Singleton(
        PurgeAuditLog,
        log=ports.log,
        clock=platform.clock,
        retention_days=config.audit_retention_days.as_int(),
    )
    bundle = providers.Singleton(
        Audit,
        trail=trail,
        read=providers.Singleton(ReadAuditLog, log=ports.log),
        purge=purge,
        redact=providers.Singleton(RedactAuditedObject, log=ports.log),
        login_failures=providers.Singleton(AuditedAuthenticationFailures, trail=trail),
    )
    # At three in the morning, UTC: entries older than the policy go.
    jobs = providers.Dict({"audit-purge": every(Schedule.daily_at(3), purge)})
