"""Messages to an in-app or partner endpoint: JSON, signed like the lifecycle webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from adapters.channels import ChannelConfigurationError
from adapters.channels.outcomes import (
    refusal,
    refused,
    status_of_http,
)
from adapters.delivery.http import KeepAliveSender
from adapters.delivery.webhooks import Sender as Post
from adapters.delivery.webhooks import signed_headers
from application.events.targets import UnusableTarget, parse_target
from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome, SendStatus


def webhook_body(message: OutboundMessage) -> str:
    """The JSON a receiver gets: the message as Rapport rendered it."""
    return json.dumps(
        {
            "id": message.id,
            "channel": message.channel.value,
            "customer_id": message.customer_id,
            "to": message.to,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "marketing": message.marketing,
            "unsubscribe_url": message.unsubscribe_url,
            "metadata": dict(message.metadata),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


class WebhookChannel:
    """POSTs each message, Standard Webhooks signed, with ``webhook-id`` = the message id.

    A retry carries the same ``webhook-id``, so a receiver that drops ids it has seen gets
    each message once.
    """

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: float = 10.0,
        post: Post | None = None,
    ) -> None:
        try:
            parse_target(url)
        except UnusableTarget as error:
            raise ChannelConfigurationError(f"RAPPORT_MESSAGE_WEBHOOK_URL {error}") from None
        if not secret:
            raise ChannelConfigurationError(
                "RAPPORT_MESSAGE_WEBHOOK_SECRET is required with RAPPORT_MESSAGE_WEBHOOK_URL "
                "(a Standard Webhooks secret such as whsec_…)"
            )
        try:
            signed_headers(secret, "check", now(), "")
        except Exception as error:
            raise ChannelConfigurationError(
                f"RAPPORT_MESSAGE_WEBHOOK_SECRET cannot sign: {error}"
            ) from None
        self._url = url
        self._secret = secret
        self._now = now
        self._client = KeepAliveSender(timeout) if post is None else None
        self._post: Post = post or self._client  # type: ignore[assignment]

    @property
    def channel(self) -> Channel:
        return Channel.WEBHOOK

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
        return [self._send_one(message) for message in messages]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _send_one(self, message: OutboundMessage) -> SendOutcome:
        reason = refusal(message, Channel.WEBHOOK)
        if reason:
            return refused(message, reason)
        body = webhook_body(message)
        headers = signed_headers(self._secret, message.id, self._now(), body)
        headers["content-type"] = "application/json"
        answer = self._post(self._url, body.encode(), headers)
        status = status_of_http(answer.status)
        if status is SendStatus.ACCEPTED:
            return SendOutcome(message_id=message.id, status=status, provider_id=message.id)
        detail = (
            f"the endpoint answered {answer.status}: {answer.excerpt}"
            if answer.status is not None
            else f"no answer from the endpoint: {answer.excerpt}"
        )
        return SendOutcome(message_id=message.id, status=status, detail=detail.strip())
