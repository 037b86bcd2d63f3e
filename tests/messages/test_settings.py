"""The dispatcher's settings, as ``RAPPORT_*`` variables give them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from application.messages.settings import DispatchSettings
from composition.settings import Settings
from domain.campaigns.channels import Channel
from domain.campaigns.policy import FrequencyCap, QuietHours


def test_the_defaults() -> None:
    settings = Settings.from_env({}).dispatch
    assert settings.caps == (
        FrequencyCap(Channel.EMAIL, 3, timedelta(days=7)),
        FrequencyCap(Channel.SMS, 2, timedelta(days=7)),
    )
    assert settings.quiet_hours == QuietHours(time(21), time(8))
    assert settings.default_time_zone == "UTC"
    assert all(rate is None for rate in settings.rates.values())


def test_every_setting_is_read() -> None:
    settings = DispatchSettings.from_env(
        {
            "RAPPORT_FREQUENCY_CAPS": "email:5/1w, webhook:10/12h",
            "RAPPORT_QUIET_HOURS": "22:30-07:15",
            "RAPPORT_DEFAULT_TIME_ZONE": "Europe/Berlin",
            "RAPPORT_SEND_RATE_EMAIL": "50",
            "RAPPORT_DISPATCH_BATCH": "500",
        }
    )
    assert settings.caps == (
        FrequencyCap(Channel.EMAIL, 5, timedelta(weeks=1)),
        FrequencyCap(Channel.WEBHOOK, 10, timedelta(hours=12)),
    )
    assert settings.quiet_hours == QuietHours(time(22, 30), time(7, 15))
    assert settings.default_time_zone == "Europe/Berlin"
    assert settings.rates[Channel.EMAIL] == 50.0
    assert settings.rates[Channel.SMS] is None
    assert settings.batch == 500
    off = DispatchSettings.from_env({"RAPPORT_FREQUENCY_CAPS": "off", "RAPPORT_QUIET_HOURS": "off"})
    assert (off.caps, off.quiet_hours) == ((), None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RAPPORT_FREQUENCY_CAPS", "email:3"),
        ("RAPPORT_FREQUENCY_CAPS", "fax:3/7d"),
        ("RAPPORT_QUIET_HOURS", "21-08"),
        ("RAPPORT_QUIET_HOURS", "25:00-08:00"),
        ("RAPPORT_DEFAULT_TIME_ZONE", "Mars/Olympus"),
        ("RAPPORT_SEND_RATE_SMS", "fast"),
        ("RAPPORT_DISPATCH_BATCH", "many"),
        ("RAPPORT_DISPATCH_BATCH", "0"),
    ],
)
def test_a_bad_setting_stops_the_start_naming_it(name: str, value: str) -> None:
    with pytest.raises(SystemExit, match=name):
        Settings.from_env({name: value})
