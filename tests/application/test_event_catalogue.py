"""The event catalogue covers every event class, and docs/events.md is generated from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from cloudevents.v1.http import from_json

from application.events.catalogue import catalogue, event_classes
from application.events.docs import refresh
from application.events.envelope import OutboxRecord, to_cloudevent

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_events_guide_is_generated_from_the_classes() -> None:
    current = DOCS.read_text(encoding="utf-8")
    assert refresh(current) == current, "docs/events.md is stale: run `rapport events docs`"


def test_every_event_class_has_a_versioned_type_a_schema_and_an_example() -> None:
    entries = {entry.name: entry for entry in catalogue()}
    assert len(entries) == len(event_classes()) >= 15
    for name, entry in entries.items():
        assert name.startswith("rapport.") and name.endswith(".v1")
        properties = entry.schema["properties"]
        assert set(entry.example) == set(properties)
        assert set(entry.schema["required"]) <= set(entry.example)


def test_outbox_records_become_structured_cloudevents() -> None:
    record = OutboxRecord(
        position=7,
        event_id="0190f5a2-0000-7000-8000-000000000007",
        event_type="rapport.customer.archived.v1",
        aggregate_type="customer",
        aggregate_id="c-1",
        actor_id="u-1",
        occurred_at=datetime(2026, 1, 1, 9, tzinfo=UTC),
        payload={},
    )
    event = from_json(json.dumps(to_cloudevent(record, "urn:test")))
    assert event["id"] == record.event_id
    assert event["source"] == "urn:test"
    assert event["type"] == "rapport.customer.archived.v1"
    assert event["subject"] == "c-1"
    assert event["specversion"] == "1.0"
    assert event["datacontenttype"] == "application/json"


def test_enums_and_tuples_get_schemas_so_new_events_need_no_extra_work() -> None:
    from enum import StrEnum

    from application.events.catalogue import _example_of, _schema_of

    class Colour(StrEnum):
        RED = "red"
        BLUE = "blue"

    assert _schema_of(Colour) == {"type": "string", "enum": ["red", "blue"]}
    assert _example_of(Colour, "colour") == "red"
    assert _schema_of(tuple[str, ...]) == {"type": "array", "items": {"type": "string"}}
    assert _schema_of(Colour | None) == {
        "type": ["string", "null"],
        "enum": ["red", "blue", None],
    }
