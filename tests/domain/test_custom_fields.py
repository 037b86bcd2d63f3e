import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.custom_fields import (
    CustomFieldDefined,
    CustomFieldDefinition,
    CustomFieldSchema,
    FieldType,
    ObjectType,
)
from domain.custom_fields.values import parse_value
from domain.errors import DomainError, ErrorCode

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
CHOICES = ("free", "pro", "Ünïcode plan")


def field(key: str, field_type: FieldType, **options: object) -> CustomFieldDefinition:
    return CustomFieldDefinition.define(
        id=f"f-{key}",
        object_type=ObjectType.CUSTOMER,
        key=key,
        label=key.capitalize(),
        field_type=field_type,
        at=T0,
        by="u-1",
        **options,  # type: ignore[arg-type]
    )


SCHEMA = CustomFieldSchema(
    [
        field("notes", FieldType.TEXT),
        field("score", FieldType.NUMBER),
        field("price", FieldType.DECIMAL),
        field("since", FieldType.DATE),
        field("seen_at", FieldType.DATETIME),
        field("vip", FieldType.BOOLEAN),
        field("plan", FieldType.SINGLE_CHOICE, choices=CHOICES),
        field("tags", FieldType.MULTIPLE_CHOICE, choices=CHOICES),
        field("region", FieldType.TEXT, required=True),
    ]
)


def test_definition_records_a_versioned_event() -> None:
    made = field("plan", FieldType.SINGLE_CHOICE, choices=[" free ", "pro"], unique=True)
    assert made.choices == ("free", "pro")
    [event] = made.events
    assert isinstance(event, CustomFieldDefined)
    assert event.event_type == "rapport.custom_field.defined.v1"
    assert (event.key, event.field_type, event.unique) == ("plan", "single_choice", True)


@pytest.mark.parametrize(
    ("key", "field_type", "options", "problem"),
    [
        ("Plan", FieldType.TEXT, {}, ("key", ErrorCode.INVALID_NAME)),
        ("1st", FieldType.TEXT, {}, ("key", ErrorCode.INVALID_NAME)),
        ("plan", FieldType.SINGLE_CHOICE, {}, ("choices", ErrorCode.REQUIRED)),
        ("plan", FieldType.SINGLE_CHOICE, {"choices": ["a", "a"]}, ("choices", ErrorCode.INVALID)),
        ("plan", FieldType.TEXT, {"choices": ["a"]}, ("choices", ErrorCode.INVALID)),
        ("vip", FieldType.BOOLEAN, {"unique": True}, ("unique", ErrorCode.INVALID)),
    ],
)
def test_bad_definitions_are_refused(
    key: str, field_type: FieldType, options: dict[str, object], problem: tuple[str, ErrorCode]
) -> None:
    with pytest.raises(DomainError) as caught:
        field(key, field_type, **options)
    assert problem in {(p.field, p.code) for p in caught.value.problems}


def test_label_is_required() -> None:
    with pytest.raises(DomainError) as caught:
        CustomFieldDefinition.define(
            id="f",
            object_type=ObjectType.COMPANY,
            key="tier",
            label="  ",
            field_type=FieldType.TEXT,
            at=T0,
            by="u",
        )
    assert [(p.field, p.code) for p in caught.value.problems] == [("label", ErrorCode.REQUIRED)]


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("notes", "  spaces kept  ", "  spaces kept  "),
        ("notes", "two\n\tlines", "two\n\tlines"),
        ("score", 3, 3),
        ("score", -0.0, 0.0),
        ("score", 2.5, 2.5),
        ("price", "12.50", "12.50"),
        ("price", " 1E+3 ", "1000"),
        ("price", 7, "7"),
        ("price", "-0.00", "0.00"),
        ("since", "2026-03-01", "2026-03-01"),
        ("since", "20260301", "2026-03-01"),
        ("seen_at", "2026-03-01T10:00:00+02:00", "2026-03-01T08:00:00+00:00"),
        ("seen_at", "2026-03-01T10:00:00.5Z", "2026-03-01T10:00:00.500000+00:00"),
        ("vip", False, False),
        ("plan", "pro", "pro"),
        ("tags", ["pro", "free"], ["free", "pro"]),
    ],
)
def test_values_are_stored_in_one_normal_form(key: str, raw: object, stored: object) -> None:
    clean = SCHEMA.validate({key: raw, "region": "EU"})
    assert clean[key] == stored
    assert type(clean[key]) is type(stored)


