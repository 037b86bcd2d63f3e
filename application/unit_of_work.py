"""The unit of work: one transaction over the repositories, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from application.access.ports import (
    ApiKeyRepository,
    RoleRepository,
    ShareRepository,
    TeamRepository,
    UserRepository,
)
from application.activities.ports import ActivityRepository
from application.behaviour.ports import TrackedEventLog
from application.companies.ports import CompanyRepository
from application.custom_fields.ports import CustomFieldDefinitionRepository
from application.customers.lookup import CustomerLookup
from application.customers.ports import CustomerRepository
from application.lifecycle.ports import LifecycleRepository
from application.orders.ports import OrderRepository
from application.pipeline.ports import (
    AutomationRuleRepository,
    LeadRepository,
    OpportunityRepository,
    PipelineRepository,
    ProductPurchases,
    SalesTeamRepository,
    TaskRepository,
)
from application.scheduling.ports import TimerBook
from application.segments.ports import SegmentRepository
from application.tags.ports import TagRepository
from application.timeline.ports import TimelineEntries


class UnitOfWork(Protocol):
    """``with uow:`` opens a transaction; leaving it without ``commit()`` rolls back.

    ``commit()`` stores the events recorded by the aggregates it saw in the outbox, in the
    same transaction as the change, and hands them to in-process subscribers afterwards.
    The repositories are read-only: a transaction builds its own.
    """

    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def companies(self) -> CompanyRepository: ...
    @property
    def custom_fields(self) -> CustomFieldDefinitionRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def api_keys(self) -> ApiKeyRepository: ...
    @property
    def teams(self) -> TeamRepository: ...
    @property
    def roles(self) -> RoleRepository: ...
    @property
    def record_shares(self) -> ShareRepository: ...
    @property
    def orders(self) -> OrderRepository: ...
    @property
    def customer_lookup(self) -> CustomerLookup: ...
    @property
    def activities(self) -> ActivityRepository: ...
    @property
    def tracked_events(self) -> TrackedEventLog: ...
    @property
    def timeline(self) -> TimelineEntries: ...
    @property
    def tags(self) -> TagRepository: ...
    @property
    def lifecycle(self) -> LifecycleRepository: ...
    @property
    def timers(self) -> TimerBook: ...
    @property
    def segments(self) -> SegmentRepository: ...
    @property
    def pipelines(self) -> PipelineRepository: ...
    @property
    def opportunities(self) -> OpportunityRepository: ...
    @property
    def leads(self) -> LeadRepository: ...
    @property
    def sales_teams(self) -> SalesTeamRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def automation_rules(self) -> AutomationRuleRepository: ...
    @property
    def purchases(self) -> ProductPurchases: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def flush(self) -> None:
        """Send pending changes to the database, uncommitted, so that later ones see them."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
