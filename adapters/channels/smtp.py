"""Email over SMTP: multipart text and HTML, RFC 8058 one-click unsubscribe headers, a
``Message-ID`` derived from Rapport's message id, and one connection kept across sends."""

from __future__ import annotations

import re
import smtplib
import ssl
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Literal
from urllib.parse import unquote, urlsplit

from attrs import frozen

from adapters.channels import ChannelConfigurationError
from adapters.channels.outcomes import refusal, refused
from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome, SendStatus

Security = Literal["none", "starttls", "tls"]

SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
"""URL scheme: how the connection is secured, and the port when the URL names none."""

# RFC 5322 atext and the dot: what the left of a Message-ID may hold unquoted.
_MSG_ID_LEFT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")
_SAFE_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


@frozen
class SmtpSettings:
    """Where and how to connect, read from ``RAPPORT_SMTP_URL``."""

    host: str
    port: int
    security: Security = "none"
    username: str = ""
    password: str = ""
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpSettings:
        """``smtp://host:port``, ``smtp+starttls://user:pass@host:587`` or
        ``smtps://user:pass@host:465``; anything else is a configuration error."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as error:
            raise ChannelConfigurationError(f"RAPPORT_SMTP_URL is not a URL: {error}") from None
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise ChannelConfigurationError(
                f"RAPPORT_SMTP_URL must start with {', '.join(s + '://' for s in SCHEMES)}, "
                f"not {parts.scheme or 'nothing'}"
            )
        if not parts.hostname:
            raise ChannelConfigurationError("RAPPORT_SMTP_URL names no host")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ChannelConfigurationError(
                "RAPPORT_SMTP_URL takes no path, query or fragment: only user:password@host:port"
            )
        username = unquote(parts.username or "")
        password = unquote(parts.password or "")
        if username and parts.password is None:
            raise ChannelConfigurationError("RAPPORT_SMTP_URL names a user but no password")
        security, default_port = SCHEMES[scheme]
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            username=username,
            password=password,
            timeout=timeout,
        )


@frozen
class Sender:
    """The ``From`` of every mail: the header as written, and the envelope address."""

    header: str
    address: str
    domain: str

    @classmethod
    def parse(cls, text: str) -> Sender:
        """``news@example.com`` or ``Example News <news@example.com>``."""
        name, address = parseaddr(text.strip())
        local, at, domain = address.rpartition("@")
        if not at or not local or not domain or any(c in text for c in "\r\n"):
            raise ChannelConfigurationError(
                f"RAPPORT_EMAIL_FROM must be an address such as news@example.com, not {text!r}"
            )
        header = str(Address(display_name=name, addr_spec=address)) if name else address
        return cls(header=header, address=address, domain=domain.lower())


def message_id_header(message_id: str, domain: str) -> str:
    """``<id@domain>``: the same for every attempt at the message, so a reply's
    ``In-Reply-To`` or a bounce's copy of the headers leads back to it."""
    left = "".join(c if _MSG_ID_LEFT.fullmatch(c) else f"={ord(c):02X}" for c in message_id)
    return f"<{left.strip('.') or 'message'}@{domain}>"


def email_message(
    message: OutboundMessage, sender: Sender, *, at: datetime | None = None
) -> EmailMessage:
    """The mail for ``message``: text, and HTML as its alternative when there is some.

    Raises ``ValueError`` when the message cannot be written as a mail (a header with a
    line break, an address that is not one).
    """
    mail = EmailMessage(policy=_policy_for(message, sender))
    mail["From"] = sender.header
    mail["To"] = message.to
    mail["Subject"] = message.subject
    if at is not None:
        mail["Date"] = format_datetime(at.astimezone(UTC))
    mail["Message-ID"] = message_id_header(message.id, sender.domain)
    mail["X-Rapport-Message-Id"] = message.id
    if message.unsubscribe_url:
        if not _SAFE_URL.fullmatch(message.unsubscribe_url):
            raise ValueError("the unsubscribe_url must be an http(s) URL without spaces or <>")
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


def render_email(
    message: OutboundMessage, sender: Sender | str, *, at: datetime | None = None
) -> bytes:
    """The mail for ``message`` as the bytes sent after ``DATA`` (CRLF line ends)."""
    author = sender if isinstance(sender, Sender) else Sender.parse(sender)
    return email_message(message, author, at=at).as_bytes()


def _policy_for(message: OutboundMessage, sender: Sender) -> policy.EmailPolicy[EmailMessage]:
    """CRLF line ends; UTF-8 headers only when an address needs them (RFC 6531)."""
    ascii_only = (message.to + sender.address).isascii()
    return policy.SMTP if ascii_only else policy.SMTPUTF8


