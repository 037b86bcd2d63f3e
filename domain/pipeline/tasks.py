"""Tasks: calls, emails, meetings and to-dos for a rep, with a due time and a reminder."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field

from domain.errors import ErrorCode, RuleViolated
from domain.events import DomainEvent
from domain.pipeline.events import TaskCompleted, TaskCreated, TaskReminderDue
from domain.text import clean_line

TITLE_MAX_LENGTH = 200


class TaskKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    TODO = "todo"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


@define(slots=False, eq=False)
class Task:
    id: str
    kind: TaskKind
    title: str
    due_at: datetime
    assignee_id: str
    customer_id: str | None
    opportunity_id: str | None
    status: TaskStatus
    created_at: datetime
    created_by: str
    rule_key: str | None = None
    """The automation rule that made the task, if one did."""
    dedupe_key: str | None = None
    """Unique where set: a rule makes one task per customer, however often it runs."""
    reminded_at: datetime | None = None
    completed_at: datetime | None = None
    version: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def create(
        cls,
        *,
        id: str,
        kind: TaskKind,
        title: str,
        due_at: datetime,
        assignee_id: str,
        customer_id: str | None = None,
        opportunity_id: str | None = None,
        rule_key: str | None = None,
        dedupe_key: str | None = None,
        at: datetime,
        by: str,
    ) -> Task:
        clean = clean_line(title, field="title", max_length=TITLE_MAX_LENGTH)
        if not clean:
            raise RuleViolated("title", ErrorCode.REQUIRED, "must not be empty")
        task = cls(
            id=id,
            kind=kind,
            title=clean,
            due_at=due_at,
            assignee_id=assignee_id,
            customer_id=customer_id,
            opportunity_id=opportunity_id,
            status=TaskStatus.OPEN,
            created_at=at,
            created_by=by,
            rule_key=rule_key,
            dedupe_key=dedupe_key,
        )
        task.events.append(
            TaskCreated(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                kind=kind.value,
                assignee_id=assignee_id,
                due_at=due_at,
                rule=rule_key,
            )
        )
        return task

    def reminder_due(self, now: datetime, lead_time: timedelta) -> bool:
        return (
            self.status is TaskStatus.OPEN
            and self.reminded_at is None
            and now >= self.due_at - lead_time
        )

    def remind(self, at: datetime, by: str) -> None:
        self.reminded_at = at
        self.version += 1
        self.events.append(
            TaskReminderDue(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                assignee_id=self.assignee_id,
                due_at=self.due_at,
            )
        )

    def revise(
        self,
        *,
        kind: TaskKind | None = None,
        title: str | None = None,
        due_at: datetime | None = None,
        assignee_id: str | None = None,
    ) -> bool:
        """Edit the task; a new due time makes its reminder due again. False: no change."""
        clean = self.title
        if title is not None:
            clean = clean_line(title, field="title", max_length=TITLE_MAX_LENGTH)
            if not clean:
                raise RuleViolated("title", ErrorCode.REQUIRED, "must not be empty")
        after = (
            kind or self.kind,
            clean,
            due_at or self.due_at,
            assignee_id or self.assignee_id,
        )
        if after == (self.kind, self.title, self.due_at, self.assignee_id):
            return False
        if after[2] != self.due_at:
            self.reminded_at = None
        self.kind, self.title, self.due_at, self.assignee_id = after
        self.version += 1
        return True

    def complete(self, at: datetime, by: str) -> None:
        if self.status is TaskStatus.DONE:
            return
        self.status = TaskStatus.DONE
        self.completed_at = at
        self.version += 1
        self.events.append(TaskCompleted(aggregate_id=self.id, occurred_at=at, actor_id=by))
