"""Journeys: a trigger enrols a customer, who then moves through a graph of steps.

A journey is versioned: each published ``JourneyVersion`` is an immutable graph, and an
``Enrolment`` keeps the version it entered with, so editing a journey never changes the path
of a customer already on it. Moving an enrolment along is pure: the application gives the
facts (rule outcomes, awaited events, split draws) and gets back the actions to carry out
(send, update, create a task) and when to wake the enrolment next.

Rule texts (branches, goal, exits) stay text here; the application parses and evaluates them
in the segment rule language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from attrs import define, evolve, field, frozen

from domain.campaigns.channels import Channel
from domain.campaigns.messages import SYSTEM_ACTOR_ID, MessageSource
from domain.campaigns.policy import local_moment
from domain.errors import DomainError, ErrorCode, Problem, RuleViolated
from domain.events import DomainEvent
from domain.pipeline.tasks import TITLE_MAX_LENGTH, TaskKind
from domain.text import clean_line

MAX_STEPS = 200
STEP_ID_MAX_LENGTH = 40
MAX_WAIT = timedelta(days=366)
MAX_REENTRY_DAYS = 3_660
NAME_MAX_LENGTH = 200

FieldValue = str | int | float | bool | None


# --- Triggers ---------------------------------------------------------------------------


class TriggerKind(StrEnum):
    SEGMENT_ENTERED = "segment_entered"
    EVENT_TRACKED = "event_tracked"
    STAGE_CHANGED = "stage_changed"
    DATE_FIELD = "date_field"
    """A date of the customer comes near: ``days_before`` a birthday (``yearly``) or a
    renewal date."""


@frozen(kw_only=True)
class Trigger:
    """What enrols a customer. Build it with the class methods."""

    kind: TriggerKind
    segment_id: str | None = None
    event_name: str | None = None
    track: str | None = None
    stage: str | None = None
    date_field: str | None = None
    days_before: int = 0
    yearly: bool = False

    @classmethod
    def segment_entered(cls, segment_id: str) -> Trigger:
        return cls(kind=TriggerKind.SEGMENT_ENTERED, segment_id=segment_id)

    @classmethod
    def event_tracked(cls, event_name: str) -> Trigger:
        return cls(kind=TriggerKind.EVENT_TRACKED, event_name=event_name)

    @classmethod
    def stage_changed(cls, track: str, stage: str) -> Trigger:
        return cls(kind=TriggerKind.STAGE_CHANGED, track=track, stage=stage)

    @classmethod
    def date_approaching(cls, date_field: str, days_before: int, *, yearly: bool) -> Trigger:
        return cls(
            kind=TriggerKind.DATE_FIELD,
            date_field=date_field,
            days_before=days_before,
            yearly=yearly,
        )

    def date_is_due(self, value: date, today: date) -> bool:
        """Whether a date field holding ``value`` enrols its customer ``today``: the date (or,
        yearly, its anniversary; 29 February falls on the 28th in other years) is exactly
        ``days_before`` days ahead."""
        if self.kind is not TriggerKind.DATE_FIELD:
            return False
        ahead = today + timedelta(days=self.days_before)
        if not self.yearly:
            return ahead == value
        return ahead == _anniversary(value, ahead.year)

    def problems(self) -> list[Problem]:
        required = {
            TriggerKind.SEGMENT_ENTERED: (("segmentId", self.segment_id),),
            TriggerKind.EVENT_TRACKED: (("eventName", self.event_name),),
            TriggerKind.STAGE_CHANGED: (("track", self.track), ("stage", self.stage)),
            TriggerKind.DATE_FIELD: (("dateField", self.date_field),),
        }[self.kind]
        problems = [
            Problem(f"trigger.{name}", ErrorCode.REQUIRED, "must not be empty")
            for name, value in required
            if not value
        ]
        if not 0 <= self.days_before <= 366:
            problems.append(Problem("trigger.daysBefore", ErrorCode.INVALID, "0 to 366 days"))
        return problems


def _anniversary(value: date, year: int) -> date:
    try:
        return value.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return date(year, 2, 28)


# --- Steps ------------------------------------------------------------------------------


class StepKind(StrEnum):
    """Which of the step classes a step is: the tag to store it under."""

    SEND = "send"
    WAIT = "wait"
    BRANCH = "branch"
    SPLIT = "split"
    UPDATE = "update"
    TASK = "task"


@frozen(kw_only=True)
class SendStep:
    step_kind: ClassVar[StepKind] = StepKind.SEND

    id: str
    template_id: str
    channel: Channel = Channel.EMAIL
    next: str | None = None

    def exits(self) -> tuple[tuple[str, str | None], ...]:
        return (("next", self.next),)

    def problems(self) -> list[Problem]:
        if not self.template_id:
            return [Problem(f"steps.{self.id}.templateId", ErrorCode.REQUIRED, "name a template")]
        return []


class WaitKind(StrEnum):
    DURATION = "duration"
    TIME_OF_DAY = "time_of_day"
    EVENT = "event"


@frozen(kw_only=True)
class WaitStep:
    """Wait a ``duration``; or until the next ``until_time`` in the customer's time zone; or
    until the event ``until_event`` is tracked (then ``next``), at most ``timeout`` (then
    ``on_timeout``). Build it with the class methods."""

    step_kind: ClassVar[StepKind] = StepKind.WAIT

    id: str
    next: str | None = None
    duration: timedelta | None = None
    until_time: time | None = None
    until_event: str | None = None
    timeout: timedelta | None = None
    on_timeout: str | None = None

    @classmethod
    def for_duration(cls, id: str, duration: timedelta, next: str | None) -> WaitStep:
        return cls(id=id, duration=duration, next=next)

    @classmethod
    def until_time_of_day(cls, id: str, at: time, next: str | None) -> WaitStep:
        return cls(id=id, until_time=at, next=next)

    @classmethod
    def for_event(
        cls,
        id: str,
        event_name: str,
        *,
        timeout: timedelta,
        next: str | None,
        on_timeout: str | None,
    ) -> WaitStep:
        return cls(id=id, until_event=event_name, timeout=timeout, next=next, on_timeout=on_timeout)

    @property
    def kind(self) -> WaitKind:
        if self.until_event is not None:
            return WaitKind.EVENT
        if self.until_time is not None:
            return WaitKind.TIME_OF_DAY
        return WaitKind.DURATION

    def exits(self) -> tuple[tuple[str, str | None], ...]:
        if self.kind is WaitKind.EVENT:
            return (("next", self.next), ("onTimeout", self.on_timeout))
        return (("next", self.next),)

    def wake_at(self, now: datetime, zone: ZoneInfo) -> datetime:
        """When a wait that starts ``now`` is over (for an event: when it times out)."""
        if self.kind is WaitKind.TIME_OF_DAY:
            assert self.until_time is not None
            day = now.astimezone(zone).date()
            moment = local_moment(day, self.until_time, zone)
            if moment <= now:
                moment = local_moment(day + timedelta(days=1), self.until_time, zone)
            return moment
        span = self.timeout if self.kind is WaitKind.EVENT else self.duration
        assert span is not None
        return now + span

    def problems(self) -> list[Problem]:
        path = f"steps.{self.id}"
        kinds = [self.duration, self.until_time, self.until_event]
        if sum(value is not None for value in kinds) != 1:
            return [
                Problem(path, ErrorCode.INVALID, "wait a duration, until a time, or for an event")
            ]
        problems: list[Problem] = []
        span, span_field = (
            (self.timeout, "timeout")
            if self.kind is WaitKind.EVENT
            else (self.duration, "duration")
        )
        if self.kind is not WaitKind.TIME_OF_DAY and (
            span is None or not timedelta(0) < span <= MAX_WAIT
        ):
            problems.append(
                Problem(f"{path}.{span_field}", ErrorCode.INVALID, "longer than 0, at most a year")
            )
        if self.kind is WaitKind.EVENT and not self.until_event:
            problems.append(Problem(f"{path}.untilEvent", ErrorCode.REQUIRED, "name the event"))
        if self.kind is not WaitKind.EVENT and self.on_timeout is not None:
            problems.append(
                Problem(
                    f"{path}.onTimeout", ErrorCode.INVALID, "only a wait for an event times out"
                )
            )
        return problems


@frozen(kw_only=True)
class BranchStep:
    """Goes to ``yes`` when the segment rule holds for the customer, else to ``no``."""

    step_kind: ClassVar[StepKind] = StepKind.BRANCH

    id: str
    rule: str
    yes: str | None = None
    no: str | None = None

    def exits(self) -> tuple[tuple[str, str | None], ...]:
        return (("yes", self.yes), ("no", self.no))

    def problems(self) -> list[Problem]:
        if not self.rule.strip():
            return [Problem(f"steps.{self.id}.rule", ErrorCode.REQUIRED, "write the rule")]
        return []


@frozen
class SplitPath:
    weight_percent: int
    next: str | None = None


@frozen(kw_only=True)
class SplitStep:
    """Sends each customer down one path at random, by the paths' weights (summing to 100)."""

    step_kind: ClassVar[StepKind] = StepKind.SPLIT

    id: str
    paths: tuple[SplitPath, ...]

    def exits(self) -> tuple[tuple[str, str | None], ...]:
        return tuple((f"paths.{index}.next", path.next) for index, path in enumerate(self.paths))

    def path_for(self, draw: int) -> SplitPath:
        """The path of a draw from 0 to 99."""
        cumulative = 0
        for path in self.paths:
            cumulative += path.weight_percent
            if draw < cumulative:
                return path
        return self.paths[-1]

    def problems(self) -> list[Problem]:
        path = f"steps.{self.id}.paths"
        if not self.paths:
            return [Problem(path, ErrorCode.REQUIRED, "give at least one path")]
        problems = [
            Problem(f"{path}.{index}.weightPercent", ErrorCode.INVALID, "1 to 100")
            for index, split in enumerate(self.paths)
            if not 1 <= split.weight_percent <= 100
        ]
        if sum(split.weight_percent for split in self.paths) != 100:
            problems.append(Problem(path, ErrorCode.INVALID, "the weights must sum to 100"))
        return problems


