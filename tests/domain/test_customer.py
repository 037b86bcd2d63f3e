from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.custom_fields import CustomFieldDefinition, CustomFieldSchema, FieldType, ObjectType
from domain.customers import (
    KEEP,
    Customer,
    CustomerArchived,
    CustomerChanges,
    CustomerCreated,
    CustomerUpdated,
    EmailAddress,
    ExternalId,
    PhoneNumber,
)
from domain.customers.customer import display_name, sort_name
from domain.errors import DomainError, ErrorCode, RuleViolated

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def _field(key: str, field_type: FieldType) -> CustomFieldDefinition:
    return CustomFieldDefinition.define(
        id=f"f-{key}",
        object_type=ObjectType.CUSTOMER,
        key=key,
        label=key,
        field_type=field_type,
        at=T0,
        by="u-1",
    )


SCHEMA = CustomFieldSchema(
    [
        _field("tier", FieldType.TEXT),
        _field("city", FieldType.TEXT),
        _field("ok", FieldType.TEXT),
        _field("n", FieldType.NUMBER),
    ]
)


def register(**overrides: object) -> Customer:
    values: dict[str, object] = {
        "id": "c-1",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": EmailAddress("ada@example.com"),
        "phone": None,
        "custom_fields": {},
        "schema": SCHEMA,
        "owner_id": "u-1",
        "at": T0,
        "by": "u-1",
    }
    values.update(overrides)
    return Customer.register(**values)  # type: ignore[arg-type]


def test_registration_records_created_event_with_the_actor() -> None:
    customer = register()
    assert customer.version == 1
    assert customer.created_at == customer.updated_at == T0
    [event] = customer.events
    assert isinstance(event, CustomerCreated)
    assert (event.aggregate_id, event.actor_id, event.email) == ("c-1", "u-1", "ada@example.com")
    assert event.event_type == "rapport.customer.created.v1"


def test_names_are_trimmed_and_normalised() -> None:
    customer = register(first_name="  Zoe\u0301 ", last_name=" Saldaña ")
    assert customer.first_name == "Zoé"
    assert customer.last_name == "Saldaña"


def test_customer_needs_a_name_an_email_or_a_phone() -> None:
    with pytest.raises(RuleViolated) as caught:
        register(first_name=" ", last_name="", email=None, phone=None)
    assert caught.value.problems[0].code is ErrorCode.REQUIRED


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        register(
            first_name="x" * 101, last_name="bad\x00name", custom_fields={"Bad Key": 1, "ok": []}
        )
    fields = {(p.field, p.code) for p in caught.value.problems}
    assert fields == {
        ("firstName", ErrorCode.TOO_LONG),
        ("lastName", ErrorCode.INVALID),
        ("customFields.Bad Key", ErrorCode.INVALID_NAME),
        ("customFields.ok", ErrorCode.INVALID),
    }


def test_update_changes_fields_bumps_version_and_records_only_the_changes() -> None:
    customer = register()
    customer.events.clear()
    later = T0 + timedelta(hours=1)
    customer.update(
        CustomerChanges(
            last_name="King",
            phone=PhoneNumber("+442071838750"),
            custom_fields={"tier": "gold"},
        ),
        at=later,
        by="u-2",
        schema=SCHEMA,
    )
    assert (customer.last_name, customer.version, customer.updated_at) == ("King", 2, later)
    [event] = customer.events
    assert isinstance(event, CustomerUpdated)
    assert event.changes == {
        "last_name": "King",
        "phone": "+442071838750",
        "custom_fields": {"tier": "gold"},
    }
    assert (event.version, event.actor_id) == (2, "u-2")


def test_update_that_changes_nothing_is_not_a_new_version() -> None:
    customer = register(custom_fields={"tier": "gold"})
    customer.events.clear()
    customer.update(
        CustomerChanges(first_name="Ada", custom_fields={"tier": "gold"}),
        at=T0,
        by="u-1",
        schema=SCHEMA,
    )
    assert customer.version == 1
    assert customer.events == []


