from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.activities import (
    Activity,
    ActivityChanges,
    ActivityDeleted,
    ActivityKind,
    ActivityLogged,
    ActivityUpdated,
    Direction,
)
from domain.errors import DomainError, ErrorCode, RuleViolated

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def log(**overrides: Any) -> Activity:
    values: dict[str, Any] = {
        "id": "a-1",
        "customer_id": "c-1",
        "kind": ActivityKind.CALL,
        "author_id": "u-1",
        "occurred_at": T0 - timedelta(hours=1),
        "subject": "Renewal",
        "body": "They will renew.",
        "duration_seconds": 300,
        "direction": Direction.OUTBOUND,
        "at": T0,
    }
    values.update(overrides)
    return Activity.log(**values)


def codes(error: DomainError) -> set[tuple[str, ErrorCode]]:
    return {(p.field, p.code) for p in error.problems}


def test_logging_records_the_logged_event_with_the_author() -> None:
    activity = log()
    (event,) = activity.events
    assert isinstance(event, ActivityLogged)
    assert (event.event_type, event.actor_id, event.customer_id, event.kind) == (
        "rapport.activity.logged.v1",
        "u-1",
        "c-1",
        "call",
    )
    assert event.activity_at == T0 - timedelta(hours=1) and event.occurred_at == T0
    assert (activity.version, activity.created_at) == (1, T0)


@pytest.mark.parametrize(
    ("overrides", "problems"),
    [
        ({"body": "x" * 10_001}, {("body", ErrorCode.TOO_LONG)}),
        ({"subject": "x" * 201}, {("subject", ErrorCode.TOO_LONG)}),
        ({"subject": "a\nb"}, {("subject", ErrorCode.INVALID)}),
        ({"body": "bell\x07"}, {("body", ErrorCode.INVALID)}),
        ({"subject": " ", "body": ""}, {("body", ErrorCode.REQUIRED)}),
        (
            {"kind": ActivityKind.NOTE},
            {("durationSeconds", ErrorCode.INVALID), ("direction", ErrorCode.INVALID)},
        ),
        (
            {"kind": ActivityKind.EMAIL, "direction": None},
            {("durationSeconds", ErrorCode.INVALID), ("direction", ErrorCode.REQUIRED)},
        ),
        (
            {"kind": ActivityKind.MEETING, "duration_seconds": -1, "direction": None},
            {("durationSeconds", ErrorCode.INVALID)},
        ),
        ({"duration_seconds": 24 * 3600 + 1}, {("durationSeconds", ErrorCode.INVALID)}),
        ({"occurred_at": datetime(2026, 5, 1)}, {("occurredAt", ErrorCode.INVALID)}),
    ],
)
def test_invalid_content_is_refused_with_every_problem(
    overrides: dict[str, Any], problems: set[tuple[str, ErrorCode]]
) -> None:
    with pytest.raises(DomainError) as caught:
        log(**overrides)
    assert codes(caught.value) == problems


def test_a_body_of_exactly_ten_thousand_characters_keeps_its_lines() -> None:
    body = ("line\r\n" * 2000)[:10_000]
    activity = log(kind=ActivityKind.NOTE, duration_seconds=None, direction=None, body=body)
    assert "\r" not in activity.body and activity.body.count("\n") > 1000


def test_each_kind_takes_only_its_own_fields() -> None:
    assert log(kind=ActivityKind.MEETING, direction=None).duration_seconds == 300
    assert log(kind=ActivityKind.EMAIL, duration_seconds=None).direction is Direction.OUTBOUND
    note = log(kind=ActivityKind.NOTE, duration_seconds=None, direction=None)
    assert (note.duration_seconds, note.direction) == (None, None)


def test_the_author_edits_and_the_version_grows() -> None:
    activity = log()
    activity.events.clear()
    activity.edit(
        ActivityChanges(subject="Renewal agreed", duration_seconds=None),
        at=T0 + timedelta(1),
        by="u-1",
        moderator=False,
    )
    assert (activity.subject, activity.duration_seconds, activity.version) == (
        "Renewal agreed",
        None,
        2,
    )
    (event,) = activity.events
    assert isinstance(event, ActivityUpdated)
    assert event.changes == {"subject": "Renewal agreed", "duration_seconds": None}
    assert event.version == 2


def test_an_edit_that_changes_nothing_records_nothing() -> None:
    activity = log()
    activity.events.clear()
    activity.edit(ActivityChanges(subject=" Renewal "), at=T0, by="u-1", moderator=False)
    assert (activity.version, activity.events) == (1, [])


def test_someone_else_may_not_edit_or_delete_but_a_moderator_may() -> None:
    activity = log()
    with pytest.raises(RuleViolated) as caught:
        activity.edit(ActivityChanges(subject="Mine now"), at=T0, by="u-2", moderator=False)
    assert codes(caught.value) == {("", ErrorCode.FORBIDDEN)}
    with pytest.raises(RuleViolated):
        activity.delete(at=T0, by="u-2", moderator=False)
    activity.edit(ActivityChanges(subject="Tidied"), at=T0, by="m-1", moderator=True)
    assert activity.subject == "Tidied"


def test_an_invalid_edit_changes_nothing() -> None:
    activity = log()
    with pytest.raises(DomainError):
        activity.edit(
            ActivityChanges(body="x" * 10_001, subject="New"), at=T0, by="u-1", moderator=False
        )
    assert (activity.subject, activity.body, activity.version) == ("Renewal", "They will renew.", 1)


def test_deletion_is_soft_and_final() -> None:
    activity = log()
    activity.delete(at=T0 + timedelta(1), by="u-1", moderator=False)
    assert activity.is_deleted and activity.version == 2
    assert isinstance(activity.events[-1], ActivityDeleted)
    with pytest.raises(RuleViolated) as caught:
        activity.edit(ActivityChanges(subject="Back"), at=T0, by="u-1", moderator=True)
    assert codes(caught.value) == {("id", ErrorCode.NOT_FOUND)}


def test_the_timeline_entry_shows_the_activity() -> None:
    entry = log(subject="", body="Called about the renewal\nThey agreed").timeline_entry()
    assert (entry.id, entry.customer_id, entry.kind, entry.subject_type, entry.actor_id) == (
        "a-1",
        "c-1",
        "call",
        "Activity",
        "u-1",
    )
    assert entry.title == "Called about the renewal"
    assert entry.occurred_at == T0 - timedelta(hours=1)
    assert entry.data == {"direction": "OUTBOUND", "durationSeconds": 300}
