import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customers import EmailAddress, PhoneNumber
from domain.customers.contact import normalise_phone
from domain.errors import ErrorCode, InvalidValue


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  grace.hopper+crm@navy.mil ", "grace.hopper+crm@navy.mil"),
        ("李雷@例子.中国", "李雷@例子.中国"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_email_is_normalised(raw: str, normalised: str) -> None:
    assert EmailAddress.parse(raw).value == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plainaddress",
        "@example.com",
        "ada@",
        "ada@@example.com",
        "ada..b@example.com",
        ".ada@example.com",
        "ada@example",
        "ada@-example.com",
        "ada@example.123",
        "ada lovelace@example.com",
        "a" * 65 + "@example.com",
        "ada@" + "a" * 250 + ".com",
    ],
)
def test_invalid_email_is_refused_with_a_code(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        EmailAddress.parse(raw)
    assert caught.value.problems[0].field == "email"
    assert caught.value.problems[0].code in (ErrorCode.INVALID_EMAIL, ErrorCode.TOO_LONG)


def test_email_value_object_refuses_unnormalised_input() -> None:
    with pytest.raises(InvalidValue):
        EmailAddress("Ada@Example.com")


@given(st.emails())
def test_parsing_is_idempotent(email: str) -> None:
    try:
        once = EmailAddress.parse(email)
    except InvalidValue:
        return
    assert EmailAddress.parse(once.value) == once


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("+44 20 7183 8750", "US", "+442071838750"),
        ("020 7183 8750", "GB", "+442071838750"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("+86 138-0013-8000", "US", "+8613800138000"),
    ],
)
def test_phone_is_normalised_to_e164(raw: str, region: str, e164: str) -> None:
    assert PhoneNumber.parse(raw, default_region=region).e164 == e164


@pytest.mark.parametrize("raw", ["123", "not a phone", "+1 555", "+999 1234 5678", "9" * 70])
def test_invalid_phone_is_refused_with_a_code(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        PhoneNumber.parse(raw, default_region="US")
    assert caught.value.problems[0].field == "phone"
    assert caught.value.problems[0].code in (ErrorCode.INVALID_PHONE, ErrorCode.TOO_LONG)


def test_phone_value_object_only_holds_e164() -> None:
    with pytest.raises(InvalidValue):
        PhoneNumber("415 555 2671")


PHONE_TEXTS = st.one_of(
    st.text(alphabet="+0123456789 -().x", max_size=24),
    st.sampled_from(
        ["(415) 555-2671", "+44 20 7183 8750", "011 44 20 7183 8750", "+33 (0)1 42 12 34 56"]
    ),
)


@given(PHONE_TEXTS, st.sampled_from(["US", "GB", "CN", "DE"]))
def test_remembered_phone_outcomes_equal_a_fresh_parse(raw: str, region: str) -> None:
    fresh = normalise_phone.__wrapped__(raw, region)
    assert normalise_phone(raw, region) == fresh
    assert normalise_phone(raw, region) == fresh  # the second time from the cache


def test_a_remembered_invalid_phone_is_refused_with_the_caller_s_field_each_time() -> None:
    for field_name in ("phone", "mobile"):
        with pytest.raises(InvalidValue) as caught:
            PhoneNumber.parse("+1 555", default_region="US", field_name=field_name)
        assert caught.value.problems[0].field == field_name
