"""Tasks in the API: creating and editing them, and "my open tasks" and "overdue" as filters."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import attrs
import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.customers import Customer, load_customer
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.listing import DirectionInput
from adapters.graphql.opportunities import OpportunityNode, load_opportunity
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    Node,
    local_id,
    local_ids,
    local_ids_by_field,
    to_global_id,
)
from adapters.graphql.sales_args import After, Before, First, Last, page_request
from adapters.graphql.type_names import COMPANY, CUSTOMER, OPPORTUNITY, TASK, USER
from application.pagination import PageRequest
from application.pipeline.bundle import Sales
from application.pipeline.tasks import NewTask, TaskPatch
from application.pipeline.views import TaskFilter, TaskGroup, TaskOrder, TaskSort, TaskView


@strawberry.enum(description="What kind of work a task is.")
class TaskKind(Enum):
    CALL = strawberry.enum_value("call", description="A phone call.")
    EMAIL = strawberry.enum_value("email", description="An email to write.")
    MEETING = strawberry.enum_value("meeting", description="A meeting to hold.")
    TODO = strawberry.enum_value("todo", description="Anything else to do.")


@strawberry.enum(description="Whether a task is still to do.")
class TaskStatus(Enum):
    OPEN = strawberry.enum_value("open", description="Still to do.")
    DONE = strawberry.enum_value("done", description="Done.")


@strawberry.type(name="Task", description="Work for a rep, with a due time and a reminder.")
class TaskNode(Node):
    kind: TaskKind = strawberry.field(description="Call, email, meeting or to-do.")
    title: str = strawberry.field(description="What to do.")
    due_at: datetime = strawberry.field(description="When it is due.")
    status: TaskStatus = strawberry.field(description="Open or done.")
    rule: str | None = strawberry.field(
        description="The key of the automation rule that made it, if one did."
    )
    created_at: datetime = strawberry.field(description="When the task was made.")
    completed_at: datetime | None = strawberry.field(description="When it was done.")
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )
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
            version=view.version,
            view=view,
        )

    @strawberry.field(description="Open and past its due time.")
    def is_overdue(self, info: Info) -> bool:
        return (
            self.status is TaskStatus.OPEN
            and self.due_at < info.context.services.use(Sales).clock.now()
        )

    @strawberry.field(description="The rep the task is for.")
    async def assignee(self, info: Info) -> UserNode | None:
        return await load_user(info, self.view.assignee_id)

    @strawberry.field(description="The customer the task is about, if any.")
    async def customer(self, info: Info) -> Customer | None:
        if self.view.customer_id is None:
            return None
        return await load_customer(info, self.view.customer_id)

    @strawberry.field(description="The deal the task is about, if any.")
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.view.opportunity_id is None:
            return None
        return await load_opportunity(info, self.view.opportunity_id)


@strawberry.type(name="TaskEdge", description="One task in a list, with its cursor.")
class TaskEdge(Edge[TaskNode]):
    pass


@strawberry.type(name="TaskConnection", description="A page of tasks.")
class TaskConnection(Connection[TaskNode]):
    edges: list[TaskEdge] = strawberry.field(  # type: ignore[assignment]
        description="The tasks of this page, in order."
    )
    edge_type = TaskEdge
    where: strawberry.Private[TaskFilter]
    group: strawberry.Private[tuple[TaskGroup, str] | None] = None
    """The customer (or company) whose tasks these are, when counted with others'."""

    @strawberry.field(description="How many tasks match the filter.")
    async def total_count(self, info: Info) -> int:
        context = info.context
        if self.group is not None:
            by, key = self.group
            return await context.loaders.sales.task_counts.load((by, self.where), key)
        return context.services.use(Sales).read_tasks.count(context.principal, self.where)


@strawberry.input(name="TaskFilter", description="Which tasks a list holds; all must hold.")
class TaskFilterInput:
    mine: bool = strawberry.field(
        default=False, description="Only tasks assigned to you; assigneeIds is then ignored."
    )
    assignee_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only tasks assigned to one of these users."
    )
    status: TaskStatus | None = strawberry.field(
        default=None, description="Only open or only done tasks."
    )
    overdue: bool = strawberry.field(default=False, description="Open and past due.")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only tasks about this customer."
    )
    opportunity_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only tasks about this deal."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Tasks about the company's people or its deals."
    )


