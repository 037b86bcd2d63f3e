"""Audit entries and the changes they record: pure, no storage."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

import pytest
from attrs import define, field, frozen
from hypothesis import given
from hypothesis import strategies as st

from domain.audit import REDACTED, AuditEntry, FieldChange, Outcome, diff, object_changes
from domain.audit import snapshot as snapshot_of
from domain.audit.changes import HIDDEN, as_json

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Colour(StrEnum):
    RED = "red"


@frozen
class Money:
    amount: Decimal
    currency: str


@frozen
class Renamed:
    """Shaped like a domain event; not one, so that the event catalogue never lists it."""

    aggregate_id: str
    event_type: str = "test.thing.renamed.v1"


@define(slots=False, eq=False)
class Thing:
    id: str
    name: str
    price: Money
    labels: frozenset[str] = frozenset()
    secret_hash: str = ""
    version: int = 1
    events: list[Renamed] = field(factory=list)

    def rename(self, name: str) -> None:
        self.name = name
        self.version += 1
        self.events.append(Renamed(self.id))


def _thing() -> Thing:
    return Thing(id="t-1", name="Old", price=Money(Decimal("9.50"), "EUR"), labels=frozenset("ba"))


def test_values_become_json() -> None:
    value = {
        "when": T0,
        "day": date(2026, 3, 1),
        "wait": timedelta(minutes=1),
        "price": Money(Decimal("1.10"), "EUR"),
        "colour": Colour.RED,
        "tags": frozenset({"b", "a"}),
        "pair": (1, None),
    }
    assert as_json(value) == {
        "when": "2026-03-01T12:00:00+00:00",
        "day": "2026-03-01",
        "wait": 60.0,
        "price": {"amount": "1.10", "currency": "EUR"},
        "colour": "red",
        "tags": ["a", "b"],
        "pair": [1, None],
    }


def test_a_change_lists_only_the_fields_that_differ_and_its_events() -> None:
    thing = _thing()
    before = snapshot_of(thing)
    thing.rename("New")
    (change,) = object_changes([(thing, before, snapshot_of(thing))])
    assert (change.object_type, change.object_id) == ("Thing", "t-1")
    assert change.changes == (FieldChange("name", "Old", "New"),)
    assert change.events == ("test.thing.renamed.v1",)


def test_secrets_are_hidden_and_bookkeeping_left_out() -> None:
    thing = _thing()
    before = snapshot_of(thing)
    assert before is not None and "version" not in before and "events" not in before
    thing.secret_hash = "abc"
    after = snapshot_of(thing)
    assert after is not None
    assert diff(before, after) == (FieldChange("secret_hash", HIDDEN, HIDDEN),)


def test_an_unchanged_aggregate_without_events_is_no_change() -> None:
    thing = _thing()
    assert object_changes([(thing, snapshot_of(thing), snapshot_of(thing))]) == []
    assert snapshot_of("not an aggregate") is None


def test_a_new_aggregate_has_no_before() -> None:
    assert diff(None, {"name": "x"}) == ()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from("abcde"), json_values), st.data())
def test_diff_names_exactly_the_fields_that_differ(
    before: dict[str, object], data: st.DataObject
) -> None:
    after = {
        name: data.draw(json_values) if data.draw(st.booleans()) else value
        for name, value in before.items()
    }
    changed = {change.field for change in diff(before, after)}
    assert changed == {name for name in before if before[name] != after[name]}
    for change in diff(before, after):
        assert (change.before, change.after) == (before[change.field], after[change.field])


@given(st.lists(json_values, max_size=4))
def test_as_json_is_always_serialisable(values: list[object]) -> None:
    json.dumps(as_json({"values": values, "at": T0, "money": Money(Decimal("1"), "EUR")}))


def _entry(**fields: object) -> AuditEntry:
    values: dict[str, object] = {
        "id": "e-1",
        "occurred_at": T0,
        "actor_id": "u-1",
        "operation": "updateCustomer",
        "outcome": Outcome.SUCCEEDED,
        **fields,
    }
    return AuditEntry(**values)  # type: ignore[arg-type]


def test_redaction_keeps_who_and_what_and_hides_values() -> None:
    entry = _entry(
        object_id="c-1",
        changes=(FieldChange("email", "a@x.com", None), FieldChange("name", "A", "B")),
    )
    redacted = entry.redacted()
    assert redacted.changes == (
        FieldChange("email", REDACTED, None),
        FieldChange("name", REDACTED, REDACTED),
    )
    assert (redacted.operation, redacted.actor_id, redacted.object_id) == (
        "updateCustomer",
        "u-1",
        "c-1",
    )
    assert redacted.redacted() == redacted


def test_an_entry_mentions_its_object_and_ids_in_its_values() -> None:
    entry = _entry(object_id="o-1", changes=(FieldChange("owners", ["u-1"], {"to": "u-2"}),))
    assert entry.mentions("o-1") and entry.mentions("u-1") and entry.mentions("u-2")
    assert not entry.mentions("u-3")


def test_an_entry_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        _entry(occurred_at=datetime(2026, 1, 1))
