"""A customer's time zone: the custom field, else the phone number, else the default."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from domain.campaigns.time_zones import customer_time_zone


@pytest.mark.parametrize(
    ("custom_value", "phone", "default", "expected"),
    [
        ("Europe/Paris", "+12125551234", "UTC", "Europe/Paris"),
        (" Asia/Tokyo ", None, "UTC", "Asia/Tokyo"),
        ("Mars/Olympus_Mons", "+12125551234", "UTC", "America/New_York"),
        ("../../etc/passwd", "+14155550100", "UTC", "America/Los_Angeles"),
        ("localtime", None, "Europe/Oslo", "Europe/Oslo"),
        (42, "+4915112345678", "UTC", "Europe/Berlin"),
        (None, "+447700900123", "Europe/London", "Europe/London"),
        (None, "not a number", "Europe/Madrid", "Europe/Madrid"),
        (None, None, "No/Such_Zone", "UTC"),
    ],
)
def test_the_first_valid_source_wins_and_nothing_raises(
    custom_value: object, phone: str | None, default: str, expected: str
) -> None:
    assert customer_time_zone(custom_value, phone, default) == ZoneInfo(expected)


def test_a_number_of_a_country_with_many_zones_takes_the_default_when_it_is_one_of_them() -> None:
    assert customer_time_zone(None, "+61412345678", "Australia/Perth") == ZoneInfo(
        "Australia/Perth"
    )


def test_otherwise_a_country_with_many_zones_takes_its_most_populous() -> None:
    assert customer_time_zone(None, "+61412345678", "UTC") == ZoneInfo("Australia/Sydney")
    assert customer_time_zone(None, "+79161234567", "UTC") == ZoneInfo("Europe/Moscow")


def test_the_default_may_be_a_zone_already() -> None:
    assert customer_time_zone("", "", ZoneInfo("America/Chicago")) == ZoneInfo("America/Chicago")
