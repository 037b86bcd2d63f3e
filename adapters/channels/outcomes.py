"""The outcomes every channel adapter gives alike: a lasting refusal before anything is sent,
and what an HTTP status means for a message."""

from __future__ import annotations

from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome, SendStatus
from domain.campaigns.sms import sms_parts


def refusal(message: OutboundMessage, channel: Channel) -> str | None:
    """Why ``message`` must not go out on ``channel`` at all, or None.

    These are lasting: sending the same message again cannot change them.
    """
    if message.channel is not channel:
        return f"a {message.channel.value} message cannot go out on the {channel.value} channel"
    if not message.to.strip():
        return "the message has no recipient address"
    if channel is Channel.EMAIL and message.marketing and not message.unsubscribe_url:
        return (
            "a marketing email needs an unsubscribe_url: it is sent as the List-Unsubscribe "
            "header (RFC 8058) and no marketing mail goes out without one"
        )
    return None


def parts_of(message: OutboundMessage) -> int:
    """Billable parts: SMS segments of the text, else 1."""
    return sms_parts(message.text).parts if message.channel is Channel.SMS else 1


def refused(message: OutboundMessage, detail: str) -> SendOutcome:
    return SendOutcome(
        message_id=message.id,
        status=SendStatus.REJECTED,
        detail=detail,
        parts=parts_of(message),
    )


def status_of_http(status: int | None) -> SendStatus:
    """2xx accepted; a 4xx refuses this message for good, except a timeout (408) or a rate
    limit (429); a 5xx or no answer at all is worth another try."""
    if status is None:
        return SendStatus.RETRY
    if 200 <= status < 300:
        return SendStatus.ACCEPTED
    if 400 <= status < 500 and status not in (408, 429):
        return SendStatus.REJECTED
    return SendStatus.RETRY