class UpdateKind(StrEnum):
    ADD_TAG = "add_tag"
    REMOVE_TAG = "remove_tag"
    SET_STAGE = "set_stage"
    SET_CUSTOM_FIELD = "set_custom_field"


@frozen(kw_only=True)
class UpdateStep:
    """Changes the customer: a tag, a lifecycle stage, or a custom field."""

    step_kind: ClassVar[StepKind] = StepKind.UPDATE

    id: str
    kind: UpdateKind
    next: str | None = None
    tag: str | None = None
    track: str | None = None
    stage: str | None = None
    field_key: str | None = None
    value: FieldValue = None

    def exits(self) -> tuple[tuple[str, str | None], ...]:
        return (("next", self.next),)

    def problems(self) -> list[Problem]:
        required = {
            UpdateKind.ADD_TAG: (("tag", self.tag),),
            UpdateKind.REMOVE_TAG: (("tag", self.tag),),
            UpdateKind.SET_STAGE: (("track", self.track), ("stage", self.stage)),
            UpdateKind.SET_CUSTOM_FIELD: (("fieldKey", self.field_key),),
        }[self.kind]
        return [
            Problem(f"steps.{self.id}.{name}", ErrorCode.REQUIRED, "must not be empty")
            for name, value in required
            if not value
        ]


