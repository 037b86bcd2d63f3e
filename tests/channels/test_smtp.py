"""Email over SMTP against a real server on loopback (aiosmtpd): what the mail carries, and
how the one kept connection behaves when the server refuses, defers or hangs up."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast

import pytest
from aiosmtpd.controller import Controller

from adapters.channels import ChannelConfigurationError
from adapters.channels.smtp import (
    Sender,
    SmtpSender,
    SmtpSettings,
    message_id_header,
    render_email,
)
from domain.campaigns.channels import Channel, SendStatus
from tests.channels.servers import SmtpServer, free_port, smtp_server
from tests.contracts.channels import message

FROM = "Rapport News <news@Rapport.Example>"


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def sender(server: SmtpServer) -> Iterator[SmtpSender]:
    smtp = SmtpSender(SmtpSettings.from_url(f"smtp://127.0.0.1:{server.port}"), FROM)
    yield smtp
    smtp.close()


def test_a_mail_has_text_and_html_as_alternatives(server: SmtpServer, sender: SmtpSender) -> None:
    sent = message(Channel.EMAIL, 1, text="Hello Ada,\nspring is here.", html="<p>Hello Ada</p>")
    assert sender.send([sent])[0].accepted
    (received,) = server.mails
    assert received.mail.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in received.mail.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert received.text == "Hello Ada,\nspring is here."
    assert received.html is not None
    assert received.html.strip() == "<p>Hello Ada</p>"
    assert received.mail["Subject"] == sent.subject
    assert received.mail["To"] == sent.to
    assert received.mail["From"] == "Rapport News <news@Rapport.Example>"
    assert received.mail["Date"] is not None
    assert received.envelope_from == "news@Rapport.Example"


def test_a_mail_without_html_is_plain_text(server: SmtpServer, sender: SmtpSender) -> None:
    assert sender.send([message(Channel.EMAIL, 1, html=None)])[0].accepted
    assert server.mails[0].mail.get_content_type() == "text/plain"


def test_marketing_mail_carries_the_one_click_unsubscribe_headers(
    server: SmtpServer, sender: SmtpSender
) -> None:
    url = "https://crm.example.com/unsubscribe/" + "t0k3n" * 40 + "?channel=email"
    assert sender.send([message(Channel.EMAIL, 1, unsubscribe_url=url)])[0].accepted
    mail = server.mails[0].mail
    assert mail["List-Unsubscribe"] == f"<{url}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_transactional_mail_without_an_unsubscribe_url_has_no_such_header(
    server: SmtpServer, sender: SmtpSender
) -> None:
    sent = message(Channel.EMAIL, 1, marketing=False, unsubscribe_url=None)
    assert sender.send([sent])[0].accepted
    assert "List-Unsubscribe" not in server.mails[0].mail


def test_the_message_id_comes_from_the_message_and_the_from_domain(
    server: SmtpServer, sender: SmtpSender
) -> None:
    sent = message(Channel.EMAIL, 1)
    first = sender.send([sent])[0]
    again = sender.send([sent])[0]  # a resend after a crash, say
    headers = [m.mail["Message-ID"] for m in server.mails]
    assert headers == ["<msg-0001@rapport.example>", "<msg-0001@rapport.example>"]
    assert first.provider_id == again.provider_id == "<msg-0001@rapport.example>"
    assert [m.mail["X-Rapport-Message-Id"] for m in server.mails] == ["msg-0001", "msg-0001"]


def test_a_message_id_keeps_only_what_a_message_id_may_hold() -> None:
    assert message_id_header("0193e0c2-7b1a-7c3d-9e4f-a1b2c3d4e5f6", "x.org") == (
        "<0193e0c2-7b1a-7c3d-9e4f-a1b2c3d4e5f6@x.org>"
    )
    assert message_id_header("a b<c>@d", "x.org") == "<a=20b=3Cc=3E=40d@x.org>"


def test_one_connection_carries_many_messages_and_batches(
    server: SmtpServer, sender: SmtpSender
) -> None:
    for batch in range(3):
        outcomes = sender.send([message(Channel.EMAIL, batch * 10 + n) for n in range(10)])
        assert all(o.accepted for o in outcomes)
    assert len(server.mails) == 30
    assert server.connections == 1


def test_a_connection_dropped_mid_batch_retries_the_rest_and_reconnects(
    server: SmtpServer, sender: SmtpSender
) -> None:
    batch = [message(Channel.EMAIL, n) for n in range(1, 6)]
    server.drop_after = 2
    outcomes = sender.send(batch)
    assert [o.status for o in outcomes] == [SendStatus.ACCEPTED] * 2 + [SendStatus.RETRY] * 3
    assert all("connection" in o.detail for o in outcomes[2:])
    assert len(server.mails) == 2

    server.drop_after = None
    retried = sender.send(batch[2:])
    assert all(o.accepted for o in retried)
    assert [m.mail["X-Rapport-Message-Id"] for m in server.mails] == [m.id for m in batch]
    assert server.connections == 2


def test_a_refused_recipient_is_rejected_and_the_others_are_sent(
    server: SmtpServer, sender: SmtpSender
) -> None:
    batch = [message(Channel.EMAIL, n) for n in range(1, 4)]
    server.refused.add(batch[0].to)
    outcomes = sender.send(batch)
    assert [o.status for o in outcomes] == [
        SendStatus.REJECTED,
        SendStatus.ACCEPTED,
        SendStatus.ACCEPTED,
    ]
    assert "550" in outcomes[0].detail
    assert [m.recipients for m in server.mails] == [[batch[1].to], [batch[2].to]]
    assert server.connections == 1


def test_a_deferred_recipient_is_retried_and_the_connection_kept(
    server: SmtpServer, sender: SmtpSender
) -> None:
    batch = [message(Channel.EMAIL, n) for n in range(1, 4)]
    server.deferrals = 1
    outcomes = sender.send(batch)
    assert [o.status for o in outcomes] == [
        SendStatus.RETRY,
        SendStatus.ACCEPTED,
        SendStatus.ACCEPTED,
    ]
    assert "451" in outcomes[0].detail
    assert sender.send(batch[:1])[0].accepted
    assert len(server.mails) == 3
    assert server.connections == 1


def test_a_server_that_hung_up_while_idle_is_reconnected_to() -> None:
    port = free_port()
    with smtp_server() as first:
        smtp = SmtpSender(SmtpSettings.from_url(f"smtp://127.0.0.1:{first.port}"), FROM)
        assert smtp.send([message(Channel.EMAIL, 1)])[0].accepted
        port = first.port
    # The same address, a new server: the kept connection died with the old one.
    second = SmtpServer(port=port)
    controller = Controller(second, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert smtp.send([message(Channel.EMAIL, 2)])[0].accepted
        assert [m.mail["X-Rapport-Message-Id"] for m in second.mails] == ["msg-0002"]
    finally:
        smtp.close()
        controller.stop()


def test_an_unreachable_server_retries_everything_without_raising() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound but not listening: connections are refused
        smtp = SmtpSender(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}"), FROM)
        outcomes = smtp.send([message(Channel.EMAIL, n) for n in range(3)])
    assert [o.status for o in outcomes] == [SendStatus.RETRY] * 3
    assert all("cannot reach" in o.detail for o in outcomes)


def test_a_header_that_would_smuggle_another_is_rejected_unsent(
    server: SmtpServer, sender: SmtpSender
) -> None:
    sneaky = message(Channel.EMAIL, 1, subject="Hi\r\nBcc: everyone@example.com")
    plain = message(Channel.EMAIL, 2)
    outcomes = sender.send([sneaky, plain])
    assert [o.status for o in outcomes] == [SendStatus.REJECTED, SendStatus.ACCEPTED]
    assert [m.recipients for m in server.mails] == [[plain.to]]


def test_an_unsubscribe_url_that_is_not_a_plain_url_is_rejected(
    server: SmtpServer, sender: SmtpSender
) -> None:
    (outcome,) = sender.send([message(Channel.EMAIL, 1, unsubscribe_url="javascript:alert(1)")])
    assert outcome.status is SendStatus.REJECTED
    assert server.mails == []


def test_render_email_gives_the_bytes_a_plain_smtplib_client_would_send() -> None:
    sent = message(Channel.EMAIL, 7)
    raw = render_email(sent, "news@rapport.example")
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    mail = cast(EmailMessage, message_from_bytes(raw, policy=policy.default))
    assert mail["Message-ID"] == "<msg-0007@rapport.example>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", SmtpSettings("127.0.0.1", 2525, "none")),
        ("smtp://mail.example.com", SmtpSettings("mail.example.com", 25, "none")),
        (
            "smtp+starttls://ada:s3cret@mail.example.com",
            SmtpSettings("mail.example.com", 587, "starttls", "ada", "s3cret"),
        ),
        (
            "smtps://apikey:p%40ss%2Fw%3Ard@smtp.example.com:465",
            SmtpSettings("smtp.example.com", 465, "tls", "apikey", "p@ss/w:rd"),
        ),
        ("SMTPS://[::1]:1465/", SmtpSettings("::1", 1465, "tls")),
    ],
)
def test_smtp_urls(url: str, expected: SmtpSettings) -> None:
    assert SmtpSettings.from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://mail.example.com", "must start with"),
        ("mail.example.com:25", "must start with"),
        ("smtp://", "no host"),
        ("smtp://mail.example.com:99999", "not a URL"),
        ("smtp://mail.example.com:port", "not a URL"),
        ("smtp://ada@mail.example.com", "no password"),
        ("smtp://mail.example.com/inbox", "no path"),
        ("smtp://mail.example.com?tls=1", "no path"),
    ],
)
def test_bad_smtp_urls_are_configuration_errors(url: str, complaint: str) -> None:
    with pytest.raises(ChannelConfigurationError, match="RAPPORT_SMTP_URL") as error:
        SmtpSettings.from_url(url)
    assert complaint in str(error.value)


@pytest.mark.parametrize("text", ["", "no-at-sign", "News <>", "a@b\r\nBcc: x@y"])
def test_a_bad_from_address_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ChannelConfigurationError, match="RAPPORT_EMAIL_FROM"):
        Sender.parse(text)


def test_a_non_ascii_address_goes_to_a_server_with_smtputf8(
    server: SmtpServer, sender: SmtpSender
) -> None:
    sent = message(Channel.EMAIL, 1, to="zoë@example.com")
    assert sender.send([sent])[0].accepted
    assert server.mails[0].recipients == ["zoë@example.com"]
    assert server.mails[0].mail["To"] == "zoë@example.com"


def test_a_non_ascii_address_is_rejected_by_a_server_without_smtputf8() -> None:
    with smtp_server(smtputf8=False) as server:
        smtp = SmtpSender(SmtpSettings.from_url(f"smtp://127.0.0.1:{server.port}"), FROM)
        unicode_address = message(Channel.EMAIL, 1, to="zoë@example.com")
        plain = message(Channel.EMAIL, 2)
        outcomes = smtp.send([unicode_address, plain])
        smtp.close()
    assert [o.status for o in outcomes] == [SendStatus.REJECTED, SendStatus.ACCEPTED]
    assert "SMTPUTF8" in outcomes[0].detail
    assert [m.recipients for m in server.mails] == [[plain.to]]
