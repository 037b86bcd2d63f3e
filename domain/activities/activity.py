"""The activity aggregate: a note, call, email or meeting with a customer."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from attrs import define, field, frozen

from domain.activities.events import ActivityDeleted, ActivityLogged, ActivityUpdated
from domain.changes import KEEP, Keep
from domain.errors import ErrorCode, InvalidValue, ProblemCollector, RuleViolated
from domain.events import DomainEvent
from domain.text import clean_line, clean_text
from domain.timeline import TimelineEntry

SUBJECT_MAX_LENGTH: Final = 200
BODY_MAX_LENGTH: Final = 10_000
MAX_DURATION_SECONDS: Final = 24 * 60 * 60
SUBJECT_TYPE: Final = "Activity"
"""How timeline entries and global ids name an activity."""


class ActivityKind(StrEnum):
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"

    @property
    def has_duration(self) -> bool:
        return self in (ActivityKind.CALL, ActivityKind.MEETING)

    @property
    def has_direction(self) -> bool:
        return self in (ActivityKind.CALL, ActivityKind.EMAIL)


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


@frozen(kw_only=True)
class ActivityChanges:
    """A partial edit; ``KEEP`` leaves a field as it is, ``None`` clears duration or direction."""

    occurred_at: datetime | Keep = KEEP
    subject: str | Keep = KEEP
    body: str | Keep = KEEP
    duration_seconds: int | Keep | None = KEEP
    direction: Direction | Keep | None = KEEP


@frozen(kw_only=True)
class _Content:
    occurred_at: datetime
    subject: str
    body: str
    duration_seconds: int | None
    direction: Direction | None

    @classmethod
    def check(
        cls,
        kind: ActivityKind,
        *,
        occurred_at: datetime,
        subject: str,
        body: str,
        duration_seconds: int | None,
        direction: Direction | None,
    ) -> _Content:
        """Every problem with the content of an activity of ``kind``, reported at once."""
        problems = ProblemCollector()
        problems.check(lambda: _check_aware(occurred_at))
        clean_subject = problems.check(
            lambda: clean_line(subject, field="subject", max_length=SUBJECT_MAX_LENGTH)
        )
        clean_body = problems.check(
            lambda: clean_text(body, field="body", max_length=BODY_MAX_LENGTH)
        )
        problems.check(lambda: _check_duration(kind, duration_seconds))
        problems.check(lambda: _check_direction(kind, direction))
        problems.raise_if_any()
        if not (clean_subject or clean_body):
            raise InvalidValue("body", ErrorCode.REQUIRED, "an activity needs a subject or a body")
        return cls(
            occurred_at=occurred_at.astimezone(UTC),
            subject=clean_subject or "",
            body=clean_body or "",
            duration_seconds=duration_seconds,
            direction=direction,
        )


def _check_aware(occurred_at: datetime) -> None:
    if occurred_at.tzinfo is None:
        raise InvalidValue("occurredAt", ErrorCode.INVALID, "must include a time zone")


def _check_duration(kind: ActivityKind, duration_seconds: int | None) -> None:
    if duration_seconds is None:
        return
    if not kind.has_duration:
        raise InvalidValue(
            "durationSeconds", ErrorCode.INVALID, "only calls and meetings have a duration"
        )
    if not 0 <= duration_seconds <= MAX_DURATION_SECONDS:
        raise InvalidValue(
            "durationSeconds",
            ErrorCode.INVALID,
            f"must be between 0 and {MAX_DURATION_SECONDS} seconds",
        )


def _check_direction(kind: ActivityKind, direction: Direction | None) -> None:
    if kind.has_direction and direction is None:
        raise InvalidValue("direction", ErrorCode.REQUIRED, "calls and emails have a direction")
    if not kind.has_direction and direction is not None:
        raise InvalidValue("direction", ErrorCode.INVALID, "only calls and emails have a direction")


@define(slots=False, eq=False)
class Activity:
    """What was said or done with a customer, by whom; ``version`` counts accepted edits."""

    id: str
    customer_id: str
    kind: ActivityKind
    author_id: str
    occurred_at: datetime
    subject: str
    body: str
    duration_seconds: int | None
    direction: Direction | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def log(
        cls,
        *,
        id: str,
        customer_id: str,
        kind: ActivityKind,
        author_id: str,
        occurred_at: datetime,
        subject: str = "",
        body: str = "",
        duration_seconds: int | None = None,
        direction: Direction | None = None,
        at: datetime,
    ) -> Activity:
        content = _Content.check(
            kind,
            occurred_at=occurred_at,
            subject=subject,
            body=body,
            duration_seconds=duration_seconds,
            direction=direction,
        )
        activity = cls(
            id=id,
            customer_id=customer_id,
            kind=kind,
            author_id=author_id,
            occurred_at=content.occurred_at,
            subject=content.subject,
            body=content.body,
            duration_seconds=content.duration_seconds,
            direction=content.direction,
            created_at=at,
            updated_at=at,
        )
        activity.events.append(
            ActivityLogged(
                aggregate_id=id,
                occurred_at=at,
                actor_id=author_id,
                customer_id=customer_id,
                kind=kind.value,
                author_id=author_id,
                activity_at=activity.occurred_at,
                subject=activity.subject,
                body=activity.body,
                duration_seconds=activity.duration_seconds,
                direction=activity.direction.value if activity.direction else None,
            )
        )
        return activity

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def edit(self, changes: ActivityChanges, *, at: datetime, by: str, moderator: bool) -> None:
        """Apply ``changes``; only the author, or a ``moderator`` (a manager), may edit."""
        self._require_changeable_by(by, moderator)
        current = self._content()
        wanted: dict[str, Any] = {
            name: getattr(current, name) if value is KEEP else value
            for name, value in (
                ("occurred_at", changes.occurred_at),
                ("subject", changes.subject),
                ("body", changes.body),
                ("duration_seconds", changes.duration_seconds),
                ("direction", changes.direction),
            )
        }
        content = _Content.check(self.kind, **wanted)
        changed = {
            name: getattr(content, name)
            for name in wanted
            if getattr(content, name) != getattr(current, name)
        }
        if not changed:
            return
        for name, value in changed.items():
            setattr(self, name, value)
        self.updated_at = at
        self.version += 1
        self.events.append(
            ActivityUpdated(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                customer_id=self.customer_id,
                changes={name: _plain(value) for name, value in changed.items()},
                version=self.version,
            )
        )

    def delete(self, *, at: datetime, by: str, moderator: bool) -> None:
        """Take the activity off the record; it is kept, marked deleted, for the audit."""
        self._require_changeable_by(by, moderator)
        self.deleted_at = at
        self.updated_at = at
        self.version += 1
        self.events.append(
            ActivityDeleted(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                customer_id=self.customer_id,
                version=self.version,
            )
        )

    @property
    def is_contact(self) -> bool:
        """A conversation with the customer: a call or a meeting, or an email sent to them."""
        if self.kind is ActivityKind.EMAIL:
            return self.direction is not Direction.INBOUND
        return self.kind in (ActivityKind.CALL, ActivityKind.MEETING)

    def timeline_entry(self) -> TimelineEntry:
        """How the activity shows on its customer's timeline."""
        data: dict[str, Any] = {}
        if self.direction is not None:
            data["direction"] = self.direction.name
        if self.duration_seconds is not None:
            data["durationSeconds"] = self.duration_seconds
        return TimelineEntry(
            id=self.id,
            customer_id=self.customer_id,
            kind=self.kind.value,
            occurred_at=self.occurred_at,
            subject_type=SUBJECT_TYPE,
            subject_id=self.id,
            actor_id=self.author_id,
            title=self.subject or self.body.split("\n", 1)[0],
            summary=self.body or None,
            data=data,
        )

    def _content(self) -> _Content:
        return _Content(
            occurred_at=self.occurred_at,
            subject=self.subject,
            body=self.body,
            duration_seconds=self.duration_seconds,
            direction=self.direction,
        )

    def _require_changeable_by(self, actor_id: str, moderator: bool) -> None:
        if self.is_deleted:
            raise RuleViolated("id", ErrorCode.NOT_FOUND, "the activity was deleted")
        if actor_id != self.author_id and not moderator:
            raise RuleViolated(
                "", ErrorCode.FORBIDDEN, "only its author or a manager may change an activity"
            )


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Direction):
        return value.value
    return value
