"""Tasks in the API: creating them, and "my open tasks" and "overdue" as filters."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import attrs
import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, load_customer
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.opportunities import OpportunityNode, load_opportunity
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, local_ids_by_field, to_global_id
from adapters.graphql.type_names import COMPANY, CUSTOMER, OPPORTUNITY, TASK, USER
from application.pipeline.bundle import Sales
from application.pipeline.tasks import NewTask
from application.pipeline.views import TaskFilter, TaskView


@strawberry.enum(description="What kind of work a task is.")
class TaskKind(Enum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    TODO = "todo"


@strawberry.enum
class TaskStatus(Enum):
    OPEN = "open"
    DONE = "done"


@strawberry.type(name="Task", description="Work for a rep, with a due time and a reminder.")
class TaskNode(Node):
    kind: TaskKind
    title: str
    due_at: datetime
    status: TaskStatus
    rule: str | None = strawberry.field(description="The automation rule that made it, if one did.")
    created_at: datetime
    completed_at: datetime | None
    view: strawberry.Private[TaskView]

    @classmethod
    def from_view(cls, view: TaskView) -> TaskNode:
        return cls(
            id=strawberry.ID(to_global_id(TASK, view.id)),
            kind=TaskKind(view.kind),
            title=view.title,
            due_at=view.due_at,
            status=TaskStatus(view.status),
            rule=view.rule_key,
            created_at=view.created_at,
            completed_at=view.completed_at,
            view=view,
        )

    @strawberry.field
    def is_overdue(self, info: Info) -> bool:
        return (
            self.status is TaskStatus.OPEN
            and self.due_at < info.context.services.use(Sales).clock.now()
        )

    @strawberry.field
    async def assignee(self, info: Info) -> UserNode | None:
        return await load_user(info, self.view.assignee_id)

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        if self.view.customer_id is None:
            return None
        return await load_customer(info, self.view.customer_id)

    @strawberry.field
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.view.opportunity_id is None:
            return None
        return await load_opportunity(info, self.view.opportunity_id)


@strawberry.type(name="TaskConnection")
class TaskConnection(Connection[TaskNode]):
    where: strawberry.Private[TaskFilter]

    @strawberry.field
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Sales).read_tasks.count(context.principal, self.where)


@strawberry.input
class TaskFilterInput:
    mine: bool = strawberry.field(default=False, description="Only tasks assigned to you.")
    assignee_id: strawberry.ID | None = None
    status: TaskStatus | None = None
    overdue: bool = strawberry.field(default=False, description="Open and past due.")
    customer_id: strawberry.ID | None = None
    opportunity_id: strawberry.ID | None = None
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Tasks about the company's people or its deals."
    )


@strawberry.input
class CreateTaskInput:
    kind: TaskKind
    title: str
    due_at: datetime
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="You if left out."
    )
    customer_id: strawberry.ID | None = None
    opportunity_id: strawberry.ID | None = None


@strawberry.type
class CreateTaskPayload:
    task: TaskNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _filter(info: Info, given: TaskFilterInput | None) -> TaskFilter:
    if given is None:
        return TaskFilter()
    ids = local_ids_by_field(
        {
            "assigneeId": (given.assignee_id, USER),
            "customerId": (given.customer_id, CUSTOMER),
            "opportunityId": (given.opportunity_id, OPPORTUNITY),
            "companyId": (given.company_id, COMPANY),
        },
        within="filter.",
    )
    context = info.context
    assignee = context.principal.actor_id if given.mine else ids["assigneeId"]
    status = "open" if given.overdue else (given.status.value if given.status else None)
    return TaskFilter(
        assignee_id=assignee,
        status=status,
        due_before=context.services.use(Sales).clock.now() if given.overdue else None,
        customer_id=ids["customerId"],
        opportunity_id=ids["opportunityId"],
        company_id=ids["companyId"],
    )


@strawberry.type
class TaskQuery:
    @strawberry.field(
        description="Tasks, soonest due first, a keyset page at a time.",
        extensions=[QueryErrors()],
    )
    def tasks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: TaskFilterInput | None = None,
    ) -> TaskConnection:
        return list_tasks(info, first, after, filter)


def list_tasks(
    info: Info,
    first: int | None,
    after: str | None,
    filter: TaskFilterInput | None,
    *,
    company_id: str | None = None,
) -> TaskConnection:
    """``tasks(first, after, filter)``, or a company's given ``company_id``."""
    context = info.context
    where = _filter(info, filter)
    if company_id is not None:
        where = attrs.evolve(where, company_id=company_id)
    page = context.services.use(Sales).read_tasks.page(
        context.principal, where, first=first, after=after
    )
    return TaskConnection.from_page(page, TaskNode.from_view, where=where)


@strawberry.type
class CompanyTasks:
    """``Company.tasks``."""

    local_id: strawberry.Private[str]

    @strawberry.field(
        description="Tasks about the company's people or its deals, soonest due first; "
        "filter: {status: OPEN} for the open work.",
        extensions=[QueryErrors()],
    )
    def tasks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: TaskFilterInput | None = None,
    ) -> TaskConnection:
        return list_tasks(info, first, after, filter, company_id=self.local_id)


@strawberry.type
class TaskMutation:
    @strawberry.mutation(
        description="Mark a task done; done twice changes nothing.", extensions=[UserErrors()]
    )
    def complete_task(self, info: Info, task_id: strawberry.ID) -> CreateTaskPayload:
        context = info.context
        local = local_id(task_id, TASK, field="taskId")
        task = context.services.use(Sales).complete_task(context.principal, local)
        return CreateTaskPayload(task=TaskNode.from_view(TaskView.from_task(task)))

    @strawberry.mutation(
        description="Give a rep a call, email, meeting or to-do.", extensions=[UserErrors()]
    )
    def create_task(self, info: Info, input: CreateTaskInput) -> CreateTaskPayload:
        context = info.context
        ids = local_ids_by_field(
            {
                "assigneeId": (input.assignee_id, USER),
                "customerId": (input.customer_id, CUSTOMER),
                "opportunityId": (input.opportunity_id, OPPORTUNITY),
            }
        )
        new = NewTask(
            kind=input.kind.value,
            title=input.title,
            due_at=input.due_at,
            assignee_id=ids["assigneeId"],
            customer_id=ids["customerId"],
            opportunity_id=ids["opportunityId"],
        )
        task = context.services.use(Sales).create_task(context.principal, new)
        return CreateTaskPayload(task=TaskNode.from_view(TaskView.from_task(task)))


PART = SchemaPart(
    queries=(TaskQuery,),
    mutations=(TaskMutation,),
    company_fields=(CompanyTasks,),
)
