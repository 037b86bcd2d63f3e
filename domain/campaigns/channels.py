"""The channels a message goes out on, and what a channel is handed and answers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from attrs import field, frozen


class Channel(StrEnum):
    """Where a message goes; consent, caps and suppression are kept per channel."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


@frozen(kw_only=True)
class OutboundMessage:
    """One rendered message, ready for its channel.

    ``id`` is Rapport's message id: stable across retries, so a channel can derive an
    idempotency key from it (the email ``Message-ID``, the webhook id) that lets a receiver
    drop the duplicate a crash between acceptance and bookkeeping can cause.
    """

    id: str
    channel: Channel
    customer_id: str
    to: str
    """The address: an email address, an E.164 phone number, or the customer's id for webhooks."""
    subject: str = ""
    text: str = ""
    html: str | None = None
    marketing: bool = True
    unsubscribe_url: str | None = None
    """Required on marketing email: it becomes the RFC 8058 ``List-Unsubscribe`` header."""
    metadata: Mapping[str, str] = field(factory=dict)
    """Where the message comes from (``campaign_id``, ``journey_id``, ``step_id`` …)."""


class SendStatus(StrEnum):
    ACCEPTED = "accepted"
    """The channel took the message (an SMTP 250, a 2xx from a gateway or webhook)."""
    RETRY = "retry"
    """A passing failure (a 4xx reply, a dropped connection, a timeout): try again later."""
    REJECTED = "rejected"
    """A lasting refusal of this recipient (an SMTP 5xx on the recipient): never retried."""


@frozen(kw_only=True)
class SendOutcome:
    """What a channel answered for one message."""

    message_id: str
    status: SendStatus
    provider_id: str = ""
    """The channel's handle for the message (the ``Message-ID`` header, a gateway's id)."""
    detail: str = ""
    parts: int = 1
    """How many billable parts it went out as: SMS segments, or 1."""

    @property
    def accepted(self) -> bool:
        return self.status is SendStatus.ACCEPTED