@strawberry.enum(description="What a list of tasks can be sorted by; ties go by id.")
class TaskOrderField(Enum):
    DUE_AT = strawberry.enum_value(TaskSort.DUE_AT.value, description="When the task is due.")
    CREATED_AT = strawberry.enum_value(
        TaskSort.CREATED_AT.value, description="When the task was made."
    )
    TITLE = strawberry.enum_value(TaskSort.TITLE.value, description="The title, by code point.")


@strawberry.input(name="TaskOrder", description="The order of a list of tasks.")
class TaskOrderInput(DirectionInput):
    field: TaskOrderField = strawberry.field(description="What to sort by.")


def _order(given: TaskOrderInput | None) -> TaskOrder:
    if given is None:
        return TaskOrder()
    return TaskOrder(TaskSort(enum_value(given.field)), descending=given.descending)


FilterArgument = Annotated[
    TaskFilterInput | None, strawberry.argument(description="Which tasks to list.")
]
OrderArgument = Annotated[
    TaskOrderInput | None,
    strawberry.argument(description="The order; soonest due first when left out."),
]


@strawberry.input(description="A new task for a rep.")
class CreateTaskInput:
    kind: TaskKind = strawberry.field(description="Call, email, meeting or to-do.")
    title: str = strawberry.field(description="What to do; up to 200 characters.")
    due_at: datetime = strawberry.field(description="When it is due, with a time zone.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="You if left out."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer it is about; the deal's when left out."
    )
    opportunity_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deal it is about."
    )


@strawberry.type(description="The task made, or why it was not.")
class CreateTaskPayload:
    task: TaskNode | None = strawberry.field(
        default=None, description="The new task; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the task was not made; empty on success."
    )


@strawberry.input(description="Changes to a task; fields left out stay as they are.")
class UpdateTaskInput:
    id: strawberry.ID = strawberry.field(description="The task to change.")
    version: int = strawberry.field(
        description="The version you read; a task changed since is refused with STALE_VERSION "
        "and nothing changes."
    )
    kind: TaskKind | None = strawberry.field(default=None, description="Another kind of work.")
    title: str | None = strawberry.field(default=None, description="A new title.")
    due_at: datetime | None = strawberry.field(
        default=None, description="A new due time; its reminder is due again."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Another rep to do it."
    )