@frozen(kw_only=True)
class TaskStep:
    """Gives the customer's owner a task, due ``due_in`` after the step is reached."""

    step_kind: ClassVar[StepKind] = StepKind.TASK

    id: str
    title: str
    due_in: timedelta = timedelta(days=1)
    task_kind: TaskKind = TaskKind.TODO
    next: str | None = None

    def exits(self) -> tuple[tuple[str, str | None], ...]:
        return (("next", self.next),)

    def problems(self) -> list[Problem]:
        path = f"steps.{self.id}"
        problems: list[Problem] = []
        try:
            title = clean_line(self.title, field=f"{path}.title", max_length=TITLE_MAX_LENGTH)
        except DomainError as error:
            return list(error.problems)
        if not title:
            problems.append(Problem(f"{path}.title", ErrorCode.REQUIRED, "give the task a title"))
        if not timedelta(0) <= self.due_in <= MAX_WAIT:
            problems.append(Problem(f"{path}.dueIn", ErrorCode.INVALID, "0 to a year"))
        return problems


Step = SendStep | WaitStep | BranchStep | SplitStep | UpdateStep | TaskStep


# --- Re-entry ---------------------------------------------------------------------------


class ReentryKind(StrEnum):
    NEVER = "never"
    AFTER = "after"
    ALWAYS = "always"


