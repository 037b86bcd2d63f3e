"""A journey version's definition as a JSON document, each step under its kind."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from domain.campaigns.channels import Channel
from domain.campaigns.journeys import (
    BranchStep,
    JourneyVersion,
    ReentryKind,
    ReentryPolicy,
    SendStep,
    SplitPath,
    SplitStep,
    Step,
    StepKind,
    TaskStep,
    Trigger,
    TriggerKind,
    UpdateKind,
    UpdateStep,
    WaitStep,
)
from domain.pipeline.tasks import TaskKind


def _seconds(span: timedelta | None) -> float | None:
    return None if span is None else span.total_seconds()


def _span(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


def step_document(step: Step) -> dict[str, Any]:
    if isinstance(step, SendStep):
        body: dict[str, Any] = {
            "template_id": step.template_id,
            "channel": step.channel.value,
            "next": step.next,
        }
    elif isinstance(step, WaitStep):
        body = {
            "next": step.next,
            "duration": _seconds(step.duration),
            "until_time": step.until_time.isoformat() if step.until_time else None,
            "until_event": step.until_event,
            "timeout": _seconds(step.timeout),
            "on_timeout": step.on_timeout,
        }
    elif isinstance(step, BranchStep):
        body = {"rule": step.rule, "yes": step.yes, "no": step.no}
    elif isinstance(step, SplitStep):
        body = {"paths": [[path.weight_percent, path.next] for path in step.paths]}
    elif isinstance(step, UpdateStep):
        body = {
            "update_kind": step.kind.value,
            "next": step.next,
            "tag": step.tag,
            "track": step.track,
            "stage": step.stage,
            "field_key": step.field_key,
            "value": step.value,
        }
    else:
        body = {
            "title": step.title,
            "due_in": _seconds(step.due_in),
            "task_kind": step.task_kind.value,
            "next": step.next,
        }
    return {"id": step.id, "kind": step.step_kind.value, **body}


def step_of(document: dict[str, Any]) -> Step:
    kind = StepKind(document["kind"])
    step_id = document["id"]
    if kind is StepKind.SEND:
        return SendStep(
            id=step_id,
            template_id=document["template_id"],
            channel=Channel(document["channel"]),
            next=document["next"],
        )
    if kind is StepKind.WAIT:
        until = document["until_time"]
        return WaitStep(
            id=step_id,
            next=document["next"],
            duration=_span(document["duration"]),
            until_time=time.fromisoformat(until) if until else None,
            until_event=document["until_event"],
            timeout=_span(document["timeout"]),
            on_timeout=document["on_timeout"],
        )
    if kind is StepKind.BRANCH:
        return BranchStep(id=step_id, rule=document["rule"], yes=document["yes"], no=document["no"])
    if kind is StepKind.SPLIT:
        paths = tuple(SplitPath(weight, target) for weight, target in document["paths"])
        return SplitStep(id=step_id, paths=paths)
    if kind is StepKind.UPDATE:
        return UpdateStep(
            id=step_id,
            kind=UpdateKind(document["update_kind"]),
            next=document["next"],
            tag=document["tag"],
            track=document["track"],
            stage=document["stage"],
            field_key=document["field_key"],
            value=document["value"],
        )
    return TaskStep(
        id=step_id,
        title=document["title"],
        due_in=_span(document["due_in"]) or timedelta(0),
        task_kind=TaskKind(document["task_kind"]),
        next=document["next"],
    )


def version_document(version: JourneyVersion) -> dict[str, Any]:
    trigger = version.trigger
    return {
        "trigger": {
            "kind": trigger.kind.value,
            "segment_id": trigger.segment_id,
            "event_name": trigger.event_name,
            "track": trigger.track,
            "stage": trigger.stage,
            "date_field": trigger.date_field,
            "days_before": trigger.days_before,
            "yearly": trigger.yearly,
        },
        "entry_step_id": version.entry_step_id,
        "steps": [step_document(step) for step in version.steps],
        "goal_rule": version.goal_rule,
        "exit_rules": list(version.exit_rules),
        "reentry": [version.reentry.kind.value, version.reentry.days],
    }


def version_of(
    document: dict[str, Any], *, number: int, published_at: datetime | None
) -> JourneyVersion:
    trigger = document["trigger"]
    reentry_kind, reentry_days = document["reentry"]
    return JourneyVersion(
        trigger=Trigger(
            kind=TriggerKind(trigger["kind"]),
            segment_id=trigger["segment_id"],
            event_name=trigger["event_name"],
            track=trigger["track"],
            stage=trigger["stage"],
            date_field=trigger["date_field"],
            days_before=trigger["days_before"],
            yearly=trigger["yearly"],
        ),
        entry_step_id=document["entry_step_id"],
        steps=tuple(step_of(step) for step in document["steps"]),
        goal_rule=document["goal_rule"],
        exit_rules=tuple(document["exit_rules"]),
        reentry=ReentryPolicy(ReentryKind(reentry_kind), reentry_days),
        number=number,
        published_at=published_at,
    )
