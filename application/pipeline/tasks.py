"""Tasks for reps, reminders as events, and automation rules that create tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from attrs import frozen

from application.errors import NotFound, StaleVersion
from application.field_security import require_writable_input
from application.pipeline.opportunities import load_visible
from application.pipeline.ownership import require_assign, require_reassign, require_visible
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import require_live_customer, require_user
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission, Resource
from domain.errors import ErrorCode, InvalidValue
from domain.pipeline import AutomationRule, Task, TaskKind

NO_TASK = "no task has this id"
REMINDER_LEAD_TIME = timedelta(minutes=15)
FIRST_TOUCH_WARNING = timedelta(minutes=30)


@frozen(kw_only=True)
class NewTask:
    kind: str
    title: str
    due_at: datetime
    assignee_id: str | None = None
    customer_id: str | None = None
    opportunity_id: str | None = None


@frozen
class CreateTask:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewTask) -> Task:
        actor.require(Permission.CREATE_TASKS)
        require_writable_input(actor, Resource.TASKS, new)
        try:
            kind = TaskKind(new.kind)
        except ValueError:
            raise InvalidValue(
                "kind", ErrorCode.INVALID_CHOICE, f"one of {', '.join(TaskKind)}"
            ) from None
        if new.due_at.tzinfo is None:
            raise InvalidValue("dueAt", ErrorCode.INVALID, "must include a time zone")
        assignee = new.assignee_id or actor.actor_id
        require_assign(actor, Resource.TASKS, assignee)
        with self.uow() as uow:
            require_user(uow, assignee, field="assigneeId", actor=actor)
            customer_id = new.customer_id
            if new.opportunity_id is not None:
                opportunity = load_visible(uow, actor, new.opportunity_id)
                customer_id = customer_id or opportunity.customer_id
            if customer_id is not None:
                require_live_customer(uow, customer_id)
            task = Task.create(
                id=self.ids.new_id(),
                kind=kind,
                title=new.title,
                due_at=new.due_at,
                assignee_id=assignee,
                customer_id=customer_id,
                opportunity_id=new.opportunity_id,
                at=self.clock.now(),
                by=actor.actor_id,
            )
            uow.tasks.add(task)
            uow.commit()
        return task


@frozen(kw_only=True)
class TaskPatch:
    """An edit of a task; ``None`` leaves a field alone."""

    task_id: str
    expected_version: int
    kind: str | None = None
    title: str | None = None
    due_at: datetime | None = None
    assignee_id: str | None = None


def _load(uow: UnitOfWork, actor: Principal, task_id: str, *, field: str) -> Task:
    """The task, for change; one the actor may not see is as missing as one never made."""
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(field, NO_TASK)
    require_visible(actor, Resource.TASKS, task.assignee_id, task.id, field=field, message=NO_TASK)
    return task


@frozen
class UpdateTask:
    uow: UnitOfWorkFactory

    def __call__(self, actor: Principal, patch: TaskPatch) -> Task:
        actor.require(Permission.UPDATE_TASKS)
        require_writable_input(actor, Resource.TASKS, patch)
        kind = None
        if patch.kind is not None:
            try:
                kind = TaskKind(patch.kind)
            except ValueError:
                raise InvalidValue(
                    "kind", ErrorCode.INVALID_CHOICE, f"one of {', '.join(TaskKind)}"
                ) from None
        if patch.due_at is not None and patch.due_at.tzinfo is None:
            raise InvalidValue("dueAt", ErrorCode.INVALID, "must include a time zone")
        with self.uow() as uow:
            task = _load(uow, actor, patch.task_id, field="id")
            if task.version != patch.expected_version:
                raise StaleVersion(patch.expected_version, task.version)
            if patch.assignee_id is not None:
                require_reassign(actor, Resource.TASKS, task.assignee_id, patch.assignee_id)
                require_user(uow, patch.assignee_id, field="assigneeId", actor=actor)
            if task.revise(
                kind=kind, title=patch.title, due_at=patch.due_at, assignee_id=patch.assignee_id
            ):
                uow.commit()
        return task


@frozen
class CompleteTask:
    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, task_id: str) -> Task:
        actor.require(Permission.UPDATE_TASKS)
        with self.uow() as uow:
            task = _load(uow, actor, task_id, field="taskId")
            task.complete(self.clock.now(), actor.actor_id)
            uow.commit()
        return task


@frozen
class SendReminders:
    """Emit a reminder event for each task about to fall due and each lead whose first-touch
    promise is about to lapse; each at most once. Run it every few minutes."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal) -> tuple[int, int]:
        actor.require(Permission.MANAGE_PIPELINE)
        now = self.clock.now()
        with self.uow() as uow:
            tasks = [
                task
                for task in uow.tasks.reminders_due_by(now + REMINDER_LEAD_TIME)
                if task.reminder_due(now, REMINDER_LEAD_TIME)
            ]
            for task in tasks:
                task.remind(now, actor.actor_id)
            leads = [
                lead
                for lead in uow.leads.first_touch_due_by(now + FIRST_TOUCH_WARNING)
                if lead.first_touch_lapsing(now, FIRST_TOUCH_WARNING)
            ]
            for lead in leads:
                lead.remind_first_touch(now, actor.actor_id)
            uow.commit()
        return len(tasks), len(leads)


@frozen
class DefineAutomationRule:
    uow: UnitOfWorkFactory

    def __call__(self, actor: Principal, rule: AutomationRule) -> AutomationRule:
        actor.require(Permission.MANAGE_PIPELINE)
        with self.uow() as uow:
            uow.automation_rules.save(rule)
            uow.commit()
        return rule


@frozen
class ListAutomationRules:
    uow: UnitOfWorkFactory

    def __call__(self, actor: Principal) -> Sequence[AutomationRule]:
        # The rules say which tasks appear and why: whoever reads tasks may read them.
        actor.require(Permission.READ_TASKS)
        with self.uow() as uow:
            return uow.automation_rules.all()


@frozen
class RunAutomationRules:
    """Evaluate every enabled rule over the order history; a customer gets at most one task
    per rule, however often the job runs. The task goes to the customer's owner."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal) -> int:
        actor.require(Permission.MANAGE_PIPELINE)
        now = self.clock.now()
        created = 0
        with self.uow() as uow:
            for rule in uow.automation_rules.all():
                if rule.enabled:
                    created += self._run(uow, rule, now, actor)
            uow.commit()
        return created

    def _run(self, uow: UnitOfWork, rule: AutomationRule, now: datetime, actor: Principal) -> int:
        condition = rule.condition
        cutoff = condition.cutoff(now)
        bought = uow.purchases.first_bought(condition.product)
        excluded = uow.purchases.customers_who_bought(condition.never_bought)
        candidates = sorted(
            customer_id
            for customer_id, first in bought.items()
            if first <= cutoff and customer_id not in excluded
        )
        keys = {customer_id: rule.dedupe_key(customer_id) for customer_id in candidates}
        taken = uow.tasks.dedupe_keys_in_use(keys.values())
        owners = uow.customers.get_many([c for c in candidates if keys[c] not in taken])
        made = 0
        for customer_id, customer in sorted(owners.items()):
            if customer.is_archived:
                continue
            uow.tasks.add(
                Task.create(
                    id=self.ids.new_id(),
                    kind=rule.action.kind,
                    title=rule.action.title,
                    due_at=now + timedelta(days=rule.action.due_in_days),
                    assignee_id=customer.owner_id,
                    customer_id=customer_id,
                    rule_key=rule.key,
                    dedupe_key=keys[customer_id],
                    at=now,
                    by=actor.actor_id,
                )
            )
            made += 1
        return made
