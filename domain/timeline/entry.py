"""One entry of a customer's timeline, written by the module that owns what it shows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

TITLE_MAX_LENGTH: Final = 200
SUMMARY_MAX_LENGTH: Final = 500
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SUBJECT_TYPE = re.compile(r"^[A-Z][A-Za-z0-9]{0,39}$")


def _check_kind(_: object, __: object, value: str) -> None:
    if not _KIND.match(value):
        raise InvalidValue("kind", ErrorCode.INVALID, "kinds are lower_snake_case, at most 40")


def _check_subject_type(_: object, __: object, value: str) -> None:
    if not _SUBJECT_TYPE.match(value):
        raise InvalidValue("subjectType", ErrorCode.INVALID, "subject types are PascalCase")


def _check_aware(_: object, __: object, value: datetime) -> None:
    if value.tzinfo is None:
        raise InvalidValue("occurredAt", ErrorCode.INVALID, "must include a time zone")


def clip(text: str, max_length: int) -> str:
    """``text`` cut to ``max_length`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def _title(text: str) -> str:
    return clip(text, TITLE_MAX_LENGTH)


def _summary(text: str | None) -> str | None:
    return None if text is None else clip(text, SUMMARY_MAX_LENGTH)


@frozen(kw_only=True)
class TimelineEntry:
    """What happened, when, and which record tells the whole story.

    ``id`` is unique across every kind (the id of the record, or of the change, it shows);
    a timeline is ordered by ``(occurred_at, id)``, newest first. ``kind`` is open-ended:
    a module adds entries of its own kinds without the timeline knowing them.
    """

    id: str
    customer_id: str
    kind: str = field(validator=_check_kind)
    occurred_at: datetime = field(validator=_check_aware)
    subject_type: str = field(validator=_check_subject_type)
    """The type of the record the entry shows, named as the API's global ids name it."""
    subject_id: str
    actor_id: str | None = None
    title: str = field(default="", converter=_title)
    summary: str | None = field(default=None, converter=_summary)
    data: Mapping[str, Any] = field(factory=dict)
    """A small JSON snapshot of the record, enough to draw the entry without loading it."""
