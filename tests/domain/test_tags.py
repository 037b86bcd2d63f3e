"""The tag aggregate and tag changes: validation, events and timeline entries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import DomainError, ErrorCode, InvalidValue
from domain.tags import Colour, CustomerTagged, CustomerUntagged, Tag, TagCategory, TagChange
from domain.tags.tag import name_key

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make(name: str = "VIP", colour: str = "#ff8800", description: str = "") -> Tag:
    return Tag.create(
        id="tag-1",
        name=name,
        colour=colour,
        category=TagCategory.BEHAVIOUR,
        description=description,
        at=T0,
        by="user-1",
    )


def test_a_new_tag_records_that_it_was_created() -> None:
    tag = make(name="  Churn risk ")
    assert tag.name == "Churn risk"
    assert str(tag.colour) == "#FF8800"
    (event,) = tag.events
    assert event.event_type == "rapport.tag.created.v1"
    assert event.aggregate_id == "tag-1"


def test_names_compare_ignoring_case() -> None:
    assert make(name="VIP").name_key == make(name="vip").name_key == name_key("Vip")


@pytest.mark.parametrize("colour", ["ff8800", "#ff88", "#ggg000", "red", ""])
def test_colours_are_hash_and_six_hex_digits(colour: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        Colour.parse(colour)
    assert raised.value.problems[0].field == "colour"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(DomainError) as raised:
        make(name=" ", colour="blue", description="x" * 501)
    assert {(p.field, p.code) for p in raised.value.problems} == {
        ("name", ErrorCode.REQUIRED),
        ("colour", ErrorCode.INVALID),
        ("description", ErrorCode.TOO_LONG),
    }


def test_a_name_is_at_most_fifty_characters() -> None:
    with pytest.raises(DomainError) as raised:
        make(name="x" * 51)
    assert raised.value.problems[0].code is ErrorCode.TOO_LONG


def change(*, added: bool, rule_id: str | None = None) -> TagChange:
    return TagChange(
        id="chg-1",
        customer_id="cust-1",
        tag_id="tag-1",
        tag_name="VIP",
        added=added,
        occurred_at=T0,
        actor_id="user-1",
        rule_id=rule_id,
    )


def test_a_tag_put_on_is_an_added_event_and_a_tagged_entry() -> None:
    added = change(added=True, rule_id="rule-1")
    event = added.event()
    assert isinstance(event, CustomerTagged)
    assert event.event_type == "rapport.tag.added.v1"
    assert (event.aggregate_id, event.tag_id, event.rule_id) == ("cust-1", "tag-1", "rule-1")
    entry = added.timeline_entry()
    assert (entry.kind, entry.title, entry.subject_type) == ("tagged", "Tagged VIP", "Tag")
    assert entry.data == {"tagId": "tag-1", "name": "VIP", "ruleId": "rule-1"}


def test_a_tag_taken_off_is_a_removed_event_and_an_untagged_entry() -> None:
    removed = change(added=False)
    assert isinstance(removed.event(), CustomerUntagged)
    assert removed.event().event_type == "rapport.tag.removed.v1"
    assert removed.timeline_entry().kind == "untagged"