class SmtpSender:
    """Sends email over one SMTP connection, kept open across messages and ``send`` calls.

    The connection is checked with a ``NOOP`` before each batch and opened again if the
    server dropped it while idle. Within a batch, a dropped connection or a timeout makes
    the message in flight and every later one ``RETRY``: whether the server kept the one in
    flight cannot be known, and a second try of it carries the same ``Message-ID``.
    """

    def __init__(
        self,
        settings: SmtpSettings,
        sender: Sender | str,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        self._sender = sender if isinstance(sender, Sender) else Sender.parse(sender)
        self._now = now
        self._tls_context = tls_context
        self._connection: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    @property
    def channel(self) -> Channel:
        return Channel.EMAIL

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
        with self._lock:
            outcomes: list[SendOutcome] = []
            connection: smtplib.SMTP | None = None
            for index, message in enumerate(messages):
                reason = refusal(message, Channel.EMAIL)
                if reason:
                    outcomes.append(refused(message, reason))
                    continue
                try:
                    content = render_email(message, self._sender, at=self._now())
                except (ValueError, TypeError, MessageError) as error:
                    outcomes.append(refused(message, f"cannot be written as a mail: {error}"))
                    continue
                if connection is None:
                    try:
                        connection = self._connected()
                    except (OSError, smtplib.SMTPException) as error:
                        self._drop()
                        return outcomes + _untried(
                            messages[index:], f"cannot reach the SMTP server: {_text(error)}"
                        )
                outcome = self._deliver(connection, message, content)
                outcomes.append(outcome)
                if self._connection is None:
                    # The connection went down with this message; the rest wait for a
                    # later batch, which connects again.
                    return outcomes + _untried(
                        messages[index + 1 :], "not tried: the SMTP connection was lost"
                    )
            return outcomes

    def close(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                try:
                    connection.quit()
                except (OSError, smtplib.SMTPException):
                    connection.close()

    def _deliver(
        self, connection: smtplib.SMTP, message: OutboundMessage, content: bytes
    ) -> SendOutcome:
        message_id = message_id_header(message.id, self._sender.domain)
        options: list[str] = []
        if not (message.to + self._sender.address).isascii():
            if not connection.has_extn("smtputf8"):
                return SendOutcome(
                    message_id=message.id,
                    status=SendStatus.REJECTED,
                    provider_id=message_id,
                    detail="the address is not ASCII and the SMTP server has no SMTPUTF8",
                )
            options.append("SMTPUTF8")
        try:
            connection.sendmail(self._sender.address, [message.to], content, mail_options=options)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()), (0, b""))
            return self._answer(message, message_id, code, reply, "the recipient")
        except smtplib.SMTPSenderRefused as error:
            # The sender address or the mail's size, not the recipient: never a bounce.
            return self._retry(
                message,
                message_id,
                f"MAIL FROM refused: {error.smtp_code} {_reply(error.smtp_error)}",
                drop=error.smtp_code == 421,
            )
        except smtplib.SMTPDataError as error:
            return self._answer(message, message_id, error.smtp_code, error.smtp_error, "the mail")
        except UnicodeError as error:
            # An address smtplib cannot spell in the commands: this message's fault alone.
            self._reset(connection)
            return SendOutcome(
                message_id=message.id,
                status=SendStatus.REJECTED,
                provider_id=message_id,
                detail=f"the address cannot be sent over SMTP: {error}",
            )
        except (OSError, smtplib.SMTPException) as error:
            # Disconnected, timed out, or an answer smtplib could not read.
            return self._retry(
                message, message_id, f"SMTP connection lost: {_text(error)}", drop=True
            )
        return SendOutcome(
            message_id=message.id, status=SendStatus.ACCEPTED, provider_id=message_id
        )

    def _answer(
        self, message: OutboundMessage, message_id: str, code: int, reply: bytes | str, what: str
    ) -> SendOutcome:
        detail = f"{code} {_reply(reply)}".strip()
        if code == 421 or code < 400:
            return self._retry(message, message_id, f"{what}: {detail}", drop=code == 421)
        if code >= 500:
            return SendOutcome(
                message_id=message.id,
                status=SendStatus.REJECTED,
                provider_id=message_id,
                detail=f"{what} was refused: {detail}",
            )
        return self._retry(message, message_id, f"{what} was deferred: {detail}", drop=False)

    def _retry(
        self, message: OutboundMessage, message_id: str, detail: str, *, drop: bool
    ) -> SendOutcome:
        if drop:
            self._drop()
        return SendOutcome(
            message_id=message.id, status=SendStatus.RETRY, provider_id=message_id, detail=detail
        )

    def _connected(self) -> smtplib.SMTP:
        """The open connection, checked with a NOOP; a new one if there is none or it died."""
        if self._connection is not None:
            try:
                code, _ = self._connection.noop()
                if code == 250:
                    return self._connection
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()
        self._connection = self._open()
        return self._connection

    def _open(self) -> smtplib.SMTP:
        settings = self._settings
        context = self._tls_context or ssl.create_default_context()
        connection: smtplib.SMTP
        if settings.security == "tls":
            connection = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            connection.ehlo()
            if settings.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if settings.username:
                connection.login(settings.username, settings.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def _reset(self, connection: smtplib.SMTP) -> None:
        """Clear a half-begun transaction, or drop the connection if even that fails."""
        try:
            connection.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _untried(messages: Sequence[OutboundMessage], detail: str) -> list[SendOutcome]:
    """The messages a batch could not try: ``RETRY``, unless they could never be sent."""
    outcomes: list[SendOutcome] = []
    for message in messages:
        reason = refusal(message, Channel.EMAIL)
        outcomes.append(
            refused(message, reason)
            if reason
            else SendOutcome(message_id=message.id, status=SendStatus.RETRY, detail=detail)
        )
    return outcomes


def _reply(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _text(error: BaseException) -> str:
    return str(error) or type(error).__name__