@pytest.mark.parametrize(
    ("key", "raw", "code"),
    [
        ("notes", 3, ErrorCode.INVALID),
        ("notes", "x" * 2001, ErrorCode.TOO_LONG),
        ("notes", "nul\x00byte", ErrorCode.INVALID),
        ("score", "3", ErrorCode.INVALID),
        ("score", True, ErrorCode.INVALID),
        ("score", float("nan"), ErrorCode.INVALID),
        ("score", 2**60, ErrorCode.INVALID),
        ("price", 1.5, ErrorCode.INVALID),
        ("price", "twelve", ErrorCode.INVALID),
        ("price", "NaN", ErrorCode.INVALID),
        ("price", "1" * 39, ErrorCode.INVALID),
        ("since", "01/03/2026", ErrorCode.INVALID),
        ("seen_at", "2026-03-01T10:00:00", ErrorCode.INVALID),
        ("vip", "yes", ErrorCode.INVALID),
        ("plan", "gold", ErrorCode.INVALID_CHOICE),
        ("plan", ["pro"], ErrorCode.INVALID),
        ("tags", ["pro", "gold"], ErrorCode.INVALID_CHOICE),
        ("tags", ["pro", "pro"], ErrorCode.INVALID),
        ("tags", "pro", ErrorCode.INVALID),
        ("nope", 1, ErrorCode.UNKNOWN_FIELD),
        ("Bad Key", 1, ErrorCode.INVALID_NAME),
    ],
)
def test_bad_values_are_refused_under_their_path(key: str, raw: object, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as caught:
        SCHEMA.validate({key: raw, "region": "EU"})
    assert [(p.field, p.code) for p in caught.value.problems] == [(f"customFields.{key}", code)]


def test_required_fields_need_a_value_on_create() -> None:
    for values in ({}, {"region": ""}, {"region": None}):
        with pytest.raises(DomainError) as caught:
            SCHEMA.validate(values)
        assert [(p.field, p.code) for p in caught.value.problems] == [
            ("customFields.region", ErrorCode.REQUIRED)
        ]


def test_a_patch_checks_only_its_keys_and_cannot_remove_a_required_value() -> None:
    legacy = {"region": "EU", "undefined_legacy_key": 1}
    merged = SCHEMA.merge(legacy, {"vip": True, "notes": None})
    assert merged == {"region": "EU", "undefined_legacy_key": 1, "vip": True}
    with pytest.raises(DomainError) as caught:
        SCHEMA.merge(legacy, {"region": None})
    assert caught.value.problems[0].code is ErrorCode.REQUIRED


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        SCHEMA.validate({"score": "x", "plan": "gold", "nope": 1})
    assert {(p.field, p.code) for p in caught.value.problems} == {
        ("customFields.score", ErrorCode.INVALID),
        ("customFields.plan", ErrorCode.INVALID_CHOICE),
        ("customFields.nope", ErrorCode.UNKNOWN_FIELD),
        ("customFields.region", ErrorCode.REQUIRED),
    }


# Raw input of every shape a JSON client can send, weighted towards what each type accepts.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
raw_values = {
    FieldType.TEXT: st.one_of(st.text(), json_scalars),
    FieldType.NUMBER: st.one_of(
        st.integers(min_value=-(2**54), max_value=2**54), st.floats(), json_scalars
    ),
    FieldType.DECIMAL: st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.integers(),
        json_scalars,
    ),
    FieldType.DATE: st.one_of(st.dates().map(lambda d: d.isoformat()), json_scalars),
    FieldType.DATETIME: st.one_of(
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()), json_scalars
    ),
    FieldType.BOOLEAN: json_scalars,
    FieldType.SINGLE_CHOICE: st.one_of(st.sampled_from(CHOICES), json_scalars),
    FieldType.MULTIPLE_CHOICE: st.one_of(
        st.lists(st.sampled_from(CHOICES), unique=True), st.lists(json_scalars), json_scalars
    ),
}


@given(st.sampled_from(list(FieldType)).flatmap(lambda t: st.tuples(st.just(t), raw_values[t])))
def test_accepted_values_are_json_and_a_fixed_point(case: tuple[FieldType, object]) -> None:
    field_type, raw = case
    try:
        value = parse_value(field_type, CHOICES, raw, path="customFields.x")
    except DomainError as error:
        problems = error.problems
        value = None
    else:
        problems = ()
    assert all(p.field == "customFields.x" for p in problems)
    if problems:
        return
    assert json.loads(json.dumps(value)) == value
    assert parse_value(field_type, CHOICES, value, path="customFields.x") == value
    if field_type is FieldType.DECIMAL:
        assert Decimal(str(value)) == Decimal(str(raw).strip())