@frozen
class ReentryPolicy:
    """Whether a customer who was on the journey before may enter it again.

    Never while an enrolment of theirs is active. ``AFTER`` counts ``days`` from the moment
    the last enrolment *ended*: the rest between two runs does not depend on how long a run
    took.
    """

    kind: ReentryKind
    days: int | None = None

    @classmethod
    def never(cls) -> ReentryPolicy:
        return cls(ReentryKind.NEVER)

    @classmethod
    def after(cls, days: int) -> ReentryPolicy:
        return cls(ReentryKind.AFTER, days)

    @classmethod
    def always(cls) -> ReentryPolicy:
        return cls(ReentryKind.ALWAYS)

    def may_enter(self, previous: Sequence[Enrolment], now: datetime) -> bool:
        """``previous``: every enrolment of this customer in this journey, any version."""
        if any(enrolment.is_active for enrolment in previous):
            return False
        if not previous or self.kind is ReentryKind.ALWAYS:
            return True
        if self.kind is ReentryKind.NEVER:
            return False
        last_left = max(enrolment.left_at or enrolment.entered_at for enrolment in previous)
        return now >= last_left + timedelta(days=self.days or 0)

    def problems(self) -> list[Problem]:
        if self.kind is ReentryKind.AFTER:
            if self.days is None or not 1 <= self.days <= MAX_REENTRY_DAYS:
                return [Problem("reentry.days", ErrorCode.INVALID, f"1 to {MAX_REENTRY_DAYS} days")]
        elif self.days is not None:
            return [Problem("reentry.days", ErrorCode.INVALID, "only AFTER takes days")]
        return []


# --- Versions ---------------------------------------------------------------------------


