"""The SQL unit of work: one session, one transaction, events into the outbox on commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

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
from application.errors import StaleVersion
from application.ports import EventPublisher
from domain.activities import Activity
from domain.companies import Company
from domain.custom_fields import CustomFieldDefinition
from domain.customers import Customer
from domain.events import DomainEvent
from domain.lifecycle import CustomerLifecycle
from domain.orders import Order
from domain.pipeline import Lead, Opportunity, Task


class SqlUnitOfWork:
    def __init__(self, sessions: sessionmaker[Session], publisher: EventPublisher) -> None:
        self._sessions = sessions
        self._publisher = publisher

    def __enter__(self) -> Self:
        self._session = self._sessions()
        self.customers = SqlCustomerRepository(self._session)
        self.companies = SqlCompanyRepository(self._session)
        self.custom_fields = SqlCustomFieldDefinitionRepository(self._session)
        self.users = SqlUserRepository(self._session)
        self.api_keys = SqlApiKeyRepository(self._session)
        self.orders = SqlOrderRepository(self._session)
        self.customer_lookup = SqlCustomerLookup(self._session)
        self.activities = SqlActivityRepository(self._session)
        self.tracked_events = SqlTrackedEventLog(self._session)
        self.timeline = SqlTimeline(self._session)
        self.tags = SqlTags(self._session)
        self.lifecycle = SqlLifecycleRepository(self._session)
        self.timers = SqlTimers(self._session)
        self.segments = SqlSegments(self._session)
        self.pipelines = SqlPipelineRepository(self._session)
        self.opportunities = SqlOpportunityRepository(self._session)
        self.leads = SqlLeadRepository(self._session)
        self.sales_teams = SqlSalesTeamRepository(self._session)
        self.tasks = SqlTaskRepository(self._session)
        self.automation_rules = SqlAutomationRules(self._session)
        self.purchases = SqlPurchases(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed; unlike rollback() it leaves
        # loaded aggregates readable after the block.
        self._session.close()

    def commit(self) -> None:
        events = self._take_events()
        try:
            self.customers.flush()
            self.orders.flush()
            self.lifecycle.flush()
            self.segments.flush()
            self._flush_pipeline()
            store_events(self._session, events)
            self._session.commit()
        except (StaleDataError, StaleVersion):
            self._session.rollback()
            raise StaleVersion() from None
        except IntegrityError as error:
            self._session.rollback()
            taken = taken_error(error)
            if taken is None:
                raise
            raise taken from error
        self._publisher.publish(events)

    def flush(self) -> None:
        self.customers.flush()
        self.orders.flush()
        self._session.flush()
        self.lifecycle.flush()
        self.segments.flush()
        self._flush_pipeline()

    def _flush_pipeline(self) -> None:
        self.opportunities.flush()
        self.leads.rows.flush()
        self.sales_teams.rows.flush()
        self.tasks.rows.flush()

    def rollback(self) -> None:
        self._session.rollback()

    def _take_events(self) -> list[DomainEvent]:
        recorders: list[
            Customer
            | Order
            | Company
            | CustomFieldDefinition
            | Activity
            | CustomerLifecycle
            | Opportunity
            | Lead
            | Task
        ] = [
            *self.customers.seen,
            *self.orders.seen,
            *self.companies.seen,
            *self.custom_fields.seen,
            *self.activities.seen,
            *self.lifecycle.seen.values(),
            *self.opportunities.seen,
            *self.leads.rows.seen.values(),
            *self.tasks.rows.seen.values(),
        ]
        seen = {id(aggregate): aggregate for aggregate in recorders}.values()
        events = [event for aggregate in seen for event in aggregate.events]
        events.extend(self.tags.take_events())
        events.extend(self.segments.take_events())
        for aggregate in seen:
            aggregate.events.clear()
        events.sort(key=lambda event: event.occurred_at)
        return events
