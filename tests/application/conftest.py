"""Use cases wired to the in-memory adapters: the bulk of the tests, with no I/O."""

from __future__ import annotations

import pytest
from attrs import define

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.access.api_keys import AuthenticateApiKey, IssueApiKey
from application.access.users import RegisterUser
from application.activities.commands import DeleteActivity, LogActivity, UpdateActivity
from application.activities.queries import GetActivities
from application.behaviour.queries import EventFrequencies, GetTrackedEvents
from application.behaviour.tracking import TrackEvents
from application.companies.commands import ArchiveCompany, CreateCompany, UpdateCompany
from application.companies.queries import GetCompanies, ListCompanies
from application.custom_fields.commands import DefineCustomField, NewCustomField
from application.custom_fields.queries import ListCustomFieldDefinitions
from application.customers.commands import (
    ArchiveCustomer,
    ContactParser,
    CreateCustomer,
    CreateCustomersInBulk,
    UpdateCustomer,
)
from application.customers.queries import GetCustomers, ListCustomers
from application.principal import Principal
from application.timeline.queries import GetTimeline
from domain.access.roles import Role
from domain.custom_fields import FieldType, ObjectType
from tests.conftest import memory_backend
from tests.contracts.backend import StorageBackend


@define
class App:
    backend: StorageBackend
    clock: ManualClock
    create: CreateCustomer
    create_in_bulk: CreateCustomersInBulk
    update: UpdateCustomer
    archive: ArchiveCustomer
    get: GetCustomers
    list: ListCustomers
    register_user: RegisterUser
    issue_key: IssueApiKey
    authenticate: AuthenticateApiKey
    create_company: CreateCompany
    update_company: UpdateCompany
    archive_company: ArchiveCompany
    get_companies: GetCompanies
    list_companies: ListCompanies
    define_field: DefineCustomField
    list_fields: ListCustomFieldDefinitions

    def define(
        self,
        key: str,
        field_type: FieldType,
        *,
        object_type: ObjectType = ObjectType.CUSTOMER,
        choices: tuple[str, ...] = (),
        required: bool = False,
        unique: bool = False,
    ) -> None:
        """Define a field as the system; tests that care about permissions call define_field."""
        self.define_field(
            Principal.system(),
            NewCustomField(
                object_type=object_type,
                key=key,
                label=key.capitalize(),
                field_type=field_type,
                choices=choices,
                required=required,
                unique=unique,
            ),
        )

    log_activity: LogActivity
    update_activity: UpdateActivity
    delete_activity: DeleteActivity
    get_activities: GetActivities
    track: TrackEvents
    get_tracked_events: GetTrackedEvents
    frequencies: EventFrequencies
    timeline: GetTimeline


@pytest.fixture
def app(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> App:
    backend = memory_backend(bus)
    parser = ContactParser(default_region="GB")
    return App(
        backend=backend,
        clock=clock,
        create=CreateCustomer(backend.uow, clock, ids, parser),
        create_in_bulk=CreateCustomersInBulk(backend.uow, clock, ids, parser),
        update=UpdateCustomer(backend.uow, clock, parser),
        archive=ArchiveCustomer(backend.uow, clock),
        get=GetCustomers(backend.customers),
        list=ListCustomers(backend.customers, backend.custom_fields),
        register_user=RegisterUser(backend.uow, clock, ids),
        issue_key=IssueApiKey(backend.uow, clock, ids),
        authenticate=AuthenticateApiKey(backend.credentials),
        create_company=CreateCompany(backend.uow, clock, ids),
        update_company=UpdateCompany(backend.uow, clock),
        archive_company=ArchiveCompany(backend.uow, clock),
        get_companies=GetCompanies(backend.companies),
        list_companies=ListCompanies(backend.companies, backend.custom_fields),
        define_field=DefineCustomField(backend.uow, clock, ids),
        list_fields=ListCustomFieldDefinitions(backend.custom_fields),
        log_activity=LogActivity(backend.uow, clock, ids),
        update_activity=UpdateActivity(backend.uow, clock),
        delete_activity=DeleteActivity(backend.uow, clock),
        get_activities=GetActivities(backend.activities),
        track=TrackEvents(backend.uow, clock, ids),
        get_tracked_events=GetTrackedEvents(backend.behaviour),
        frequencies=EventFrequencies(backend.behaviour, clock),
        timeline=GetTimeline(backend.timeline),
    )


@pytest.fixture
def agent(app: App) -> Principal:
    user = app.register_user(
        Principal.system(), name="Agent Smith", email="agent@example.com", role=Role.AGENT
    )
    return Principal(actor_id=user.id, role=Role.AGENT, name=user.name)


@pytest.fixture
def viewer() -> Principal:
    return Principal(actor_id="viewer-1", role=Role.VIEWER, name="Viewer")


@pytest.fixture
def manager(app: App) -> Principal:
    user = app.register_user(
        Principal.system(), name="Mona Manager", email="manager@example.com", role=Role.MANAGER
    )
    return Principal(actor_id=user.id, role=Role.MANAGER, name=user.name)
