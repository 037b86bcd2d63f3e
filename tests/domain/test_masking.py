from hypothesis import given
from hypothesis import strategies as st

from domain.access.masking import BULLET, mask, mask_email, mask_phone, mask_text

local_parts = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=30)
domains = st.from_regex(r"[a-z0-9]{1,12}\.(com|org|io|de)", fullmatch=True)
phones = st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True)


def test_an_email_keeps_its_first_character_and_its_domain() -> None:
    assert mask_email("jane.doe@example.com") == "j•••@example.com"


def test_a_phone_keeps_its_last_two_digits_and_its_punctuation() -> None:
    assert mask_phone("+14155550123") == "+•••••••••23"
    assert mask_phone("(415) 555-0123") == "(•••) •••-••23"


def test_other_text_keeps_its_first_character() -> None:
    assert mask_text("Secret") == "S•••"
    assert mask_text("") == ""


def test_the_mask_follows_the_field_it_is_of() -> None:
    assert mask("email", "ann@x.org") == "a•••@x.org"
    assert mask("custom_fields.billing_email", "ann@x.org") == "a•••@x.org"
    assert mask("phone", "+4930123456") == "+••••••••56"
    assert mask("custom_fields.salary", "90000") == "9•••"


@given(
    first=st.sampled_from("abcxyz09"), hidden_a=local_parts, hidden_b=local_parts, domain=domains
)
def test_an_email_mask_never_depends_on_the_hidden_part(
    first: str, hidden_a: str, hidden_b: str, domain: str
) -> None:
    # Two addresses that differ only in what the mask hides have the same mask.
    assert mask_email(f"{first}{hidden_a}@{domain}") == mask_email(f"{first}{hidden_b}@{domain}")
    assert mask_email(f"{first}{hidden_a}@{domain}").startswith(f"{first}{BULLET}")


@given(phone=phones)
def test_a_phone_mask_shows_no_digit_but_the_last_two(phone: str) -> None:
    masked = mask_phone(phone)
    digits = [c for c in masked if c.isdigit()]
    assert digits == list(phone[-2:])
    assert len(masked) == len(phone)


@given(text=st.text(min_size=2, max_size=40))
def test_a_text_mask_shows_nothing_past_the_first_character(text: str) -> None:
    assert mask_text(text) == text[0] + BULLET * 3
