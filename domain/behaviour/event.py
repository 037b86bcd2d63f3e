"""Tracked events: facts about a customer's behaviour, stored once and never changed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from attrs import frozen

from domain.errors import ErrorCode, InvalidValue, ProblemCollector
from domain.text import clean_line
from domain.timeline import TimelineEntry

NAME_MAX_LENGTH: Final = 100
EVENT_ID_MAX_LENGTH: Final = 100
PROPERTIES_MAX_LENGTH: Final = 8_192
"""Characters of the properties' compact JSON."""
MAX_CLOCK_SKEW: Final = timedelta(days=1)
SUBJECT_TYPE: Final = "BehaviourEvent"
"""How timeline entries and global ids name a tracked event."""
TIMELINE_KIND: Final = "behaviour_event"


@frozen(kw_only=True)
class Occurrence:
    """What a tracking client says happened, checked, before it is tied to a customer."""

    event_id: str
    """The client's idempotency key: the same id sent twice is stored once."""
    name: str
    occurred_at: datetime
    properties: Mapping[str, Any]

    @classmethod
    def parse(
        cls,
        *,
        event_id: str | None,
        name: str | None,
        occurred_at: datetime | None,
        properties: object,
        received_at: datetime,
    ) -> Occurrence:
        """Check every field; ``occurred_at`` defaults to ``received_at``."""
        problems = ProblemCollector()
        clean_id = problems.check(lambda: _required_line(event_id, "eventId", EVENT_ID_MAX_LENGTH))
        clean_name = problems.check(lambda: _required_line(name, "name", NAME_MAX_LENGTH))
        when = occurred_at or received_at
        problems.check(lambda: _check_time(when, received_at))
        clean_properties = problems.check(lambda: _check_properties(properties))
        problems.raise_if_any()
        return cls(
            event_id=clean_id or "",
            name=clean_name or "",
            occurred_at=when.astimezone(UTC),
            properties=clean_properties or {},
        )

    def tracked(self, *, id: str, customer_id: str, received_at: datetime) -> TrackedEvent:
        return TrackedEvent(
            id=id,
            event_id=self.event_id,
            customer_id=customer_id,
            name=self.name,
            occurred_at=self.occurred_at,
            received_at=received_at,
            properties=self.properties,
        )


@frozen(kw_only=True)
class TrackedEvent:
    """An occurrence tied to a customer: append-only, counted per UTC day."""

    id: str
    event_id: str
    customer_id: str
    name: str
    occurred_at: datetime
    received_at: datetime
    properties: Mapping[str, Any]

    @property
    def day(self) -> date:
        """The UTC day it is counted under."""
        return self.occurred_at.astimezone(UTC).date()

    def timeline_entry(self) -> TimelineEntry:
        return TimelineEntry(
            id=self.id,
            customer_id=self.customer_id,
            kind=TIMELINE_KIND,
            occurred_at=self.occurred_at,
            subject_type=SUBJECT_TYPE,
            subject_id=self.id,
            title=self.name,
            data=self.properties,
        )


def _required_line(raw: str | None, field: str, max_length: int) -> str:
    text = clean_line(raw or "", field=field, max_length=max_length)
    if not text:
        raise InvalidValue(field, ErrorCode.REQUIRED, "must not be empty")
    return text


def _check_time(occurred_at: datetime, received_at: datetime) -> None:
    if occurred_at.tzinfo is None:
        raise InvalidValue("occurredAt", ErrorCode.INVALID, "must include a time zone")
    if occurred_at > received_at + MAX_CLOCK_SKEW:
        raise InvalidValue("occurredAt", ErrorCode.INVALID, "is more than a day in the future")


def _check_properties(properties: object) -> Mapping[str, Any]:
    if properties is None:
        return {}
    if not isinstance(properties, dict) or not all(isinstance(key, str) for key in properties):
        raise InvalidValue("properties", ErrorCode.INVALID, "must be a JSON object")
    try:
        size = len(json.dumps(properties, separators=(",", ":"), allow_nan=False))
    except (TypeError, ValueError):
        raise InvalidValue(
            "properties", ErrorCode.INVALID, "must hold only JSON values, and finite numbers"
        ) from None
    if size > PROPERTIES_MAX_LENGTH:
        raise InvalidValue(
            "properties",
            ErrorCode.TOO_LONG,
            f"must be at most {PROPERTIES_MAX_LENGTH} characters as JSON",
        )
    return properties
