"""Which adapter sends each channel, from the settings: a real one when it is configured,
else the file outbox."""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from adapters.channels import ChannelConfigurationError
from adapters.channels.outbox_file import CONSOLE, OutboxFileSender
from adapters.channels.sms_http import DEFAULT_BODY_TEMPLATE, HttpSmsGateway
from adapters.channels.smtp import Sender, SmtpSender, SmtpSettings
from adapters.channels.webhook import WebhookChannel
from application.campaigns.channels import ChannelSender
from domain.campaigns.channels import Channel

OUTBOX_DIRECTORY = "outbox"


@frozen(kw_only=True)
class ChannelSettings:
    """The ``RAPPORT_*`` settings of the channels; empty means "not configured"."""

    smtp_url: str = ""
    email_from: str = ""
    sms_gateway_url: str = ""
    sms_gateway_auth: str = ""
    sms_body_template: str = DEFAULT_BODY_TEMPLATE
    sms_from: str = ""
    message_webhook_url: str = ""
    message_webhook_secret: str = ""
    outbox_dir: str = ""
    """Where the file outbox writes; ``-`` prints to the console; empty: the default."""
    database_url: str = ""
    """The database's URL, to put the default outbox beside a SQLite file."""


def default_outbox_dir(database_url: str) -> Path:
    """``outbox/`` beside the SQLite database file, else in the working directory."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix):
        database = database_url[len(prefix) :].split("?", 1)[0]
        if database and database != ":memory:":
            return Path(database).absolute().parent / OUTBOX_DIRECTORY
    return Path.cwd() / OUTBOX_DIRECTORY


def outbox_sender(settings: ChannelSettings, channel: Channel) -> OutboxFileSender:
    """The file (or console) outbox for ``channel``."""
    if settings.outbox_dir.strip() == CONSOLE:
        return OutboxFileSender(channel)
    directory = (
        Path(settings.outbox_dir).expanduser()
        if settings.outbox_dir.strip()
        else default_outbox_dir(settings.database_url)
    )
    return OutboxFileSender(channel, directory)


def channel_senders(settings: ChannelSettings) -> dict[Channel, ChannelSender]:
    """One sender per channel. Raises ``ChannelConfigurationError`` for a setting that
    cannot work, naming the variable, so a bad one stops the process at start."""
    email: ChannelSender = (
        SmtpSender(SmtpSettings.from_url(settings.smtp_url), _email_from(settings))
        if settings.smtp_url.strip()
        else outbox_sender(settings, Channel.EMAIL)
    )
    sms: ChannelSender = (
        HttpSmsGateway(
            settings.sms_gateway_url.strip(),
            sender_id=settings.sms_from,
            authorization=settings.sms_gateway_auth.strip(),
            body_template=settings.sms_body_template,
        )
        if settings.sms_gateway_url.strip()
        else outbox_sender(settings, Channel.SMS)
    )
    webhook: ChannelSender = (
        WebhookChannel(settings.message_webhook_url.strip(), settings.message_webhook_secret)
        if settings.message_webhook_url.strip()
        else outbox_sender(settings, Channel.WEBHOOK)
    )
    return {Channel.EMAIL: email, Channel.SMS: sms, Channel.WEBHOOK: webhook}


def _email_from(settings: ChannelSettings) -> Sender:
    if not settings.email_from.strip():
        raise ChannelConfigurationError(
            "RAPPORT_EMAIL_FROM is required with RAPPORT_SMTP_URL (e.g. news@example.com)"
        )
    return Sender.parse(settings.email_from)
