"""A channel that keeps what it is handed, for tests of the code that sends."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome, SendStatus
from domain.campaigns.sms import sms_parts


class InMemoryChannel:
    """Accepts every message unless told otherwise, and keeps each one.

    ``refuse(address)`` makes messages to that address ``REJECTED`` (a hard bounce);
    ``fail_next(n)`` makes the next ``n`` messages ``RETRY`` (a dropped connection). It
    holds marketing email to the rule the real channels keep: no ``unsubscribe_url``, no
    send.
    """

    def __init__(self, channel: Channel, *, refused: Iterable[str] = ()) -> None:
        self._channel = channel
        self._refused = set(refused)
        self._failures_left = 0
        self._lock = threading.Lock()
        self.handed: list[OutboundMessage] = []
        """Every message ``send`` was given, in order, whatever became of it."""
        self.accepted: list[OutboundMessage] = []
        """The messages it took, in order: what the far side received."""
        self.batches = 0
        self.closed = False

    @property
    def channel(self) -> Channel:
        return self._channel

    def refuse(self, *addresses: str) -> None:
        with self._lock:
            self._refused.update(addresses)

    def fail_next(self, count: int) -> None:
        """The next ``count`` messages (over any number of ``send`` calls) get ``RETRY``."""
        with self._lock:
            self._failures_left = count

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
        with self._lock:
            self.batches += 1
            self.closed = False
            return [self._send_one(message) for message in messages]

    def close(self) -> None:
        self.closed = True

    def _send_one(self, message: OutboundMessage) -> SendOutcome:
        self.handed.append(message)
        parts = sms_parts(message.text).parts if message.channel is Channel.SMS else 1
        status, detail = SendStatus.ACCEPTED, ""
        if message.channel is not self._channel:
            status, detail = SendStatus.REJECTED, f"not a {self._channel.value} message"
        elif self._channel is Channel.EMAIL and message.marketing and not message.unsubscribe_url:
            status, detail = SendStatus.REJECTED, "a marketing email needs an unsubscribe_url"
        elif self._failures_left > 0:
            self._failures_left -= 1
            status, detail = SendStatus.RETRY, "failing as told (fail_next)"
        elif message.to in self._refused:
            status, detail = SendStatus.REJECTED, f"{message.to} is refused"
        if status is SendStatus.ACCEPTED:
            self.accepted.append(message)
        return SendOutcome(
            message_id=message.id,
            status=status,
            provider_id=f"memory-{len(self.handed)}" if status is SendStatus.ACCEPTED else "",
            detail=detail,
            parts=parts,
        )
