"""What happens to consent, as versioned domain events partners may subscribe to."""

from __future__ import annotations

from attrs import frozen

from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.events import DomainEvent


@frozen(kw_only=True)
class ConsentChanged(DomainEvent):
    """A customer's consent to marketing on one channel changed.

    The subject is the customer's id. It carries no address: the id, the channel and the
    statuses are enough to act on, and nothing in it needs erasing once the customer is gone."""

    event_type = "rapport.consent.changed.v1"
    aggregate_type = "customer"

    channel: Channel
    from_status: ConsentStatus
    to_status: ConsentStatus
    source: str
