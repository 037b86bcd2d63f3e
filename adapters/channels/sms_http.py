"""SMS through a generic HTTP gateway: a JSON POST built from a configured template."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

from adapters.channels import ChannelConfigurationError
from adapters.channels.outcomes import (
    refusal,
    refused,
    status_of_http,
)
from adapters.delivery.http import HttpOutcome, KeepAliveSender
from application.events.targets import UnusableTarget, parse_target
from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome, SendStatus
from domain.campaigns.sms import sms_parts

DEFAULT_BODY_TEMPLATE = (
    '{"to": "{to}", "from": "{from}", "text": "{text}", "reference": "{message_id}"}'
)
PLACEHOLDERS = ("to", "from", "text", "message_id", "customer_id", "parts", "encoding")
"""What a body template may name. Each is replaced JSON-escaped, so it belongs inside a
JSON string, except ``{parts}``, a number, which may stand on its own."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")

Post = Callable[[str, bytes, Mapping[str, str]], HttpOutcome]


class BodyTemplate:
    """A JSON body with ``{placeholders}``, checked once when it is configured."""

    def __init__(self, text: str) -> None:
        unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
        if unknown:
            raise ChannelConfigurationError(
                f"RAPPORT_SMS_BODY_TEMPLATE names {', '.join('{' + n + '}' for n in unknown)}; "
                f"it may use {', '.join('{' + n + '}' for n in PLACEHOLDERS)}"
            )
        self._text = text
        sample = self.render(dict.fromkeys(PLACEHOLDERS, "sample") | {"parts": "1"})
        try:
            json.loads(sample)
        except ValueError as error:
            raise ChannelConfigurationError(
                "RAPPORT_SMS_BODY_TEMPLATE must be JSON once its placeholders are filled in, "
                f"with text placeholders inside quotes: {error}"
            ) from None

    def render(self, values: Mapping[str, str]) -> str:
        """The body with every placeholder replaced by its JSON-escaped value."""
        return _PLACEHOLDER.sub(lambda found: _escaped(values[found.group(1)]), self._text)


class HttpSmsGateway:
    """Posts each message to an SMS gateway, one kept-alive connection for all of them.

    2xx is accepted (the gateway's id is read from an ``id`` in a JSON answer); a 4xx
    refuses the message for good, except 408 and 429; a 5xx or no answer is a ``RETRY``.
    """

    def __init__(
        self,
        url: str,
        *,
        sender_id: str = "",
        authorization: str = "",
        body_template: str = DEFAULT_BODY_TEMPLATE,
        timeout: float = 10.0,
        post: Post | None = None,
    ) -> None:
        try:
            parse_target(url)
        except UnusableTarget as error:
            raise ChannelConfigurationError(f"RAPPORT_SMS_GATEWAY_URL {error}") from None
        if any(c in authorization for c in "\r\n"):
            raise ChannelConfigurationError("RAPPORT_SMS_GATEWAY_AUTH must be one line")
        self._url = url
        self._sender_id = sender_id
        self._template = BodyTemplate(body_template or DEFAULT_BODY_TEMPLATE)
        self._headers = {"content-type": "application/json", "user-agent": "Rapport-SMS/1"}
        if authorization:
            self._headers["authorization"] = authorization
        self._client = KeepAliveSender(timeout) if post is None else None
        self._post: Post = post or self._client  # type: ignore[assignment]

    @property
    def channel(self) -> Channel:
        return Channel.SMS

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
        return [self._send_one(message) for message in messages]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _send_one(self, message: OutboundMessage) -> SendOutcome:
        reason = refusal(message, Channel.SMS) or _sms_refusal(message)
        if reason:
            return refused(message, reason)
        counted = sms_parts(message.text)
        body = self._template.render(
            {
                "to": message.to,
                "from": self._sender_id,
                "text": message.text,
                "message_id": message.id,
                "customer_id": message.customer_id,
                "parts": str(counted.parts),
                "encoding": counted.encoding,
            }
        )
        answer = self._post(self._url, body.encode(), self._headers)
        status = status_of_http(answer.status)
        detail = (
            f"the gateway answered {answer.status}: {answer.excerpt}"
            if answer.status is not None
            else f"no answer from the gateway: {answer.excerpt}"
        )
        return SendOutcome(
            message_id=message.id,
            status=status,
            provider_id=_provider_id(answer.excerpt) if status is SendStatus.ACCEPTED else "",
            detail="" if status is SendStatus.ACCEPTED else detail.strip(),
            parts=counted.parts,
        )


def _sms_refusal(message: OutboundMessage) -> str | None:
    if not _E164.fullmatch(message.to):
        return f"{message.to!r} is not an E.164 phone number such as +4915112345678"
    if not message.text:
        return "an SMS needs text"
    return None


def _escaped(value: str) -> str:
    """``value`` as the inside of a JSON string: quotes, backslashes and controls escaped."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _provider_id(excerpt: str) -> str:
    try:
        answer = json.loads(excerpt)
    except ValueError:
        return ""
    if isinstance(answer, dict) and isinstance(answer.get("id"), str | int):
        return str(answer["id"])
    return ""
