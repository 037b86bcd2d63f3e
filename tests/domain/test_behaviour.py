from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.behaviour import EventFrequency, Occurrence
from domain.customers import EmailAddress
from domain.customers.reference import CustomerRef, ExternalId
from domain.errors import DomainError, ErrorCode, InvalidValue

NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def parse(**overrides: Any) -> Occurrence:
    values: dict[str, Any] = {
        "event_id": "evt-1",
        "name": "Signed In",
        "occurred_at": NOW - timedelta(minutes=5),
        "properties": {"plan": "pro"},
        "received_at": NOW,
    }
    values.update(overrides)
    return Occurrence.parse(**values)


def test_an_occurrence_keeps_its_utc_time_and_properties() -> None:
    paris = timezone(timedelta(hours=2))
    occurrence = parse(occurred_at=datetime(2026, 5, 1, 1, 30, tzinfo=paris))
    assert occurrence.occurred_at == datetime(2026, 4, 30, 23, 30, tzinfo=UTC)
    assert occurrence.occurred_at.utcoffset() == timedelta(0)
    event = occurrence.tracked(id="t-1", customer_id="c-1", received_at=NOW)
    assert event.day == date(2026, 4, 30)
    assert event.properties == {"plan": "pro"}


def test_occurred_at_defaults_to_the_time_received() -> None:
    assert parse(occurred_at=None).occurred_at == NOW


@pytest.mark.parametrize(
    ("overrides", "problems"),
    [
        ({"event_id": None}, {("eventId", ErrorCode.REQUIRED)}),
        ({"event_id": "  "}, {("eventId", ErrorCode.REQUIRED)}),
        ({"event_id": "x" * 101}, {("eventId", ErrorCode.TOO_LONG)}),
        (
            {"name": None, "event_id": None},
            {("name", ErrorCode.REQUIRED), ("eventId", ErrorCode.REQUIRED)},
        ),
        ({"name": "x" * 101}, {("name", ErrorCode.TOO_LONG)}),
        ({"properties": [1, 2]}, {("properties", ErrorCode.INVALID)}),
        ({"properties": "text"}, {("properties", ErrorCode.INVALID)}),
        ({"properties": {"n": float("nan")}}, {("properties", ErrorCode.INVALID)}),
        ({"properties": {"blob": "x" * 9000}}, {("properties", ErrorCode.TOO_LONG)}),
        ({"occurred_at": datetime(2026, 5, 1)}, {("occurredAt", ErrorCode.INVALID)}),
        ({"occurred_at": NOW + timedelta(days=2)}, {("occurredAt", ErrorCode.INVALID)}),
    ],
)
def test_bad_fields_are_all_reported(
    overrides: dict[str, Any], problems: set[tuple[str, ErrorCode]]
) -> None:
    with pytest.raises(DomainError) as caught:
        parse(**overrides)
    assert {(p.field, p.code) for p in caught.value.problems} == problems


def test_the_timeline_entry_shows_the_event() -> None:
    event = parse().tracked(id="t-1", customer_id="c-1", received_at=NOW)
    entry = event.timeline_entry()
    assert (entry.id, entry.kind, entry.subject_type, entry.title, entry.actor_id) == (
        "t-1",
        "behaviour_event",
        "BehaviourEvent",
        "Signed In",
        None,
    )
    assert entry.data == {"plan": "pro"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"id": "c-1"}, CustomerRef(id="c-1")),
        ({"email": "Ada@Example.com"}, CustomerRef(email=EmailAddress("ada@example.com"))),
        (
            {"external_id": ("shopify", " 42 ")},
            CustomerRef(external_id=ExternalId("shopify", "42")),
        ),
    ],
)
def test_a_reference_names_exactly_one_key(given: dict[str, Any], expected: CustomerRef) -> None:
    values: dict[str, Any] = {"id": None, "email": None, "external_id": None, **given}
    assert CustomerRef.parse(**values) == expected


@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        ({}, "customer", ErrorCode.REQUIRED),
        ({"id": "c-1", "email": "a@example.com"}, "customer", ErrorCode.INVALID),
        ({"id": "c-1", "external_id": ("s", "v")}, "customer", ErrorCode.INVALID),
        ({"id": " "}, "customer.id", ErrorCode.REQUIRED),
        ({"email": "nope"}, "customer.email", ErrorCode.INVALID_EMAIL),
        ({"external_id": ("", "v")}, "customer.externalId.source", ErrorCode.REQUIRED),
    ],
)
def test_a_bad_reference_is_refused(given: dict[str, Any], field: str, code: ErrorCode) -> None:
    values: dict[str, Any] = {"id": None, "email": None, "external_id": None, **given}
    with pytest.raises(InvalidValue) as caught:
        CustomerRef.parse(**values)
    assert [(p.field, p.code) for p in caught.value.problems] == [(field, code)]


def test_a_frequency_window_counts_today_and_the_days_before() -> None:
    assert EventFrequency("Signed In", 3, 7).first_day(date(2026, 5, 10)) == date(2026, 5, 4)
    assert EventFrequency("Signed In", 1, 1).first_day(date(2026, 5, 10)) == date(2026, 5, 10)


@pytest.mark.parametrize(
    ("at_least", "days", "field"), [(0, 7, "atLeast"), (1, 0, "days"), (1, 10_000, "days")]
)
def test_a_frequency_needs_sensible_bounds(at_least: int, days: int, field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        EventFrequency("Signed In", at_least, days)
    assert caught.value.problems[0].field == field


@given(st.datetimes(timezones=st.just(UTC)), st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_the_day_of_an_event_is_its_utc_date_whatever_the_offset(
    moment: datetime, offset_minutes: int
) -> None:
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    occurrence = parse(occurred_at=local, received_at=moment + timedelta(days=2))
    event = occurrence.tracked(id="t", customer_id="c", received_at=moment)
    assert event.day == moment.date()
