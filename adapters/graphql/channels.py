"""The ``Channel`` enum of the API, over the domain's: where a message goes."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.campaigns.channels import Channel

_DESCRIPTIONS = {
    Channel.EMAIL: "Email, over SMTP.",
    Channel.SMS: "A text message, through the SMS gateway.",
    Channel.WEBHOOK: "A signed POST to the partner or in-app endpoint configured.",
}

_channels: type[Enum] = Enum(  # type: ignore[misc]
    "Channel",
    {
        channel.name: strawberry.enum_value(channel.value, description=_DESCRIPTIONS[channel])
        for channel in Channel
    },
)
ChannelEnum = strawberry.enum(
    _channels, name="Channel", description="Where a message goes: consent is kept per channel."
)


def channel_of(value: Enum) -> Channel:
    """The domain's channel for a value of the API's enum."""
    return Channel(value.value)


def api_channel(channel: Channel) -> Enum:
    return ChannelEnum(channel.value)