def test_a_patch_of_values_already_held_and_known_external_ids_is_no_change() -> None:
    shop = ExternalId("shop", "1")
    customer = register(
        phone=PhoneNumber("+442071838750"), custom_fields={"n": 5}, external_ids=[shop]
    )
    customer.events.clear()
    customer.update(
        CustomerChanges(
            first_name=" Ada ",
            last_name="Lovelace",
            email=EmailAddress("ada@example.com"),
            phone=PhoneNumber("+442071838750"),
            custom_fields={"n": 5},
        ),
        at=T0 + timedelta(days=1),
        by="u-2",
        schema=SCHEMA,
    )
    customer.link([shop], at=T0 + timedelta(days=1), by="u-2")
    assert (customer.version, customer.events, customer.updated_at) == (1, [], T0)


def test_null_custom_field_removes_it() -> None:
    customer = register(custom_fields={"tier": "gold", "city": "London"})
    customer.update(CustomerChanges(custom_fields={"tier": None}), at=T0, by="u-1", schema=SCHEMA)
    assert customer.custom_fields == {"city": "London"}


def test_clearing_the_last_identifying_field_is_refused_and_changes_nothing() -> None:
    customer = register(first_name="", last_name="", email=EmailAddress("a@example.com"))
    with pytest.raises(RuleViolated):
        customer.update(CustomerChanges(email=None), at=T0, by="u-1")
    assert customer.email == EmailAddress("a@example.com")
    assert customer.version == 1


def test_archived_customer_is_read_only() -> None:
    customer = register()
    customer.archive(at=T0, by="u-1")
    assert customer.is_archived and customer.version == 2
    assert isinstance(customer.events[-1], CustomerArchived)
    with pytest.raises(RuleViolated) as caught:
        customer.update(CustomerChanges(first_name="Augusta"), at=T0, by="u-1")
    assert caught.value.problems[0].code is ErrorCode.ARCHIVED
    with pytest.raises(RuleViolated):
        customer.archive(at=T0, by="u-1")


@pytest.mark.parametrize(
    ("first", "last", "email", "expected"),
    [
        ("Ada", "Lovelace", None, "Ada Lovelace"),
        ("", "", "ada@example.com", "ada@example.com"),
        ("Ada", "", None, "Ada"),
        ("雷", "李", None, "李雷"),
    ],
)
def test_display_name(first: str, last: str, email: str | None, expected: str) -> None:
    assert display_name(first, last, email, None) == expected


def test_sort_name_ignores_case_and_puts_last_name_first() -> None:
    assert sort_name("ada", "Lovelace", None) == sort_name("Ada", "lovelace", None)
    assert sort_name("Zed", "Adams", None) < sort_name("Amy", "Baker", None)


names = st.text(st.characters(codec="utf-8", categories=["L", "Zs"]), max_size=20)
changes = st.builds(
    CustomerChanges,
    first_name=st.one_of(st.just(KEEP), names),
    last_name=st.one_of(st.just(KEEP), names),
    email=st.sampled_from(
        [KEEP, None, EmailAddress("a@example.com"), EmailAddress("b@example.com")]
    ),
    custom_fields=st.one_of(
        st.just(KEEP),
        st.dictionaries(st.sampled_from(["tier", "n"]), st.one_of(st.none(), st.integers())),
    ),
)


@given(st.lists(changes, max_size=15))
def test_version_counts_exactly_the_changes_that_happened(history: list[CustomerChanges]) -> None:
    customer = register()
    for number, change in enumerate(history, start=1):
        before = (
            customer.first_name,
            customer.last_name,
            customer.email,
            dict(customer.custom_fields),
        )
        try:
            customer.update(change, at=T0 + timedelta(minutes=number), by="u-1", schema=SCHEMA)
        except DomainError:
            after = (
                customer.first_name,
                customer.last_name,
                customer.email,
                customer.custom_fields,
            )
            assert after == before, "a refused change must leave the customer untouched"
        assert customer.display_name, "a customer always keeps something to call them by"
    assert customer.version == len(customer.events)
    assert [e.version for e in customer.events[1:]] == list(range(2, customer.version + 1))  # type: ignore[attr-defined]
