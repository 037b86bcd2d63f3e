import pytest

from domain.customers import EmailAddress
from domain.customers.matching import email_key, name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ada.Lovelace@gmail.com", "adalovelace@gmail.com"),
        ("ada.lovelace+crm@googlemail.com", "adalovelace@gmail.com"),
        ("ada+newsletter@example.com", "ada@example.com"),
        ("ADA@EXAMPLE.COM", "ada@example.com"),
    ],
)
def test_addresses_of_one_mailbox_share_a_key(a: str, b: str) -> None:
    assert email_key(EmailAddress.parse(a)) == email_key(EmailAddress.parse(b))


def test_dots_matter_where_the_provider_keeps_them() -> None:
    assert email_key(EmailAddress.parse("a.da@example.com")) != email_key(
        EmailAddress.parse("ada@example.com")
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("José", "García"), ("jose", "garcia")),
        (("Ada", "Lovelace"), ("Lovelace", "Ada")),
        (("雷", "李"), ("雷", "李")),
    ],
)
def test_names_match_regardless_of_case_accents_and_order(
    a: tuple[str, str], b: tuple[str, str]
) -> None:
    assert name_key(*a) == name_key(*b)
