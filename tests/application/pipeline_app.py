"""The pipeline's use cases on the in-memory adapters, for the application tests."""

from __future__ import annotations

from attrs import define

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.access.users import RegisterUser
from application.customers.commands import CreateCustomer, NewCustomer
from application.lifecycle.commands import ChangeLifecycleStage
from application.lifecycle.queries import ReadLifecycle
from application.orders.commands import RecordOrder
from application.pipeline.analytics import SalesAnalytics
from application.pipeline.leads import (
    CaptureFormLead,
    ConvertLead,
    CreateLead,
    MarkLeadContacted,
    RescoreLeads,
)
from application.pipeline.opportunities import CloseOpportunity, CreateOpportunity, MoveOpportunity
from application.pipeline.queries import ReadLeads, ReadPipeline, ReadTasks
from application.pipeline.tasks import (
    CreateTask,
    DefineAutomationRule,
    RunAutomationRules,
    SendReminders,
)
from application.pipeline.teams import CreateSalesTeam, SetRepAway
from application.principal import Principal
from application.unit_of_work import UnitOfWork
from domain.access.roles import Role
from tests.conftest import memory_backend
from tests.contracts.backend import StorageBackend


@define
class Sales:
    backend: StorageBackend
    clock: ManualClock
    create_customer: CreateCustomer
    register_user: RegisterUser
    record_order: RecordOrder
    create_opportunity: CreateOpportunity
    move: MoveOpportunity
    close: CloseOpportunity
    read: ReadPipeline
    analytics: SalesAnalytics
    create_lead: CreateLead
    capture_form: CaptureFormLead
    convert: ConvertLead
    rescore: RescoreLeads
    mark_contacted: MarkLeadContacted
    read_leads: ReadLeads
    create_task: CreateTask
    read_tasks: ReadTasks
    reminders: SendReminders
    define_rule: DefineAutomationRule
    run_rules: RunAutomationRules
    create_team: CreateSalesTeam
    set_away: SetRepAway
    lifecycle: ReadLifecycle

    def customer(self, actor: Principal, email: str, owner: str | None = None) -> str:
        return self.create_customer(actor, NewCustomer(email=email, owner_id=owner)).id

    def rep(self, name: str) -> Principal:
        user = self.register_user(
            Principal.system(), name=name, email=f"{name.lower()}@example.com", role=Role.AGENT
        )
        return Principal(actor_id=user.id, role=Role.AGENT, name=name)

    def outbox(self) -> list[tuple[str, str]]:
        return self.backend.outbox()

    def uow(self) -> UnitOfWork:
        return self.backend.uow()


def build(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> Sales:
    backend = memory_backend(bus)
    uow = backend.uow
    change_stage = ChangeLifecycleStage(uow, clock, ids)
    assert backend.behaviour_counts is not None
    create_lead = CreateLead(uow, clock, ids, backend.behaviour_counts, change_stage)
    assert backend.pipeline is not None and backend.analytics is not None
    assert backend.leads is not None and backend.tasks is not None and backend.lifecycle
    return Sales(
        backend=backend,
        clock=clock,
        create_customer=CreateCustomer(uow, clock, ids),
        register_user=RegisterUser(uow, clock, ids),
        record_order=RecordOrder(uow, clock, ids),
        create_opportunity=CreateOpportunity(uow, clock, ids),
        move=MoveOpportunity(uow, clock, ids),
        close=CloseOpportunity(uow, clock, ids),
        read=ReadPipeline(backend.pipeline, clock),
        analytics=SalesAnalytics(backend.analytics, backend.pipeline),
        create_lead=create_lead,
        capture_form=CaptureFormLead(uow, create_lead),
        convert=ConvertLead(uow, clock, ids),
        rescore=RescoreLeads(uow, clock, backend.behaviour_counts, change_stage, batch_size=2),
        mark_contacted=MarkLeadContacted(uow, clock),
        read_leads=ReadLeads(backend.leads),
        create_task=CreateTask(uow, clock, ids),
        read_tasks=ReadTasks(backend.tasks),
        reminders=SendReminders(uow, clock),
        define_rule=DefineAutomationRule(uow),
        run_rules=RunAutomationRules(uow, clock, ids),
        create_team=CreateSalesTeam(uow, ids),
        set_away=SetRepAway(uow),
        lifecycle=ReadLifecycle(backend.lifecycle, clock),
    )
