"""The SQL unit of work: one session, one transaction, events into the outbox on commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from adapters.persistence.access import SqlRoleRepository, SqlShareRepository, SqlTeamRepository
from adapters.persistence.activities import SqlActivityRepository
from adapters.persistence.behaviour import SqlTrackedEventLog
from adapters.persistence.companies import SqlCompanyRepository
from adapters.persistence.custom_fields import SqlCustomFieldDefinitionRepository
from adapters.persistence.customer_lookup import SqlCustomerLookup
from adapters.persistence.integrity import taken_error
from adapters.persistence.lifecycle import SqlLifecycleRepository
from adapters.persistence.orders import SqlOrderRepository
from adapters.persistence.outbox import store_events
from adapters.persistence.pipeline import (
    SqlAutomationRules,
    SqlLeadRepository,
    SqlOpportunityRepository,
    SqlPipelineRepository,
    SqlPurchases,
    SqlSalesTeamRepository,
    SqlTaskRepository,
)
from adapters.persistence.repositories import (
    SqlApiKeyRepository,
    SqlCustomerRepository,
    SqlUserRepository,
)
from adapters.persistence.scheduling import SqlTimers
from adapters.persistence.segments import SqlSegments
from adapters.persistence.tags import SqlTags
from adapters.persistence.timeline import SqlTimeline
from adapters.persistence.transaction import SqlTransaction
from adapters.transaction import repository
from application.errors import StaleVersion
from application.ports import EventPublisher
from application.unit_of_work import UnitOfWork


class SqlUnitOfWork:
    """Each repository is built from the transaction's session when first used."""

    customers = repository(SqlCustomerRepository)
    companies = repository(SqlCompanyRepository)
    custom_fields = repository(SqlCustomFieldDefinitionRepository)
    users = repository(SqlUserRepository)
    api_keys = repository(SqlApiKeyRepository)
    teams = repository(SqlTeamRepository)
    roles = repository(SqlRoleRepository)
    record_shares = repository(SqlShareRepository)
    orders = repository(SqlOrderRepository)
    customer_lookup = repository(SqlCustomerLookup)
    activities = repository(SqlActivityRepository)
    tracked_events = repository(SqlTrackedEventLog)
    timeline = repository(SqlTimeline)
    tags = repository(SqlTags)
    lifecycle = repository(SqlLifecycleRepository)
    timers = repository(SqlTimers)
    segments = repository(SqlSegments)
    pipelines = repository(SqlPipelineRepository)
    opportunities = repository(SqlOpportunityRepository)
    leads = repository(SqlLeadRepository)
    sales_teams = repository(SqlSalesTeamRepository)
    tasks = repository(SqlTaskRepository)
    automation_rules = repository(SqlAutomationRules)
    purchases = repository(SqlPurchases)

    def __init__(self, sessions: sessionmaker[Session], publisher: EventPublisher) -> None:
        self._sessions = sessions
        self._publisher = publisher

    def __enter__(self) -> Self:
        self.transaction = SqlTransaction(self._sessions())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed; unlike rollback() it leaves
        # loaded aggregates readable after the block.
        self.transaction.session.close()

    def commit(self) -> None:
        events = self.transaction.take_events()
        session = self.transaction.session
        try:
            self.transaction.flush()
            store_events(session, events)
            session.commit()
        except (StaleDataError, StaleVersion):
            session.rollback()
            raise StaleVersion() from None
        except IntegrityError as error:
            session.rollback()
            taken = taken_error(error)
            if taken is None:
                raise
            raise taken from error
        self._publisher.publish(events)

    def flush(self) -> None:
        self.transaction.flush()

    def rollback(self) -> None:
        self.transaction.session.rollback()


def _keeps_the_protocol(unit: SqlUnitOfWork) -> UnitOfWork:
    """Never called: here the type checker compares the class with the protocol."""
    return unit
