"""The port behind rate limits and query-cost budgets: token buckets shared by key."""

from __future__ import annotations

from typing import Protocol

from attrs import frozen


@frozen
class Allowance:
    """The answer to one ``take``: whether it was granted and how the bucket stands after."""

    granted: bool
    remaining: float
    """Tokens left in the bucket after this take (nothing is taken when refused)."""
    retry_after: float
    """Seconds until the bucket holds enough for the same take; 0 when granted."""


@frozen
class BucketPolicy:
    """A bucket holds at most ``capacity`` tokens and gains ``refill_per_second``."""

    capacity: float
    refill_per_second: float

    def __attrs_post_init__(self) -> None:
        if self.capacity <= 0 or self.refill_per_second <= 0:
            raise ValueError("a bucket needs a positive capacity and refill rate")


class TokenBuckets(Protocol):
    def take(self, key: str, amount: float, policy: BucketPolicy) -> Allowance:
        """Take ``amount`` tokens from ``key``'s bucket (full when first seen), or none.

        A take larger than the capacity is never granted.
        """
        ...
