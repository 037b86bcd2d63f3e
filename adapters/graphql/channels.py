"""The ``Channel`` enum of the API, over the domain's: where a message goes."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.campaigns.channels import Channel


@strawberry.enum(name="Channel", description="Where a message goes; consent is kept per channel.")
class ChannelEnum(Enum):
    EMAIL = strawberry.enum_value("email", description="Email, over SMTP.")
    SMS = strawberry.enum_value("sms", description="A text message, through the SMS gateway.")
    WEBHOOK = strawberry.enum_value(
        "webhook", description="A signed POST to the partner or in-app endpoint configured."
    )


def channel_of(value: Enum) -> Channel:
    """The domain's channel for a value of the API's enum."""
    return Channel(value.value)


def api_channel(channel: Channel) -> ChannelEnum:
    return ChannelEnum(channel.value)
