"""A ``ChannelSender`` for tests: keeps every message it is handed, accepts or refuses them."""

from __future__ import annotations

from collections.abc import Sequence

from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome, SendStatus


class RecordingSender:
    def __init__(self, channel: Channel = Channel.EMAIL) -> None:
        self._channel = channel
        self.sent: list[OutboundMessage] = []
        self.answer = SendStatus.ACCEPTED
        """What the next sends answer; ``RETRY`` plays a mail server that is down."""
        self.closed = False

    @property
    def channel(self) -> Channel:
        return self._channel

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
        if self.answer is SendStatus.ACCEPTED:
            self.sent.extend(messages)
        return [
            SendOutcome(message_id=message.id, status=self.answer, provider_id=f"<{message.id}>")
            for message in messages
        ]

    def close(self) -> None:
        self.closed = True
