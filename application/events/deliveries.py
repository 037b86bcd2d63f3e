"""The webhook delivery log as the dispatcher sees it: what is due, and what came of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, Protocol

from attrs import frozen

DeliveryStatus = Literal["pending", "delivered", "failed"]


@frozen
class DueDelivery:
    """A pending delivery whose next attempt is due, with where and how to send it."""

    id: int
    subscription_id: str
    event_id: str
    body: str
    attempts: int
    """Attempts made before this one."""
    url: str
    secret: str
    role: str = "admin"
    """The subscription's role: the body is sent as that role may read it."""


@frozen
class AttemptOutcome:
    """One attempt at a delivery, and what follows from it."""

    delivery_id: int
    subscription_id: str
    attempts: int
    """Attempts made, this one included."""
    status_code: int | None
    latency_ms: int
    response: str
    status: DeliveryStatus
    next_attempt_at: datetime | None
    """When to try again; None once the delivery is delivered or failed."""
    disable_reason: str | None = None
    """Set when the subscription must be disabled, saying why."""


class WebhookDeliveries(Protocol):
    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> Sequence[DueDelivery]:
        """Due deliveries of active subscriptions, each the first pending one of its
        aggregate for its subscription, in position order. Where several dispatchers share
        the log, the claimed ones are leased to this one for ``lease``."""
        ...

    def record(self, outcomes: Sequence[AttemptOutcome], at: datetime) -> None:
        """Store the outcomes of a batch, and disable the subscriptions they say to."""
        ...
