"""What can happen in the sales pipeline, as versioned domain events."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class OpportunityCreated(DomainEvent):
    """A deal was opened at a stage of a pipeline."""

    event_type = "rapport.opportunity.created.v1"
    aggregate_type = "opportunity"

    pipeline_id: str
    stage_id: str
    customer_id: str
    owner_id: str
    amount: str | None
    currency: str


@frozen(kw_only=True)
class OpportunityStageChanged(DomainEvent):
    """A deal moved to another stage of its pipeline."""

    event_type = "rapport.opportunity.stage_changed.v1"
    aggregate_type = "opportunity"

    pipeline_id: str
    from_stage_id: str
    to_stage_id: str


@frozen(kw_only=True)
class OpportunityUpdated(DomainEvent):
    """A deal's name, amount, line items, dates, owner or company were edited."""

    event_type = "rapport.opportunity.updated.v1"
    aggregate_type = "opportunity"

    pipeline_id: str
    stage_id: str
    owner_id: str
    amount: str | None
    currency: str


@frozen(kw_only=True)
class OpportunityClosed(DomainEvent):
    """Won or lost, with the reason given."""

    event_type = "rapport.opportunity.closed.v1"
    aggregate_type = "opportunity"

    outcome: str
    reason: str
    amount: str | None
    currency: str


@frozen(kw_only=True)
class LeadCaptured(DomainEvent):
    """A lead arrived, by API or a website form, for a customer matched or made."""

    event_type = "rapport.lead.captured.v1"
    aggregate_type = "lead"

    customer_id: str
    source: str


@frozen(kw_only=True)
class LeadAssigned(DomainEvent):
    """A lead was given to a rep, with the first-touch deadline in working hours."""

    event_type = "rapport.lead.assigned.v1"
    aggregate_type = "lead"

    owner_id: str
    first_touch_due_at: datetime | None


@frozen(kw_only=True)
class LeadScoreChanged(DomainEvent):
    """A lead's score or grade changed."""

    event_type = "rapport.lead.score_changed.v1"
    aggregate_type = "lead"

    from_score: int
    to_score: int
    grade: str


@frozen(kw_only=True)
class LeadQualified(DomainEvent):
    """The lead's grade reached a qualifying one; its customer becomes a marketing
    qualified lead."""

    event_type = "rapport.lead.qualified.v1"
    aggregate_type = "lead"

    customer_id: str
    grade: str


@frozen(kw_only=True)
class LeadConverted(DomainEvent):
    """A lead became a deal."""

    event_type = "rapport.lead.converted.v1"
    aggregate_type = "lead"

    customer_id: str
    opportunity_id: str


@frozen(kw_only=True)
class FirstTouchDue(DomainEvent):
    """The first-touch promise of an uncontacted lead is about to lapse (or has)."""

    event_type = "rapport.lead.first_touch_due.v1"
    aggregate_type = "lead"

    owner_id: str
    due_at: datetime


@frozen(kw_only=True)
class TaskCreated(DomainEvent):
    """A rep was given a task, by a person or an automation rule."""

    event_type = "rapport.task.created.v1"
    aggregate_type = "task"

    kind: str
    assignee_id: str
    due_at: datetime
    rule: str | None


@frozen(kw_only=True)
class TaskReminderDue(DomainEvent):
    """An open task falls due soon."""

    event_type = "rapport.task.reminder_due.v1"
    aggregate_type = "task"

    assignee_id: str
    due_at: datetime


@frozen(kw_only=True)
class TaskCompleted(DomainEvent):
    """A task was done."""

    event_type = "rapport.task.completed.v1"
    aggregate_type = "task"