@frozen(kw_only=True)
class JourneyVersion:
    """One immutable definition of a journey; ``number`` is given when it is published."""

    trigger: Trigger
    entry_step_id: str
    steps: tuple[Step, ...]
    goal_rule: str | None = None
    """The customer leaves, goal reached, as soon as this rule holds."""
    exit_rules: tuple[str, ...] = ()
    """The customer leaves as soon as any of these holds."""
    reentry: ReentryPolicy = field(factory=ReentryPolicy.never)
    number: int = 0
    published_at: datetime | None = None

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise DomainError([Problem("stepId", ErrorCode.UNKNOWN_STEP, f"no step {step_id!r}")])

    @property
    def rules(self) -> frozenset[str]:
        """Every rule text whose outcome ``Facts`` must hold: goal, exits and branches."""
        texts = {step.rule for step in self.steps if isinstance(step, BranchStep)}
        texts.update(self.exit_rules)
        if self.goal_rule:
            texts.add(self.goal_rule)
        return frozenset(texts)

    @property
    def awaited_events(self) -> frozenset[str]:
        return frozenset(
            step.until_event
            for step in self.steps
            if isinstance(step, WaitStep) and step.until_event is not None
        )

    def problems(self) -> list[Problem]:
        """Everything wrong with the definition, each naming its step."""
        problems = self.trigger.problems() + self.reentry.problems()
        if self.goal_rule is not None and not self.goal_rule.strip():
            problems.append(Problem("goalRule", ErrorCode.REQUIRED, "write the rule, or none"))
        problems.extend(
            Problem(f"exitRules.{index}", ErrorCode.REQUIRED, "write the rule")
            for index, rule in enumerate(self.exit_rules)
            if not rule.strip()
        )
        if not self.steps:
            return [*problems, Problem("steps", ErrorCode.REQUIRED, "a journey needs steps")]
        if len(self.steps) > MAX_STEPS:
            return [*problems, Problem("steps", ErrorCode.TOO_LONG, f"at most {MAX_STEPS}")]
        ids = [step.id for step in self.steps]
        seen: set[str] = set()
        for step_id in ids:
            if not _is_step_id(step_id):
                problems.append(
                    Problem(f"steps.{step_id}", ErrorCode.INVALID, "letters, digits, - and _")
                )
            if step_id in seen:
                problems.append(Problem(f"steps.{step_id}", ErrorCode.TAKEN, "two steps share it"))
            seen.add(step_id)
        for step in self.steps:
            problems.extend(step.problems())
            problems.extend(
                Problem(f"steps.{step.id}.{name}", ErrorCode.UNKNOWN_STEP, f"no step {target!r}")
                for name, target in step.exits()
                if target is not None and target not in seen
            )
        if self.entry_step_id not in seen:
            problems.append(
                Problem("entryStepId", ErrorCode.UNKNOWN_STEP, f"no step {self.entry_step_id!r}")
            )
            return problems
        if len(seen) < len(ids):
            return problems  # which of two steps an id means is unclear: fix the ids first
        graph = {
            step.id: [t for _, t in step.exits() if t is not None and t in seen]
            for step in self.steps
        }
        reachable = _reachable(graph, self.entry_step_id)
        problems.extend(
            Problem(f"steps.{step_id}", ErrorCode.UNREACHABLE_STEP, "no path from the entry")
            for step_id in ids
            if step_id not in reachable
        )
        waits = {step.id for step in self.steps if isinstance(step, WaitStep)}
        without_waits = {
            source: [target for target in targets if target not in waits]
            for source, targets in graph.items()
            if source not in waits
        }
        for loop in _loops(without_waits, order=ids):
            problems.append(
                Problem(
                    f"steps.{loop[0]}",
                    ErrorCode.LOOP_WITHOUT_WAIT,
                    f"the loop through {', '.join(loop)} has no wait",
                )
            )
        return problems

    def validate(self) -> None:
        problems = self.problems()
        if problems:
            raise DomainError(problems)


def _is_step_id(step_id: str) -> bool:
    return (
        0 < len(step_id) <= STEP_ID_MAX_LENGTH
        and step_id.isascii()
        and step_id.replace("-", "").replace("_", "").isalnum()
    )


