"""Which time zone a customer lives in, for quiet hours and "at 9:00 their time" waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
from phonenumbers import timezone as phone_time_zones

FALLBACK_ZONE = "UTC"
_REFERENCE_INSTANT = datetime(2025, 1, 15, 12, tzinfo=UTC)
"""Offsets are compared at one fixed instant, so the choice never changes with the season."""


PRIMARY_ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "GL": "America/Nuuk",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
}
"""The zone most of the people of a country with several zones live in."""
_NOT_A_PLACE = frozenset({"localtime", "posixrules", "Factory"})
"""Names a zone database may hold that say nothing about where a customer lives."""


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_A_PLACE


def zone_named(name: object) -> ZoneInfo | None:
    """The zone of an IANA name such as ``Europe/Berlin``, or ``None`` for anything else."""
    if not isinstance(name, str) or name.strip() not in _known_zones():
        return None
    return ZoneInfo(name.strip())


def customer_time_zone(
    custom_value: object, phone_e164: str | None, default: str | ZoneInfo = FALLBACK_ZONE
) -> ZoneInfo:
    """The customer's zone: their ``time_zone`` custom field when it is a valid IANA name,
    else their phone number's zone, else ``default`` (UTC if that is no valid name either).
    Never raises: invalid values fall through to the next source."""
    return (
        zone_named(custom_value)
        or _zone_of_phone(phone_e164, default)
        or (default if isinstance(default, ZoneInfo) else zone_named(default))
        or ZoneInfo(FALLBACK_ZONE)
    )


def _zone_of_phone(phone_e164: str | None, default: str | ZoneInfo) -> ZoneInfo | None:
    """The zone of a phone number.

    A number often names one zone (a US area code, a German number). When it names several
    (a mobile number in Russia or Australia), the first of these that is among them wins:
    the default zone (a deployment's default is where most of its customers live), then the
    country's most populous zone (``PRIMARY_ZONES``), then the zone with the median UTC
    offset of the candidates, which keeps a wrong guess within half the country's spread.
    """
    if not phone_e164:
        return None
    try:
        number = phonenumbers.parse(phone_e164, None)
    except phonenumbers.NumberParseException:
        return None
    names = sorted(
        name for name in phone_time_zones.time_zones_for_number(number) if name in _known_zones()
    )
    if not names:
        return None
    default_name = default.key if isinstance(default, ZoneInfo) else default
    if default_name in names:
        return ZoneInfo(default_name)
    primary = PRIMARY_ZONES.get(phonenumbers.region_code_for_number(number) or "")
    if primary in names:
        return ZoneInfo(primary)
    by_offset = sorted(names, key=lambda name: (_offset_of(name), name))
    return ZoneInfo(by_offset[(len(by_offset) - 1) // 2])


def _offset_of(name: str) -> timedelta:
    return _REFERENCE_INSTANT.astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
