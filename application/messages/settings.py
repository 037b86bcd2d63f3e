"""How the dispatcher sends: frequency caps, quiet hours, the default time zone, rates.

Read from ``RAPPORT_FREQUENCY_CAPS`` (``email:3/7d,sms:2/7d``), ``RAPPORT_QUIET_HOURS``
(``21:00-08:00``, or ``off``), ``RAPPORT_DEFAULT_TIME_ZONE`` (an IANA name, ``UTC``),
``RAPPORT_SEND_RATE_EMAIL`` / ``_SMS`` / ``_WEBHOOK`` (messages per second, empty for no
limit) and ``RAPPORT_DISPATCH_BATCH`` (messages claimed per round).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta

from attrs import field, frozen

from application.messages.ports import DEFAULT_CLAIM_BATCH
from domain.campaigns.channels import Channel
from domain.campaigns.policy import FrequencyCap, QuietHours
from domain.campaigns.time_zones import zone_named
from domain.errors import ErrorCode, InvalidValue

DEFAULT_FREQUENCY_CAPS = "email:3/7d,sms:2/7d"
DEFAULT_QUIET_HOURS = "21:00-08:00"
DEFAULT_TIME_ZONE = "UTC"

_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_UNITS["w"] = timedelta(weeks=1)
_CAP = re.compile(r"^\s*(email|sms|webhook)\s*:\s*(\d+)\s*/\s*(\d+)\s*([mhdw])\s*$")
_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_OFF = ("", "off", "none")


def parse_caps(text: str) -> tuple[FrequencyCap, ...]:
    """``email:3/7d,sms:2/7d``: at most 3 emails in any 7 days, 2 SMS. ``off``: none."""
    if text.strip().lower() in _OFF:
        return ()
    caps = []
    for part in text.split(","):
        found = _CAP.match(part.lower())
        if found is None:
            raise InvalidValue(
                "RAPPORT_FREQUENCY_CAPS",
                ErrorCode.INVALID,
                f"{part.strip()!r} is not a cap like email:3/7d",
            )
        channel, limit, count, unit = found.groups()
        caps.append(FrequencyCap(Channel(channel), int(limit), int(count) * _UNITS[unit]))
    return tuple(caps)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """``21:00-08:00``: no marketing from 21:00 to 08:00 in the customer's zone; ``off``."""
    if text.strip().lower() in _OFF:
        return None
    found = _QUIET.match(text)
    if found is None:
        raise InvalidValue(
            "RAPPORT_QUIET_HOURS", ErrorCode.INVALID, f"{text!r} is not like 21:00-08:00"
        )
    start_hour, start_minute, end_hour, end_minute = (int(g) for g in found.groups())
    try:
        return QuietHours(time(start_hour, start_minute), time(end_hour, end_minute))
    except ValueError:
        raise InvalidValue(
            "RAPPORT_QUIET_HOURS", ErrorCode.INVALID, f"{text!r} is not a time of day"
        ) from None


def parse_rate(name: str, text: str | None) -> float | None:
    """Messages per second; empty or ``0`` is no limit."""
    if text is None or not text.strip() or text.strip() == "0":
        return None
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not rate > 0:
        raise InvalidValue(name, ErrorCode.INVALID, "must be a number of messages per second")
    return rate


@frozen(kw_only=True)
class DispatchSettings:
    caps: tuple[FrequencyCap, ...] = field(factory=lambda: parse_caps(DEFAULT_FREQUENCY_CAPS))
    quiet_hours: QuietHours | None = field(factory=lambda: parse_quiet_hours(DEFAULT_QUIET_HOURS))
    default_time_zone: str = DEFAULT_TIME_ZONE
    rates: Mapping[Channel, float | None] = field(factory=dict)
    """Messages per second per channel; a channel left out is not throttled."""
    batch: int = DEFAULT_CLAIM_BATCH

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DispatchSettings:
        zone = env.get("RAPPORT_DEFAULT_TIME_ZONE", DEFAULT_TIME_ZONE).strip()
        if zone_named(zone) is None:
            raise InvalidValue(
                "RAPPORT_DEFAULT_TIME_ZONE", ErrorCode.INVALID, f"{zone!r} is not an IANA zone"
            )
        rates = {
            channel: parse_rate(
                f"RAPPORT_SEND_RATE_{channel.name}", env.get(f"RAPPORT_SEND_RATE_{channel.name}")
            )
            for channel in Channel
        }
        return cls(
            caps=parse_caps(env.get("RAPPORT_FREQUENCY_CAPS", DEFAULT_FREQUENCY_CAPS)),
            quiet_hours=parse_quiet_hours(env.get("RAPPORT_QUIET_HOURS", DEFAULT_QUIET_HOURS)),
            default_time_zone=zone,
            rates=rates,
            batch=int(env.get("RAPPORT_DISPATCH_BATCH", str(DEFAULT_CLAIM_BATCH))),
        )
