"""Addresses no message may go to: hard bounces, complaints and manual blocks."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from attrs import frozen

from domain.campaigns.channels import Channel


class SuppressionReason(StrEnum):
    HARD_BOUNCE = "hard_bounce"
    """The address does not exist or refuses mail for good."""
    COMPLAINT = "complaint"
    """The recipient marked a message as spam."""
    MANUAL = "manual"


def normalised_address(address: str, channel: Channel) -> str:
    """The form two spellings of one address share: an email in lower case, a phone
    number without spaces, dashes or brackets, anything else trimmed."""
    trimmed = address.strip()
    if channel is Channel.EMAIL:
        return trimmed.lower()
    if channel is Channel.SMS:
        return "".join(c for c in trimmed if c.isdigit() or c == "+")
    return trimmed


def address_key(address: str, channel: Channel) -> str:
    """The SHA-256 (hex) of the normalised address: what the suppression list keeps, so it
    still stops mail to an erased person's address without holding the address."""
    return hashlib.sha256(normalised_address(address, channel).encode()).hexdigest()


@frozen(kw_only=True)
class Suppression:
    """One address on one channel that nothing is sent to again."""

    address_key: str
    channel: Channel
    reason: SuppressionReason
    at: datetime

    @classmethod
    def of(
        cls, address: str, channel: Channel, reason: SuppressionReason, at: datetime
    ) -> Suppression:
        return cls(address_key=address_key(address, channel), channel=channel, reason=reason, at=at)
