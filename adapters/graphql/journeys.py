"""Journeys through the API: defined, published in versions, activated and paused; how
many customers entered, where they are, and what became of the journey's messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Annotated, TypeVar

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.channels import ChannelEnum, api_channel, channel_of
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, to_global_id
from adapters.graphql.tasks import TaskKind as TaskKindEnum
from adapters.graphql.type_names import JOURNEY, SEGMENT, TEMPLATE
from application.journeys.bundle import Journeys
from application.journeys.commands import JourneyDefinition
from application.journeys.ports import JourneyStats
from application.messages.ports import MessageCounts
from application.pagination import PageRequest
from domain.access.roles import Permission
from domain.campaigns.journeys import (
    BranchStep,
    FieldValue,
    Journey,
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
from domain.errors import DomainError, ErrorCode, Problem
from domain.pipeline.tasks import TaskKind

_JOURNEY_ID = "The global id of the journey."
_ERRORS = "Why nothing was done, each naming its input field; empty on success."
_SECONDS = "In seconds."


@strawberry.enum(name="JourneyStatus", description="Whether customers enter the journey.")
class JourneyStatusEnum(Enum):
    DRAFT = strawberry.enum_value("draft", description="Not activated yet: nobody enters.")
    ACTIVE = strawberry.enum_value("active", description="Customers enter on its trigger.")
    PAUSED = strawberry.enum_value(
        "paused", description="Nobody new enters; customers on it carry on."
    )


@strawberry.enum(name="JourneyTriggerKind", description="What enrols a customer.")
class TriggerKindEnum(Enum):
    SEGMENT_ENTERED = strawberry.enum_value(
        "segment_entered", description="Entering a segment (segmentId)."
    )
    EVENT_TRACKED = strawberry.enum_value(
        "event_tracked", description="A tracked behaviour event (eventName)."
    )
    STAGE_CHANGED = strawberry.enum_value(
        "stage_changed", description="Reaching a lifecycle stage (track and stage)."
    )
    DATE_FIELD = strawberry.enum_value(
        "date_field",
        description="A date custom field (dateField) daysBefore days ahead, in the "
        "customer's time zone; yearly for birthdays.",
    )


@strawberry.enum(name="JourneyReentryKind", description="Whether a customer may run again.")
class ReentryKindEnum(Enum):
    NEVER = strawberry.enum_value("never", description="Once per customer, ever.")
    AFTER = strawberry.enum_value(
        "after", description="Again once `days` days have passed since the last run ended."
    )
    ALWAYS = strawberry.enum_value("always", description="Again whenever the last run ended.")


@strawberry.enum(name="JourneyStepKind", description="What a step does.")
class StepKindEnum(Enum):
    SEND = strawberry.enum_value("send", description="Queue a message from a template.")
    WAIT = strawberry.enum_value(
        "wait", description="Wait a duration, until a time of day, or for an event."
    )
    BRANCH = strawberry.enum_value("branch", description="Go on by whether a rule holds.")
    SPLIT = strawberry.enum_value("split", description="Go down one path at random, by weight.")
    UPDATE = strawberry.enum_value("update", description="Change a tag, stage or custom field.")
    TASK = strawberry.enum_value("task", description="Give the customer's owner a task.")


@strawberry.enum(name="JourneyUpdateKind", description="What an update step changes.")
class UpdateKindEnum(Enum):
    ADD_TAG = strawberry.enum_value("add_tag", description="Add the tag `tag`.")
    REMOVE_TAG = strawberry.enum_value("remove_tag", description="Remove the tag `tag`.")
    SET_STAGE = strawberry.enum_value(
        "set_stage", description="Put the customer on `stage` of `track`."
    )
    SET_CUSTOM_FIELD = strawberry.enum_value(
        "set_custom_field", description="Set the custom field `fieldKey` to `value`."
    )


E = TypeVar("E", bound=Enum)


def _domain(kind: type[E], value: Enum) -> E:
    """The domain's member for a member of the API's enum of the same values."""
    return kind(value.value)


def _seconds(span: timedelta | None) -> int | None:
    return None if span is None else int(span.total_seconds())


def _span(seconds: int | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


# --- Output -----------------------------------------------------------------------------


@strawberry.type(description="What enrols a customer in a journey.")
class JourneyTrigger:
    kind: TriggerKindEnum = strawberry.field(description="Which of the triggers it is.")
    segment_id: strawberry.ID | None = strawberry.field(
        description="The global id of the segment; null for other kinds."
    )
    event_name: str | None = strawberry.field(
        description="The behaviour event's name; null for other kinds."
    )
    track: str | None = strawberry.field(description="The lifecycle track's key; or null.")
    stage: str | None = strawberry.field(description="The lifecycle stage's key; or null.")
    date_field: str | None = strawberry.field(
        description="The key of the date custom field; or null."
    )
    days_before: int = strawberry.field(description="How many days ahead of the date.")
    yearly: bool = strawberry.field(description="The date's anniversary every year.")

    @classmethod
    def of(cls, trigger: Trigger) -> JourneyTrigger:
        return cls(
            kind=TriggerKindEnum(trigger.kind.value),
            segment_id=strawberry.ID(to_global_id(SEGMENT, trigger.segment_id))
            if trigger.segment_id
            else None,
            event_name=trigger.event_name,
            track=trigger.track,
            stage=trigger.stage,
            date_field=trigger.date_field,
            days_before=trigger.days_before,
            yearly=trigger.yearly,
        )


@strawberry.type(description="Whether a customer who ran the journey may enter it again.")
class JourneyReentry:
    kind: ReentryKindEnum = strawberry.field(description="Never, after some days, or always.")
    days: int | None = strawberry.field(
        description="For AFTER: days from the end of the last run; null otherwise."
    )


@strawberry.type(description="One path of a split step.")
class JourneySplitPath:
    weight_percent: int = strawberry.field(description="Its share of customers, in percent.")
    next: str | None = strawberry.field(description="The step it leads to; null ends the run.")


@strawberry.type(
    description="A step of a journey; the fields of its kind are set, the others null."
)
class JourneyStep:
    id: str = strawberry.field(description="Unique within the version: letters, digits, - _.")
    kind: StepKindEnum = strawberry.field(description="What the step does.")
    next: str | None = strawberry.field(
        description="The step after it (for a wait: when it is over; for an event wait: when "
        "the event came); null ends the run. Null for branches and splits."
    )
    template_id: strawberry.ID | None = strawberry.field(
        description="SEND: the global id of the template."
    )
    channel: ChannelEnum | None = strawberry.field(description="SEND: the channel.")
    wait_seconds: int | None = strawberry.field(description=f"WAIT a duration. {_SECONDS}")
    until_time: str | None = strawberry.field(
        description="WAIT until the next such time of day, HH:MM in the customer's time zone."
    )
    until_event: str | None = strawberry.field(
        description="WAIT until this behaviour event is tracked for the customer."
    )
    timeout_seconds: int | None = strawberry.field(
        description=f"WAIT for an event at most this long. {_SECONDS}"
    )
    on_timeout: str | None = strawberry.field(
        description="WAIT for an event: the step after a timeout; null ends the run."
    )
    rule: str | None = strawberry.field(description="BRANCH: the segment rule tested.")
    yes: str | None = strawberry.field(description="BRANCH: the step when the rule holds.")
    no: str | None = strawberry.field(description="BRANCH: the step when it does not.")
    paths: list[JourneySplitPath] | None = strawberry.field(description="SPLIT: its paths.")
    update: UpdateKindEnum | None = strawberry.field(description="UPDATE: what it changes.")
    tag: str | None = strawberry.field(description="UPDATE: the tag's name.")
    track: str | None = strawberry.field(description="UPDATE: the lifecycle track's key.")
    stage: str | None = strawberry.field(description="UPDATE: the stage's key.")
    field_key: str | None = strawberry.field(description="UPDATE: the custom field's key.")
    value: JSON | None = strawberry.field(description="UPDATE: the custom field's new value.")
    title: str | None = strawberry.field(description="TASK: the task's title.")
    due_in_seconds: int | None = strawberry.field(
        description=f"TASK: when it is due after the step is reached. {_SECONDS}"
    )
    task_kind: TaskKindEnum | None = strawberry.field(description="TASK: the kind of task.")

    @classmethod
    def of(cls, step: Step) -> JourneyStep:
        values: dict[str, object] = dict.fromkeys(_STEP_FIELDS)
        values.update(id=step.id, kind=StepKindEnum(step.step_kind.value))
        if isinstance(step, SendStep):
            values.update(
                next=step.next,
                template_id=strawberry.ID(to_global_id(TEMPLATE, step.template_id)),
                channel=api_channel(step.channel),
            )
        elif isinstance(step, WaitStep):
            values.update(
                next=step.next,
                wait_seconds=_seconds(step.duration),
                until_time=step.until_time.strftime("%H:%M") if step.until_time else None,
                until_event=step.until_event,
                timeout_seconds=_seconds(step.timeout),
                on_timeout=step.on_timeout,
            )
        elif isinstance(step, BranchStep):
            values.update(rule=step.rule, yes=step.yes, no=step.no)
        elif isinstance(step, SplitStep):
            values["paths"] = [
                JourneySplitPath(weight_percent=p.weight_percent, next=p.next) for p in step.paths
            ]
        elif isinstance(step, UpdateStep):
            values.update(
                next=step.next,
                update=UpdateKindEnum(step.kind.value),
                tag=step.tag,
                track=step.track,
                stage=step.stage,
                field_key=step.field_key,
                value=step.value,
            )
        else:
            values.update(
                next=step.next,
                title=step.title,
                due_in_seconds=_seconds(step.due_in),
                task_kind=TaskKindEnum(step.task_kind.value),
            )
        return cls(**values)  # type: ignore[arg-type]


_STEP_FIELDS = [
    "next",
    "template_id",
    "channel",
    "wait_seconds",
    "until_time",
    "until_event",
    "timeout_seconds",
    "on_timeout",
    "rule",
    "yes",
    "no",
    "paths",
    "update",
    "tag",
    "track",
    "stage",
    "field_key",
    "value",
    "title",
    "due_in_seconds",
    "task_kind",
]


@strawberry.type(description="One published version of a journey; it never changes.")
class JourneyVersionNode:
    number: int = strawberry.field(description="Counted from 1, in the order published.")
    published_at: datetime | None = strawberry.field(description="When it was published.")
    trigger: JourneyTrigger = strawberry.field(description="What enrols customers in it.")
    entry_step_id: str = strawberry.field(description="The step customers start at.")
    steps: list[JourneyStep] = strawberry.field(description="Its steps, as defined.")
    goal_rule: str | None = strawberry.field(
        description="A segment rule: a customer meeting it leaves, goal reached."
    )
    exit_rules: list[str] = strawberry.field(
        description="Segment rules: a customer meeting any of them leaves."
    )
    reentry: JourneyReentry = strawberry.field(description="Whether customers may run again.")

    @classmethod
    def of(cls, version: JourneyVersion) -> JourneyVersionNode:
        return cls(
            number=version.number,
            published_at=version.published_at,
            trigger=JourneyTrigger.of(version.trigger),
            entry_step_id=version.entry_step_id,
            steps=[JourneyStep.of(step) for step in version.steps],
            goal_rule=version.goal_rule,
            exit_rules=list(version.exit_rules),
            reentry=JourneyReentry(
                kind=ReentryKindEnum(version.reentry.kind.value), days=version.reentry.days
            ),
        )


@strawberry.type(description="What became of a journey's messages, or one step's.")
class JourneyMessageCounts:
    queued: int = strawberry.field(
        description="Not sent yet: waiting, held back by a cap or quiet hours, or being sent."
    )
    sent: int = strawberry.field(description="Accepted by the channel, whatever came after.")
    delivered: int = strawberry.field(description="Reported delivered.")
    bounced: int = strawberry.field(description="Bounced.")
    opened: int = strawberry.field(description="Opened at least once.")
    clicked: int = strawberry.field(description="With at least one link followed.")
    unsubscribed: int = strawberry.field(description="Whose recipient unsubscribed by them.")
    skipped: int = strawberry.field(
        description="Not sent, for good: no consent, a suppressed address, a cap."
    )
    failed: int = strawberry.field(description="The channel refused them for good.")

    @classmethod
    def of(cls, counts: MessageCounts | None) -> JourneyMessageCounts:
        counts = counts or MessageCounts()
        return cls(
            queued=counts.queued,
            sent=counts.sent,
            delivered=counts.delivered,
            bounced=counts.bounced,
            opened=counts.opened,
            clicked=counts.clicked,
            unsubscribed=counts.unsubscribed,
            skipped=counts.skipped,
            failed=counts.failed,
        )


@strawberry.type(description="How far customers came at one step.")
class JourneyStepStats:
    step_id: str = strawberry.field(description="The step, in any version.")
    reached: int = strawberry.field(description="How many times customers reached it.")
    messages: JourneyMessageCounts = strawberry.field(
        description="Its messages; all zero for steps that send none."
    )


@strawberry.type(description="Customers on a journey and what became of them, all versions.")
class JourneyStatsNode:
    entered: int = strawberry.field(description="Runs begun, each re-entry counted again.")
    active: int = strawberry.field(description="Runs going on.")
    completed: int = strawberry.field(description="Runs that reached the end of a path.")
    goal_reached: int = strawberry.field(description="Runs left on reaching the goal.")
    exited: int = strawberry.field(description="Runs left by an exit rule.")
    messages: JourneyMessageCounts = strawberry.field(description="All the journey's messages.")
    steps: list[JourneyStepStats] = strawberry.field(
        description="Each step reached at least once, by step id."
    )


_Stats = tuple[JourneyStats, Mapping[tuple[str, str | None], MessageCounts]]


def _stats_loader(info: Info) -> object:
    context = info.context
    read = context.services.use(Journeys).read

    def fetch(ids: Sequence[str]) -> dict[str, _Stats]:
        stats = read.stats(context.principal, ids)
        counts = read.message_counts(context.principal, ids)
        return {i: (stats[i], counts) for i in ids if i in stats}

    return context.loaders.batch("journeys.stats", fetch)


@strawberry.type(name="Journey", description="Customers moving through steps, on a trigger.")
class JourneyNode(Node):
    name: str = strawberry.field(description="What the journey is called.")
    status: JourneyStatusEnum = strawberry.field(description="Whether customers enter it.")
    revision: int = strawberry.field(
        description="Grows with every change; updateJourney takes the revision read."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    current: JourneyVersionNode = strawberry.field(
        description="The version new customers enter; runs begun earlier keep theirs."
    )
    trigger: JourneyTrigger = strawberry.field(description="The current version's trigger.")
    steps: list[JourneyStep] = strawberry.field(description="The current version's steps.")
    versions: list[JourneyVersionNode] = strawberry.field(
        description="Every published version, oldest first."
    )
    local_id: strawberry.Private[str]

    @classmethod
    def of(cls, journey: Journey) -> JourneyNode:
        current = journey.current
        assert current is not None  # a stored journey holds its first version
        return cls(
            id=strawberry.ID(to_global_id(JOURNEY, journey.id)),
            local_id=journey.id,
            name=journey.name,
            status=JourneyStatusEnum(journey.status.value),
            revision=journey.revision,
            created_at=journey.created_at,
            updated_at=journey.updated_at,
            current=JourneyVersionNode.of(current),
            trigger=JourneyTrigger.of(current.trigger),
            steps=[JourneyStep.of(step) for step in current.steps],
            versions=[JourneyVersionNode.of(version) for version in journey.versions],
        )

    @strawberry.field(description="Runs by how they ended, steps reached, messages.")
    async def stats(self, info: Info) -> JourneyStatsNode:
        loader = _stats_loader(info)
        found = await loader.load(self.local_id)  # type: ignore[attr-defined]
        stats, counts = found if found is not None else (JourneyStats(), {})
        return JourneyStatsNode(
            entered=stats.entered,
            active=stats.active,
            completed=stats.completed,
            goal_reached=stats.goal_reached,
            exited=stats.exited,
            messages=JourneyMessageCounts.of(counts.get((self.local_id, None))),
            steps=[
                JourneyStepStats(
                    step_id=step.step_id,
                    reached=step.reached,
                    messages=JourneyMessageCounts.of(counts.get((self.local_id, step.step_id))),
                )
                for step in stats.steps
            ],
        )


@strawberry.type(name="JourneyEdge", description="One journey of a page.")
class JourneyEdge(Edge[JourneyNode]):
    pass


@strawberry.type(name="JourneyConnection", description="A page of journeys, oldest first.")
class JourneyConnection(Connection[JourneyNode]):
    edges: list[JourneyEdge] = strawberry.field(  # type: ignore[assignment]
        description="The journeys of this page, oldest first."
    )
    edge_type = JourneyEdge

    @strawberry.field(description="How many journeys there are.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Journeys).read.count(context.principal)


def fetch_journey(info: Info, journey_id: str) -> JourneyNode | None:
    context = info.context
    journey = context.services.use(Journeys).read.get(context.principal, journey_id)
    return JourneyNode.of(journey) if journey is not None else None


# --- Input ------------------------------------------------------------------------------


@strawberry.input(description="What enrols customers; give the fields of its kind.")
class JourneyTriggerInput:
    kind: TriggerKindEnum = strawberry.field(description="Which trigger.")
    segment_id: strawberry.ID | None = strawberry.field(
        default=None, description="SEGMENT_ENTERED: the global id of the segment."
    )
    event_name: str | None = strawberry.field(
        default=None, description="EVENT_TRACKED: the behaviour event's name."
    )
    track: str | None = strawberry.field(
        default=None, description="STAGE_CHANGED: the lifecycle track's key."
    )
    stage: str | None = strawberry.field(
        default=None, description="STAGE_CHANGED: the stage's key."
    )
    date_field: str | None = strawberry.field(
        default=None, description="DATE_FIELD: the key of a date custom field."
    )
    days_before: int = strawberry.field(
        default=0, description="DATE_FIELD: how many days ahead of the date, 0 to 366."
    )
    yearly: bool = strawberry.field(
        default=False, description="DATE_FIELD: every year on the date's anniversary."
    )


@strawberry.input(description="Whether a customer who ran the journey may enter it again.")
class JourneyReentryInput:
    kind: ReentryKindEnum = strawberry.field(description="Never, after some days, or always.")
    days: int | None = strawberry.field(
        default=None, description="AFTER: days from the end of the last run, 1 to 3660."
    )


@strawberry.input(description="One path of a split step.")
class JourneySplitPathInput:
    weight_percent: int = strawberry.field(description="Its share, in percent; all sum to 100.")
    next: str | None = strawberry.field(
        default=None, description="The step it leads to; null ends the run."
    )


@strawberry.input(description="A step; give `id`, `kind` and the fields of its kind.")
class JourneyStepInput:
    id: str = strawberry.field(description="Unique within the journey: letters, digits, - _.")
    kind: StepKindEnum = strawberry.field(description="What the step does.")
    next: str | None = strawberry.field(
        default=None, description="The step after it; null ends the run."
    )
    template_id: strawberry.ID | None = strawberry.field(
        default=None, description="SEND: the global id of a template of the channel."
    )
    channel: ChannelEnum = strawberry.field(
        default=ChannelEnum.EMAIL, description="SEND: the channel; EMAIL when left out."
    )
    wait_seconds: int | None = strawberry.field(
        default=None, description=f"WAIT a duration, at most a year. {_SECONDS}"
    )
    until_time: str | None = strawberry.field(
        default=None, description="WAIT until the next HH:MM in the customer's time zone."
    )
    until_event: str | None = strawberry.field(
        default=None, description="WAIT until this behaviour event (then `next`)."
    )
    timeout_seconds: int | None = strawberry.field(
        default=None, description=f"WAIT for an event at most this long. {_SECONDS}"
    )
    on_timeout: str | None = strawberry.field(
        default=None, description="WAIT for an event: the step after a timeout."
    )
    rule: str | None = strawberry.field(
        default=None, description="BRANCH: a rule in the segment rule language."
    )
    yes: str | None = strawberry.field(default=None, description="BRANCH: when it holds.")
    no: str | None = strawberry.field(default=None, description="BRANCH: when it does not.")
    paths: list[JourneySplitPathInput] | None = strawberry.field(
        default=None, description="SPLIT: the paths, weights summing to 100."
    )
    update: UpdateKindEnum | None = strawberry.field(
        default=None, description="UPDATE: what it changes."
    )
    tag: str | None = strawberry.field(default=None, description="UPDATE: a tag's name.")
    track: str | None = strawberry.field(default=None, description="UPDATE: a track's key.")
    stage: str | None = strawberry.field(default=None, description="UPDATE: a stage's key.")
    field_key: str | None = strawberry.field(
        default=None, description="UPDATE: a customer custom field's key."
    )
    value: JSON | None = strawberry.field(
        default=None, description="UPDATE: the custom field's new value."
    )
    title: str | None = strawberry.field(default=None, description="TASK: the task's title.")
    due_in_seconds: int = strawberry.field(
        default=86_400, description=f"TASK: due this long after; a day when left out. {_SECONDS}"
    )
    task_kind: TaskKindEnum = strawberry.field(
        default=TaskKindEnum.TODO, description="TASK: the kind; TODO when left out."
    )


@strawberry.input(description="A new journey, published as its version 1; activate it after.")
class CreateJourneyInput:
    name: str = strawberry.field(description="What the journey is called, at most 200 characters.")
    trigger: JourneyTriggerInput = strawberry.field(description="What enrols customers.")
    entry_step_id: str = strawberry.field(description="The step customers start at.")
    steps: list[JourneyStepInput] = strawberry.field(
        description="Every step reachable from the entry; a loop needs a wait."
    )
    goal_rule: str | None = strawberry.field(
        default=None, description="A segment rule: meeting it leaves the journey, goal reached."
    )
    exit_rules: list[str] = strawberry.field(
        default_factory=list, description="Segment rules: meeting any leaves the journey."
    )
    reentry: JourneyReentryInput | None = strawberry.field(
        default=None, description="Whether customers may run again; NEVER when left out."
    )


@strawberry.input(description="A new version of a journey: new customers enter it.")
class UpdateJourneyInput:
    id: strawberry.ID = strawberry.field(description=_JOURNEY_ID)
    revision: int = strawberry.field(
        description="The revision read; a journey changed since is refused, STALE_VERSION."
    )
    name: str = strawberry.field(description="What the journey is called.")
    trigger: JourneyTriggerInput = strawberry.field(description="What enrols customers.")
    entry_step_id: str = strawberry.field(description="The step customers start at.")
    steps: list[JourneyStepInput] = strawberry.field(description="The whole new set of steps.")
    goal_rule: str | None = strawberry.field(
        default=None, description="A segment rule: meeting it leaves the journey, goal reached."
    )
    exit_rules: list[str] = strawberry.field(
        default_factory=list, description="Segment rules: meeting any leaves the journey."
    )
    reentry: JourneyReentryInput | None = strawberry.field(
        default=None, description="Whether customers may run again; NEVER when left out."
    )


@strawberry.input(description="The journey to activate.")
class ActivateJourneyInput:
    id: strawberry.ID = strawberry.field(description=_JOURNEY_ID)


@strawberry.input(description="The journey to pause.")
class PauseJourneyInput:
    id: strawberry.ID = strawberry.field(description=_JOURNEY_ID)


@strawberry.type(description="The result of createJourney.")
class CreateJourneyPayload:
    journey: JourneyNode | None = strawberry.field(
        default=None, description="The new journey, a draft; null when nothing was saved."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of updateJourney.")
class UpdateJourneyPayload:
    journey: JourneyNode | None = strawberry.field(
        default=None, description="The journey with its new version; null when unchanged."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of activateJourney.")
class ActivateJourneyPayload:
    journey: JourneyNode | None = strawberry.field(
        default=None, description="The active journey; null when nothing changed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="The result of pauseJourney.")
class PauseJourneyPayload:
    journey: JourneyNode | None = strawberry.field(
        default=None, description="The paused journey; null when nothing changed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)


def _trigger(given: JourneyTriggerInput) -> Trigger:
    return Trigger(
        kind=_domain(TriggerKind, given.kind),
        segment_id=local_id(given.segment_id, SEGMENT, field="trigger.segmentId")
        if given.segment_id
        else None,
        event_name=given.event_name,
        track=given.track,
        stage=given.stage,
        date_field=given.date_field,
        days_before=given.days_before,
        yearly=given.yearly,
    )


def _time_of_day(value: str, path: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise DomainError([Problem(path, ErrorCode.INVALID, "a time of day, HH:MM")]) from None


def _step(given: JourneyStepInput) -> Step:
    path = f"steps.{given.id}"
    kind = _domain(StepKind, given.kind)
    if kind is StepKind.SEND:
        template = (
            local_id(given.template_id, TEMPLATE, field=f"{path}.templateId")
            if given.template_id
            else ""
        )
        return SendStep(
            id=given.id, template_id=template, channel=channel_of(given.channel), next=given.next
        )
    if kind is StepKind.WAIT:
        return WaitStep(
            id=given.id,
            next=given.next,
            duration=_span(given.wait_seconds),
            until_time=_time_of_day(given.until_time, f"{path}.untilTime")
            if given.until_time
            else None,
            until_event=given.until_event,
            timeout=_span(given.timeout_seconds),
            on_timeout=given.on_timeout,
        )
    if kind is StepKind.BRANCH:
        return BranchStep(id=given.id, rule=given.rule or "", yes=given.yes, no=given.no)
    if kind is StepKind.SPLIT:
        return SplitStep(
            id=given.id,
            paths=tuple(SplitPath(p.weight_percent, p.next) for p in given.paths or ()),
        )
    if kind is StepKind.UPDATE:
        if given.update is None:
            raise DomainError([Problem(f"{path}.update", ErrorCode.REQUIRED, "say what changes")])
        value: FieldValue = given.value  # type: ignore[assignment]
        return UpdateStep(
            id=given.id,
            kind=_domain(UpdateKind, given.update),
            next=given.next,
            tag=given.tag,
            track=given.track,
            stage=given.stage,
            field_key=given.field_key,
            value=value,
        )
    return TaskStep(
        id=given.id,
        title=given.title or "",
        due_in=timedelta(seconds=given.due_in_seconds),
        task_kind=_domain(TaskKind, given.task_kind),
        next=given.next,
    )


def _definition(given: CreateJourneyInput | UpdateJourneyInput) -> JourneyDefinition:
    reentry = ReentryPolicy.never()
    if given.reentry is not None:
        reentry = ReentryPolicy(_domain(ReentryKind, given.reentry.kind), given.reentry.days)
    return JourneyDefinition(
        name=given.name,
        version=JourneyVersion(
            trigger=_trigger(given.trigger),
            entry_step_id=given.entry_step_id,
            steps=tuple(_step(step) for step in given.steps),
            goal_rule=given.goal_rule,
            exit_rules=tuple(given.exit_rules),
            reentry=reentry,
        ),
    )


def _journey_id(value: strawberry.ID) -> str:
    return local_id(value, JOURNEY, field="id")


@strawberry.type
class JourneyQuery:
    @strawberry.field(description="Journeys, oldest first.", extensions=[QueryErrors()])
    def journeys(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many, from the start.")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The cursor the page starts after.")
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="At most this many, from the end.")
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="The cursor the page ends before.")
        ] = None,
    ) -> JourneyConnection:
        context = info.context
        page = context.services.use(Journeys).read.page(
            context.principal, PageRequest(first, after, last, before)
        )
        return JourneyConnection.from_page(page, JourneyNode.of)

    @strawberry.field(
        description="One journey; null when there is none.", extensions=[QueryErrors()]
    )
    def journey(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=_JOURNEY_ID)],
    ) -> JourneyNode | None:
        return fetch_journey(info, _journey_id(id))


@strawberry.type
class JourneyMutation:
    @strawberry.mutation(
        description="Define a journey, checked: unknown or unreachable steps, a loop without "
        "a wait, a segment, template, tag, stage or field that does not exist and a rule that "
        "does not parse are user errors. It is a draft until activateJourney.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def create_journey(
        self,
        info: Info,
        input: Annotated[CreateJourneyInput, strawberry.argument(description="The journey.")],
    ) -> CreateJourneyPayload:
        journey = info.context.services.use(Journeys).create(
            info.context.principal, _definition(input)
        )
        return CreateJourneyPayload(journey=JourneyNode.of(journey))

    @strawberry.mutation(
        description="Publish a new version, checked as createJourney checks: customers who "
        "enter from now on take it, those on the journey keep the version they entered.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def update_journey(
        self,
        info: Info,
        input: Annotated[UpdateJourneyInput, strawberry.argument(description="The new version.")],
    ) -> UpdateJourneyPayload:
        journey = info.context.services.use(Journeys).update(
            info.context.principal,
            _journey_id(input.id),
            _definition(input),
            expected_revision=input.revision,
        )
        return UpdateJourneyPayload(journey=JourneyNode.of(journey))

    @strawberry.mutation(
        description="Let customers enter: a draft for the first time, a paused journey again.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def activate_journey(
        self,
        info: Info,
        input: Annotated[ActivateJourneyInput, strawberry.argument(description="Which one.")],
    ) -> ActivateJourneyPayload:
        journey = info.context.services.use(Journeys).activate(
            info.context.principal, _journey_id(input.id)
        )
        return ActivateJourneyPayload(journey=JourneyNode.of(journey))

    @strawberry.mutation(
        description="Stop new entries; customers on the journey carry on to its end.",
        extensions=[UserErrors(requires=(Permission.MANAGE_CAMPAIGNS,))],
    )
    def pause_journey(
        self,
        info: Info,
        input: Annotated[PauseJourneyInput, strawberry.argument(description="Which one.")],
    ) -> PauseJourneyPayload:
        journey = info.context.services.use(Journeys).pause(
            info.context.principal, _journey_id(input.id)
        )
        return PauseJourneyPayload(journey=JourneyNode.of(journey))


PART = SchemaPart(
    queries=(JourneyQuery,),
    mutations=(JourneyMutation,),
    nodes={JOURNEY: fetch_journey},
)