@strawberry.type(description="The task as changed, or why it was not.")
class UpdateTaskPayload:
    task: TaskNode | None = strawberry.field(
        default=None, description="The task after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="A task done.")
class CompleteTaskInput:
    task_id: strawberry.ID = strawberry.field(description="The task done.")


@strawberry.type(description="The task done, or why it could not be marked.")
class CompleteTaskPayload:
    task: TaskNode | None = strawberry.field(
        default=None, description="The task, now done; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the task was not marked done; empty on success."
    )


def _filter(info: Info, given: TaskFilterInput | None) -> TaskFilter:
    if given is None:
        return TaskFilter()
    ids = local_ids_by_field(
        {
            "customerId": (given.customer_id, CUSTOMER),
            "opportunityId": (given.opportunity_id, OPPORTUNITY),
            "companyId": (given.company_id, COMPANY),
        },
        within="filter.",
    )
    context = info.context
    assignees = local_ids(given.assignee_ids, USER, field="filter.assigneeIds")
    if given.mine:
        assignees = frozenset({context.principal.actor_id})
    status = "open" if given.overdue else (enum_value(given.status) if given.status else None)
    return TaskFilter(
        assignee_ids=assignees,
        status=status,
        due_before=context.loaders.sales.now() if given.overdue else None,
        customer_id=ids["customerId"],
        opportunity_id=ids["opportunityId"],
        company_id=ids["companyId"],
    )


def task_page(info: Info, where: TaskFilter, page: PageRequest, order: TaskOrder) -> TaskConnection:
    context = info.context
    found = context.services.use(Sales).read_tasks.page(context.principal, where, page, order)
    return TaskConnection.from_page(found, TaskNode.from_view, where=where)


def fetch_task(info: Info, task_id: str) -> TaskNode | None:
    context = info.context
    found = context.services.use(Sales).read_tasks.get_many(context.principal, [task_id])
    view = found.get(task_id)
    return TaskNode.from_view(view) if view else None


@strawberry.type
class TaskQuery:
    @strawberry.field(
        description="Tasks, soonest due first unless ordered otherwise, a keyset page at a time.",
        extensions=[QueryErrors()],
    )
    def tasks(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> TaskConnection:
        return task_page(
            info, _filter(info, filter), page_request(first, after, last, before), _order(order_by)
        )

    @strawberry.field(
        description="One task by id; null when there is none.", extensions=[QueryErrors()]
    )
    def task(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The task's id.")],
    ) -> TaskNode | None:
        return fetch_task(info, local_id(id, TASK, field="id"))


@strawberry.type
class CompanyTasks:
    """``Company.tasks``."""

    local_id: strawberry.Private[str]

    @strawberry.field(
        description="Tasks about the company's people or its deals, soonest due first; "
        "filter: {status: OPEN} for the open work.",
        extensions=[QueryErrors()],
    )
    async def tasks(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> TaskConnection:
        return await _grouped_page(
            info,
            ("company_id", self.local_id),
            attrs.evolve(_filter(info, filter), company_id=None),
            page_request(first, after, last, before),
            _order(order_by),
        )


@strawberry.type
class CustomerTasks:
    """``Customer.tasks``: read together for a page of customers."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="Tasks about the customer, soonest due first unless ordered otherwise; for "
        "a page of customers, read in one query.",
        extensions=[QueryErrors()],
    )
    async def tasks(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> TaskConnection:
        return await _grouped_page(
            info,
            ("customer_id", self.id_local),
            attrs.evolve(_filter(info, filter), customer_id=None),
            page_request(first, after, last, before),
            _order(order_by),
        )


async def _grouped_page(
    info: Info,
    group: tuple[TaskGroup, str],
    where: TaskFilter,
    page: PageRequest,
    order: TaskOrder,
) -> TaskConnection:
    """A customer's (or a company's) page of tasks, read with the same page of the other
    customers (or companies) of the request in one query; counted the same way."""
    by, key = group
    found = await info.context.loaders.sales.task_pages.load((by, where, order, page), key)
    return TaskConnection.from_page(found, TaskNode.from_view, where=where, group=group)


@strawberry.type
class TaskMutation:
    @strawberry.mutation(
        description="Give a rep a call, email, meeting or to-do.", extensions=[UserErrors()]
    )
    def create_task(
        self,
        info: Info,
        input: Annotated[CreateTaskInput, strawberry.argument(description="The task to make.")],
    ) -> CreateTaskPayload:
        context = info.context
        ids = local_ids_by_field(
            {
                "assigneeId": (input.assignee_id, USER),
                "customerId": (input.customer_id, CUSTOMER),
                "opportunityId": (input.opportunity_id, OPPORTUNITY),
            }
        )
        new = NewTask(
            kind=enum_value(input.kind),
            title=input.title,
            due_at=input.due_at,
            assignee_id=ids["assigneeId"],
            customer_id=ids["customerId"],
            opportunity_id=ids["opportunityId"],
        )
        task = context.services.use(Sales).create_task(context.principal, new)
        return CreateTaskPayload(task=TaskNode.from_view(TaskView.from_task(task)))

    @strawberry.mutation(
        description="Change a task's kind, title, due time or assignee.",
        extensions=[UserErrors()],
    )
    def update_task(
        self,
        info: Info,
        input: Annotated[
            UpdateTaskInput,
            strawberry.argument(description="The task, the version read, and the changes."),
        ],
    ) -> UpdateTaskPayload:
        context = info.context
        patch = TaskPatch(
            task_id=local_id(input.id, TASK, field="id"),
            expected_version=input.version,
            kind=enum_value(input.kind) if input.kind else None,
            title=input.title,
            due_at=input.due_at,
            assignee_id=local_id(input.assignee_id, USER, field="assigneeId")
            if input.assignee_id is not None
            else None,
        )
        task = context.services.use(Sales).update_task(context.principal, patch)
        return UpdateTaskPayload(task=TaskNode.from_view(TaskView.from_task(task)))

    @strawberry.mutation(
        description="Mark a task done; done twice changes nothing.", extensions=[UserErrors()]
    )
    def complete_task(
        self,
        info: Info,
        input: Annotated[CompleteTaskInput, strawberry.argument(description="The task done.")],
    ) -> CompleteTaskPayload:
        context = info.context
        local = local_id(input.task_id, TASK, field="taskId")
        task = context.services.use(Sales).complete_task(context.principal, local)
        return CompleteTaskPayload(task=TaskNode.from_view(TaskView.from_task(task)))


PART = SchemaPart(
    queries=(TaskQuery,),
    mutations=(TaskMutation,),
    company_fields=(CompanyTasks,),
    customer_fields=(CustomerTasks,),
    nodes={TASK: fetch_task},
)
