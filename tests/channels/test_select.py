"""Which adapter each channel gets from the settings, and where the outbox goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.channels import ChannelConfigurationError
from adapters.channels.outbox_file import OutboxFileSender
from adapters.channels.select import ChannelSettings, channel_senders, default_outbox_dir
from adapters.channels.sms_http import HttpSmsGateway
from adapters.channels.smtp import SmtpSender
from adapters.channels.webhook import WebhookChannel
from composition.settings import Settings
from domain.campaigns.channels import Channel

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_with_nothing_configured_every_channel_writes_the_outbox(tmp_path: Path) -> None:
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path}/crm.db"})
    senders = channel_senders(settings.channels)
    assert set(senders) == set(Channel)
    for channel, sender in senders.items():
        assert isinstance(sender, OutboxFileSender)
        assert sender.channel is channel
        assert sender.path == tmp_path / "outbox" / f"{channel.value}.jsonl"


def test_configured_channels_get_their_real_adapters() -> None:
    settings = Settings.from_env(
        {
            "RAPPORT_SMTP_URL": "smtp+starttls://ada:pw@mail.example.com:587",
            "RAPPORT_EMAIL_FROM": "Example <news@example.com>",
            "RAPPORT_SMS_GATEWAY_URL": "https://sms.example.com/v1/messages",
            "RAPPORT_SMS_GATEWAY_AUTH": "Bearer abc",
            "RAPPORT_SMS_FROM": "Example",
            "RAPPORT_MESSAGE_WEBHOOK_URL": "https://app.example.com/inbox",
            "RAPPORT_MESSAGE_WEBHOOK_SECRET": SECRET,
        }
    )
    senders = channel_senders(settings.channels)
    assert isinstance(senders[Channel.EMAIL], SmtpSender)
    assert isinstance(senders[Channel.SMS], HttpSmsGateway)
    assert isinstance(senders[Channel.WEBHOOK], WebhookChannel)
    assert settings.channels.sms_from == "Example"


def test_the_env_is_read_into_the_channel_settings() -> None:
    template = '{"msisdn": "{to}", "body": "{text}"}'
    settings = Settings.from_env(
        {"RAPPORT_SMS_BODY_TEMPLATE": template, "RAPPORT_OUTBOX_DIR": "/var/spool/rapport"}
    )
    assert settings.channels.sms_body_template == template
    assert settings.channels.outbox_dir == "/var/spool/rapport"
    assert settings.channels.database_url == settings.database_url


def test_a_dash_prints_the_outbox_to_the_console() -> None:
    senders = channel_senders(ChannelSettings(outbox_dir="-"))
    email = senders[Channel.EMAIL]
    assert isinstance(email, OutboxFileSender)
    assert email.path is None


def test_an_outbox_dir_is_used_as_given(tmp_path: Path) -> None:
    senders = channel_senders(ChannelSettings(outbox_dir=str(tmp_path / "spool")))
    email = senders[Channel.EMAIL]
    assert isinstance(email, OutboxFileSender)
    assert email.path == tmp_path / "spool" / "email.jsonl"


def test_without_a_sqlite_file_the_outbox_is_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("postgresql://127.0.0.1/rapport", "sqlite://", "sqlite:///:memory:", ""):
        assert default_outbox_dir(url) == tmp_path / "outbox"
    assert default_outbox_dir("sqlite:///data/crm.db?timeout=5") == tmp_path / "data" / "outbox"


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        (ChannelSettings(smtp_url="smtp://mail.example.com"), "RAPPORT_EMAIL_FROM is required"),
        (ChannelSettings(smtp_url="imap://x", email_from="a@b.org"), "RAPPORT_SMTP_URL"),
        (ChannelSettings(sms_gateway_url="sms.example.com"), "RAPPORT_SMS_GATEWAY_URL"),
        (
            ChannelSettings(message_webhook_url="https://app.example.com/in"),
            "RAPPORT_MESSAGE_WEBHOOK_SECRET",
        ),
    ],
)
def test_a_setting_that_cannot_work_stops_the_build(
    settings: ChannelSettings, complaint: str
) -> None:
    with pytest.raises(ChannelConfigurationError, match=complaint):
        channel_senders(settings)