def _reachable(graph: Mapping[str, Sequence[str]], start: str) -> set[str]:
    seen = {start}
    pending = [start]
    while pending:
        for target in graph.get(pending.pop(), ()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _loops(graph: Mapping[str, Sequence[str]], order: Sequence[str]) -> list[list[str]]:
    """The strongly connected parts of ``graph`` that hold a cycle (Tarjan's algorithm, kept
    iterative so a long chain of steps cannot exhaust the stack), each in ``order``."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    position = {step_id: place for place, step_id in enumerate(order)}
    for root in graph:
        if root in index_of:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index_of[node] = low[node] = len(index_of)
                stack.append(node)
                on_stack.add(node)
            targets = graph.get(node, ())
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index_of:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index_of[target])
                continue
            if low[node] == index_of[node]:
                part: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1 or node in targets:
                    found.append(sorted(part, key=position.__getitem__))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found, key=lambda part: position[part[0]])


# --- Journeys ---------------------------------------------------------------------------


class JourneyStatus(StrEnum):
    DRAFT = "draft"
    """Never published: nobody enters."""
    ACTIVE = "active"
    PAUSED = "paused"
    """Nobody new enters; customers on the journey carry on."""


def journey_name(raw: str) -> str:
    name = clean_line(raw, field="name", max_length=NAME_MAX_LENGTH)
    if not name:
        raise DomainError([Problem("name", ErrorCode.REQUIRED, "name the journey")])
    return name


@define(slots=False, eq=False)
class Journey:
    """``versions`` are every published version, oldest first; ``revision`` grows with every
    change, for optimistic concurrency (``version`` would be ambiguous here)."""

    id: str
    name: str
    status: JourneyStatus
    created_at: datetime
    created_by: str
    updated_at: datetime
    versions: list[JourneyVersion] = field(factory=list)
    published_version: int | None = None
    revision: int = 1

    @classmethod
    def create(cls, *, id: str, name: str, at: datetime, by: str) -> Journey:
        return cls(
            id=id,
            name=journey_name(name),
            status=JourneyStatus.DRAFT,
            created_at=at,
            created_by=by,
            updated_at=at,
        )

    @property
    def current(self) -> JourneyVersion | None:
        """The version new customers enter."""
        return None if self.published_version is None else self.version(self.published_version)

    @property
    def accepts_entries(self) -> bool:
        return self.status is JourneyStatus.ACTIVE and self.current is not None

    def version(self, number: int) -> JourneyVersion:
        if not 1 <= number <= len(self.versions):
            raise DomainError([Problem("version", ErrorCode.NOT_FOUND, f"no version {number}")])
        return self.versions[number - 1]

    def publish(self, version: JourneyVersion, at: datetime) -> JourneyVersion:
        """Check the definition and make it the version new customers enter. Customers on
        the journey keep the version they entered with."""
        version.validate()
        published = evolve(version, number=len(self.versions) + 1, published_at=at)
        self.versions.append(published)
        self.published_version = published.number
        self.status = JourneyStatus.ACTIVE
        self._touch(at)
        return published

    def pause(self, at: datetime) -> None:
        if self.status is not JourneyStatus.ACTIVE:
            raise RuleViolated(
                "status", ErrorCode.TRANSITION_NOT_ALLOWED, "only an active journey pauses"
            )
        self.status = JourneyStatus.PAUSED
        self._touch(at)

    def resume(self, at: datetime) -> None:
        if self.status is not JourneyStatus.PAUSED:
            raise RuleViolated(
                "status", ErrorCode.TRANSITION_NOT_ALLOWED, "only a paused journey resumes"
            )
        self.status = JourneyStatus.ACTIVE
        self._touch(at)

    def rename(self, name: str, at: datetime) -> None:
        self.name = journey_name(name)
        self._touch(at)

    def _touch(self, at: datetime) -> None:
        self.updated_at = at
        self.revision += 1


# --- Enrolments -------------------------------------------------------------------------


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    EXITED = "exited"
    GOAL_REACHED = "goal_reached"


class ExitReason(StrEnum):
    COMPLETED = "completed"
    """The customer reached the end of a path."""
    GOAL = "goal"
    EXIT_RULE = "exit_rule"


_STATUS_OF = {
    ExitReason.COMPLETED: EnrolmentStatus.COMPLETED,
    ExitReason.GOAL: EnrolmentStatus.GOAL_REACHED,
    ExitReason.EXIT_RULE: EnrolmentStatus.EXITED,
}


class MissingFact(LookupError):
    """The application did not give the outcome of a rule the journey needs: a bug, not
    bad input, so it is no ``DomainError``."""


@frozen(kw_only=True)
class Facts:
    """What the application knows about the customer when the enrolment moves on."""

    rules: Mapping[str, bool] = field(factory=dict)
    """The outcome of each rule text of ``JourneyVersion.rules``."""
    arrived_events: frozenset[str] = frozenset()
    """Names of the events tracked for the customer since the enrolment began waiting."""
    split_draws: Mapping[str, int] = field(factory=dict)
    """A draw from 0 to 99 per split step id; without one, a stable draw from the ids."""

    def holds(self, rule: str) -> bool:
        try:
            return self.rules[rule]
        except KeyError:
            raise MissingFact(f"no outcome given for the rule {rule!r}") from None


@frozen(kw_only=True)
class SendAction:
    step_id: str
    template_id: str
    channel: Channel
    source: MessageSource
    """Where the message comes from; its ``dedupe_key`` keeps a repeated run from sending
    twice."""


@frozen(kw_only=True)
class UpdateAction:
    step_id: str
    kind: UpdateKind
    tag: str | None
    track: str | None
    stage: str | None
    field_key: str | None
    value: FieldValue


@frozen(kw_only=True)
class TaskAction:
    step_id: str
    title: str
    task_kind: TaskKind
    due_at: datetime
    dedupe_key: str
    """For ``Task.dedupe_key``: one task per enrolment and step visit."""


Action = SendAction | UpdateAction | TaskAction


@frozen
class Advance:
    """What one move of an enrolment asks of the application."""

    actions: tuple[Action, ...]
    wake_at: datetime | None
    """When to move the enrolment again (a timer); ``None`` once it has left."""
    left: ExitReason | None = None


@frozen(kw_only=True)
class JourneyEntered(DomainEvent):
    """A customer entered a journey."""

    event_type = "rapport.journey.entered.v1"
    aggregate_type = "journey_enrolment"

    journey_id: str
    version: int
    customer_id: str


@frozen(kw_only=True)
class JourneyExited(DomainEvent):
    """A customer left a journey: at its end, on reaching the goal, or by an exit rule."""

    event_type = "rapport.journey.exited.v1"
    aggregate_type = "journey_enrolment"

    journey_id: str
    version: int
    customer_id: str
    reason: ExitReason
    step_id: str | None


@define(slots=False, eq=False)
class Enrolment:
    """One customer's run through one version of a journey."""

    id: str
    journey_id: str
    version: int
    customer_id: str
    status: EnrolmentStatus
    current_step_id: str | None
    """The step the customer waits at (or left from)."""
    entered_at: datetime
    updated_at: datetime
    left_at: datetime | None = None
    exit_reason: ExitReason | None = None
    waiting_since: datetime | None = None
    wake_at: datetime | None = None
    visits: dict[str, int] = field(factory=dict)
    """How often each step was reached: a loop back to a step sends its message again."""
    revision: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def enter(
        cls,
        *,
        id: str,
        journey_id: str,
        version: JourneyVersion,
        customer_id: str,
        at: datetime,
        by: str = SYSTEM_ACTOR_ID,
    ) -> Enrolment:
        """Enrol the customer at the entry step; ``advance`` then runs the first steps."""
        if version.number < 1:
            raise RuleViolated("version", ErrorCode.INVALID, "only a published version")
        enrolment = cls(
            id=id,
            journey_id=journey_id,
            version=version.number,
            customer_id=customer_id,
            status=EnrolmentStatus.ACTIVE,
            current_step_id=version.entry_step_id,
            entered_at=at,
            updated_at=at,
        )
        enrolment.events.append(
            JourneyEntered(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                journey_id=journey_id,
                version=version.number,
                customer_id=customer_id,
            )
        )
        return enrolment

    @property
    def is_active(self) -> bool:
        return self.status is EnrolmentStatus.ACTIVE

    def advance(
        self,
        version: JourneyVersion,
        now: datetime,
        facts: Facts,
        zone: ZoneInfo | None = None,
        by: str = SYSTEM_ACTOR_ID,
    ) -> Advance:
        """Move through every step that does not wait, up to the next wait or the end.

        The goal and exit rules come first: when one holds, the customer leaves at once. A
        wait already begun is over when its time has come (or, for an event, when the event
        arrived; past the timeout it leaves by ``on_timeout``). ``zone`` is the customer's,
        for waits until a time of day.
        """
        if version.number != self.version:
            raise RuleViolated("version", ErrorCode.INVALID, "the enrolment is on another version")
        if not self.is_active:
            return Advance((), None, None)
        if version.goal_rule and facts.holds(version.goal_rule):
            return self._leave(ExitReason.GOAL, now, by, ())
        if any(facts.holds(rule) for rule in version.exit_rules):
            return self._leave(ExitReason.EXIT_RULE, now, by, ())
        zone = zone or ZoneInfo("UTC")
        actions: list[Action] = []
        # Validation forbids loops without a wait, so a move runs each other step at most
        # once; the budget only guards against a definition that skipped validation.
        budget = len(version.steps)
        step_id = self.current_step_id
        while step_id is not None:
            step = version.step(step_id)
            self.current_step_id = step_id
            if isinstance(step, WaitStep):
                if self.wake_at is None:
                    self._count_visit(step_id)
                    self.waiting_since = now
                    self.wake_at = step.wake_at(now, zone)
                    self._touch(now)
                    return Advance(tuple(actions), self.wake_at)
                over, after = self._wait_over(step, now, facts)
                if not over:
                    return Advance(tuple(actions), self.wake_at)
                self.waiting_since = self.wake_at = None
                step_id = after
                continue
            budget -= 1
            if budget < 0:
                raise RuleViolated(
                    f"steps.{step_id}", ErrorCode.LOOP_WITHOUT_WAIT, "the journey loops"
                )
            visit = self._count_visit(step_id)
            step_id = self._run(step, visit, now, facts, actions)
        return self._leave(ExitReason.COMPLETED, now, by, tuple(actions))

    def exit(self, reason: ExitReason, at: datetime, by: str = SYSTEM_ACTOR_ID) -> bool:
        """Take the customer off the journey from outside (a goal or exit rule seen by the
        application between two moves). False: the enrolment had already ended."""
        if not self.is_active:
            return False
        self._leave(reason, at, by, ())
        return True

    def _wait_over(self, step: WaitStep, now: datetime, facts: Facts) -> tuple[bool, str | None]:
        """Whether the wait begun at ``step`` is over, and the step it leads to."""
        if step.kind is WaitKind.EVENT and step.until_event in facts.arrived_events:
            return True, step.next
        assert self.wake_at is not None
        if now < self.wake_at:
            return False, None
        return True, step.on_timeout if step.kind is WaitKind.EVENT else step.next

    def _run(
        self, step: Step, visit: int, now: datetime, facts: Facts, actions: list[Action]
    ) -> str | None:
        if isinstance(step, SendStep):
            actions.append(
                SendAction(
                    step_id=step.id,
                    template_id=step.template_id,
                    channel=step.channel,
                    source=MessageSource.journey(
                        journey_id=self.journey_id,
                        version=self.version,
                        step_id=step.id,
                        enrolment_id=self.id,
                        visit=visit,
                    ),
                )
            )
            return step.next
        if isinstance(step, UpdateStep):
            actions.append(
                UpdateAction(
                    step_id=step.id,
                    kind=step.kind,
                    tag=step.tag,
                    track=step.track,
                    stage=step.stage,
                    field_key=step.field_key,
                    value=step.value,
                )
            )
            return step.next
        if isinstance(step, TaskStep):
            key = f"journey:{self.id}:{step.id}"
            actions.append(
                TaskAction(
                    step_id=step.id,
                    title=step.title,
                    task_kind=step.task_kind,
                    due_at=now + step.due_in,
                    dedupe_key=key if visit == 1 else f"{key}:{visit}",
                )
            )
            return step.next
        if isinstance(step, BranchStep):
            return step.yes if facts.holds(step.rule) else step.no
        if isinstance(step, SplitStep):
            draw = facts.split_draws.get(step.id)
            if draw is None:
                draw = stable_draw(self.id, step.id, visit)
            return step.path_for(draw % 100).next
        raise AssertionError(f"a wait is not run: {step!r}")  # pragma: no cover

    def _count_visit(self, step_id: str) -> int:
        self.visits[step_id] = self.visits.get(step_id, 0) + 1
        return self.visits[step_id]

    def _leave(
        self, reason: ExitReason, at: datetime, by: str, actions: tuple[Action, ...]
    ) -> Advance:
        self.status = _STATUS_OF[reason]
        self.exit_reason = reason
        self.left_at = at
        self.waiting_since = self.wake_at = None
        self._touch(at)
        self.events.append(
            JourneyExited(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                journey_id=self.journey_id,
                version=self.version,
                customer_id=self.customer_id,
                reason=reason,
                step_id=self.current_step_id,
            )
        )
        return Advance(actions, None, reason)

    def _touch(self, at: datetime) -> None:
        self.updated_at = at
        self.revision += 1


def stable_draw(enrolment_id: str, step_id: str, visit: int) -> int:
    """A draw from 0 to 99 that a rerun of the same move repeats."""
    digest = hashlib.sha256(f"{enrolment_id}\x00{step_id}\x00{visit}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100
