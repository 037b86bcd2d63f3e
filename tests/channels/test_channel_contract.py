"""The ChannelSender contract against every adapter: memory, the file outbox, SMTP on a real
loopback server, an HTTP SMS gateway and a signed webhook receiver."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.channels.outbox_file import OutboxFileSender
from adapters.channels.sms_http import HttpSmsGateway
from adapters.channels.smtp import SmtpSender, SmtpSettings
from adapters.channels.webhook import WebhookChannel
from adapters.memory.channels import InMemoryChannel
from domain.campaigns.channels import Channel
from tests.channels.servers import sms_gateway, smtp_server, webhook_receiver
from tests.contracts import channels as contract
from tests.contracts.channels import ChannelUnderTest, Received

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _memory(channel: Channel) -> Iterator[ChannelUnderTest]:
    sender = InMemoryChannel(channel)
    yield ChannelUnderTest(
        sender=sender,
        received=lambda: [Received(m.id, m.to, m.text) for m in sender.accepted],
        refuse=sender.refuse,
        fail_next=sender.fail_next,
    )


def _file(channel: Channel, directory: Path) -> Iterator[ChannelUnderTest]:
    sender = OutboxFileSender(channel, directory)

    def received() -> list[Received]:
        if not (directory / f"{channel.value}.jsonl").exists():
            return []
        lines = (directory / f"{channel.value}.jsonl").read_text("utf-8").splitlines()
        return [Received(r["id"], r["to"], r["text"]) for r in map(json.loads, lines)]

    yield ChannelUnderTest(sender=sender, received=received)


def _console(channel: Channel) -> Iterator[ChannelUnderTest]:
    console = io.StringIO()
    sender = OutboxFileSender(channel, console=console)

    def received() -> list[Received]:
        records = map(json.loads, console.getvalue().splitlines())
        return [Received(r["id"], r["to"], r["text"]) for r in records]

    yield ChannelUnderTest(sender=sender, received=received)


def _smtp() -> Iterator[ChannelUnderTest]:
    with smtp_server() as server:

        def fail_next(count: int) -> None:
            server.deferrals = count

        sender = SmtpSender(
            SmtpSettings.from_url(f"smtp://127.0.0.1:{server.port}"), "news@rapport.example"
        )
        yield ChannelUnderTest(
            sender=sender,
            received=lambda: [
                Received(str(m.mail["X-Rapport-Message-Id"]), m.recipients[0], m.text)
                for m in server.mails
            ],
            refuse=server.refused.add,
            fail_next=fail_next,
        )
        sender.close()


def _sms() -> Iterator[ChannelUnderTest]:
    with sms_gateway() as gateway:
        assert gateway.receiver is not None
        sender = HttpSmsGateway(gateway.receiver.url, sender_id="Rapport")
        yield ChannelUnderTest(
            sender=sender,
            received=lambda: [
                Received(m["reference"], m["to"], m["text"]) for m in gateway.messages
            ],
            refuse=gateway.steering.refuse,
            fail_next=gateway.steering.fail_next,
        )
        sender.close()


def _webhook() -> Iterator[ChannelUnderTest]:
    with webhook_receiver(SECRET) as endpoint:
        assert endpoint.receiver is not None
        sender = WebhookChannel(endpoint.receiver.url, SECRET)
        yield ChannelUnderTest(
            sender=sender,
            received=lambda: [Received(m["id"], m["to"], m["text"]) for m in endpoint.messages],
            refuse=endpoint.steering.refuse,
            fail_next=endpoint.steering.fail_next,
        )
        sender.close()
        assert endpoint.unverified == 0


ADAPTERS = {
    "memory-email": Channel.EMAIL,
    "memory-sms": Channel.SMS,
    "memory-webhook": Channel.WEBHOOK,
    "file-email": Channel.EMAIL,
    "file-sms": Channel.SMS,
    "file-webhook": Channel.WEBHOOK,
    "console-email": Channel.EMAIL,
    "smtp": Channel.EMAIL,
    "sms-gateway": Channel.SMS,
    "webhook": Channel.WEBHOOK,
}
STEERABLE = [name for name in ADAPTERS if not name.startswith(("file", "console"))]
"""Adapters whose far side can be made to refuse an address or fail for a while."""


def _build(name: str, tmp_path: Path) -> Iterator[ChannelUnderTest]:
    kind, channel = name.partition("-")[0], ADAPTERS[name]
    if kind == "memory":
        yield from _memory(channel)
    elif kind == "file":
        yield from _file(channel, tmp_path / "outbox")
    elif kind == "console":
        yield from _console(channel)
    elif kind == "smtp":
        yield from _smtp()
    elif kind == "sms":
        yield from _sms()
    else:
        yield from _webhook()


@pytest.fixture(params=list(ADAPTERS))
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChannelUnderTest]:
    yield from _build(request.param, tmp_path)


@pytest.fixture(params=STEERABLE)
def steerable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChannelUnderTest]:
    yield from _build(request.param, tmp_path)


@pytest.fixture(params=[name for name, channel in ADAPTERS.items() if channel is Channel.EMAIL])
def email(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChannelUnderTest]:
    yield from _build(request.param, tmp_path)


@pytest.fixture(params=[name for name, channel in ADAPTERS.items() if channel is Channel.SMS])
def sms(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChannelUnderTest]:
    yield from _build(request.param, tmp_path)


def test_every_message_gets_one_outcome_in_order(subject: ChannelUnderTest) -> None:
    contract.check_every_message_gets_one_outcome_in_order(subject)


def test_an_empty_batch_sends_nothing(subject: ChannelUnderTest) -> None:
    contract.check_an_empty_batch_sends_nothing(subject)


def test_text_arrives_as_written(subject: ChannelUnderTest) -> None:
    contract.check_text_arrives_as_written(subject)


def test_a_message_for_another_channel_is_rejected(subject: ChannelUnderTest) -> None:
    contract.check_a_message_for_another_channel_is_rejected(subject)


def test_the_sender_works_across_calls_and_after_close(subject: ChannelUnderTest) -> None:
    contract.check_the_sender_works_across_calls_and_after_close(subject)


def test_a_refused_address_is_rejected_and_the_rest_go(steerable: ChannelUnderTest) -> None:
    contract.check_a_refused_address_is_rejected_and_the_rest_go(steerable)


def test_a_passing_failure_is_retried_later(steerable: ChannelUnderTest) -> None:
    contract.check_a_passing_failure_is_retried_later(steerable)


def test_marketing_email_needs_an_unsubscribe_url(email: ChannelUnderTest) -> None:
    contract.check_marketing_email_needs_an_unsubscribe_url(email)


def test_sms_outcomes_count_parts(sms: ChannelUnderTest) -> None:
    contract.check_sms_outcomes_count_parts(sms)
