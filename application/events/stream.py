"""The port to an event broker: publish CloudEvents, consume them in consumer groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from attrs import frozen


@frozen
class StreamMessage:
    """One CloudEvent as a consumer got it; ``receipt`` is what ``ack`` takes."""

    receipt: str
    event: Mapping[str, Any]
    deliveries: int


class EventStream(Protocol):
    def publish(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Append CloudEvents in order; returns once the broker has stored them."""
        ...

    def consume(
        self, group: str, consumer: str, *, count: int = 100, wait_ms: int = 0
    ) -> Sequence[StreamMessage]:
        """New messages for ``group``, and ones a consumer took but did not ack in time."""
        ...

    def ack(self, group: str, receipts: Sequence[str]) -> None: ...

    def join(self, group: str, *, from_now: bool) -> None:
        """Create ``group`` unless it exists, at the oldest retained event or after the newest.

        ``consume`` creates a missing group from the oldest; a live view joins from now.
        """
        ...

    def leave(self, group: str) -> None:
        """Remove ``group`` and what it had taken but not acked."""
        ...

    def close(self) -> None: ...
