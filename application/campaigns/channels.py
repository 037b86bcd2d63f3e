"""The channel port: one per channel, the same contract for every adapter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome


class ChannelSender(Protocol):
    """Sends rendered messages on one channel.

    ``send`` answers one outcome per message, in order, and never raises for a message's
    own failure: a refused recipient is ``REJECTED``, a passing failure (a dropped
    connection mid-batch, a 4xx) is ``RETRY`` for that message and every later one it could
    not try. Connections are reused across calls until ``close``.
    """

    @property
    def channel(self) -> Channel: ...

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]: ...

    def close(self) -> None: ...
