"""The outbox of messages: what campaigns and journeys enqueue into, what the dispatcher
claims from, and what stats, attribution and the API read.

``uow.messages`` is the repository, declared on any module's unit of work that enqueues
(``messages = repository(SqlMessageRepository)``); the readers work outside a transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.campaigns.ports import SuppressionList
from application.pagination import SortKey
from application.unit_of_work import UnitOfWork
from domain.access.visibility import Visibility
from domain.campaigns.attribution import Touch
from domain.campaigns.channels import Channel
from domain.campaigns.messages import Message

DEFAULT_CLAIM_BATCH = 200
"""How many due messages one dispatcher round claims at most."""


class MessageRepository(Protocol):
    """``uow.messages``: messages in the unit of work's transaction."""

    def add(self, message: Message) -> bool:
        """Enqueue ``message``; ``False`` and nothing stored when a message with its
        ``dedupe_key`` exists already (enqueueing is idempotent)."""
        ...

    def add_many(self, messages: Sequence[Message]) -> int:
        """Enqueue many in bulk (an audience of 100,000); how many were new. Duplicates,
        of stored messages or within ``messages``, are left out."""
        ...

    def get(self, message_id: str) -> Message | None: ...

    def get_many(self, message_ids: Collection[str]) -> dict[str, Message]:
        """The stored messages among ``message_ids``, by id, in one read."""
        ...

    def save(self, message: Message, *, expected_version: int | None = None) -> None:
        """Write a changed message on commit, refused as ``StaleVersion`` when another
        transaction changed it first. ``expected_version`` is the version it had when it was
        read; it may be left out for a message this unit of work read or added."""
        ...

    def claim_due(self, now: datetime, limit: int) -> list[Message]:
        """Claim up to ``limit`` due messages (waiting ones whose ``due_at`` has come, and
        those claimed by a worker whose lease ran out), oldest due first, and mark them
        ``SENDING``. On PostgreSQL two workers never claim the same message."""
        ...


class MessagesUnitOfWork(UnitOfWork, Protocol):
    @property
    def messages(self) -> MessageRepository: ...


class MessagesUnitOfWorkFactory(Protocol):
    def __call__(self) -> MessagesUnitOfWork: ...


class DispatchUnitOfWork(MessagesUnitOfWork, Protocol):
    """The dispatcher's: a hard bounce suppresses the address in the commit recording it."""

    @property
    def suppressions(self) -> SuppressionList: ...


class DispatchUnitOfWorkFactory(Protocol):
    def __call__(self) -> DispatchUnitOfWork: ...


@frozen
class MessageCounts:
    """What became of a set of messages. ``sent`` counts every message that went out,
    whatever happened after (delivered, bounced, opened ...)."""

    queued: int = 0
    """Not yet sent: waiting, held back or being sent."""
    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    opened: int = 0
    clicked: int = 0
    unsubscribed: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0
    """Waiting now because a cap or quiet hours held them back (also in ``queued``)."""


StatsKey = tuple[str, str | None]


class MessageStatsReader(Protocol):
    def by_campaign(self, campaign_ids: Collection[str]) -> dict[StatsKey, MessageCounts]:
        """Counts by (campaign id, variant) and by (campaign id, ``None``) for all its
        variants together; a campaign with no messages has only the second, all zeros."""
        ...

    def by_journey(self, journey_ids: Collection[str]) -> dict[StatsKey, MessageCounts]:
        """Counts by (journey id, step id) and by (journey id, ``None``) for the whole
        journey; a journey with no messages has only the second, all zeros."""
        ...

    def touches(
        self, customer_ids: Collection[str], since: datetime, until: datetime
    ) -> dict[str, list[Touch]]:
        """By customer, oldest first: the campaign and journey messages that reached them
        between ``since`` and ``until``. A message touches when it was opened or clicked
        (at its first open); one that went out but was never opened does not, since an
        unopened mail earned nothing. Transactional messages never touch."""
        ...


@frozen
class MessageView:
    """A message as the API shows it."""

    id: str
    customer_id: str
    channel: Channel
    status: str
    subject: str
    template_id: str
    template_version: int
    marketing: bool
    campaign_id: str | None
    variant: str | None
    journey_id: str | None
    step_id: str | None
    queued_at: datetime
    due_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    bounced_at: datetime | None
    unsubscribed_at: datetime | None
    open_count: int
    click_count: int
    skip_reason: str | None
    failure: str

    @classmethod
    def of(cls, message: Message) -> MessageView:
        return cls(
            id=message.id,
            customer_id=message.customer_id,
            channel=message.channel,
            status=message.status.value,
            subject=message.subject,
            template_id=message.template_id,
            template_version=message.template_version,
            marketing=message.marketing,
            campaign_id=message.source.campaign_id,
            variant=message.source.variant,
            journey_id=message.source.journey_id,
            step_id=message.source.step_id,
            queued_at=message.queued_at,
            due_at=message.due_at,
            sent_at=message.sent_at,
            delivered_at=message.delivered_at,
            opened_at=message.opened_at,
            clicked_at=message.clicked_at,
            bounced_at=message.bounced_at,
            unsubscribed_at=message.unsubscribed_at,
            open_count=message.open_count,
            click_count=message.click_count,
            skip_reason=message.skip_reason.value if message.skip_reason else None,
            failure=message.failure,
        )


NEWEST_FIRST = "messages.newest_first"
"""The one ordering of a customer's messages: the newest queued first, then by id."""


def message_sort_key(view: MessageView) -> SortKey:
    return SortKey(view.queued_at, view.id)


class MessageReader(Protocol):
    def get(self, message_id: str, *, visible: Visibility) -> MessageView | None:
        """The message, if the customer it belongs to is one ``visible`` admits."""
        ...

    def slice_of_customer(
        self,
        customer_id: str,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[MessageView]:
        """The customer's messages, newest queued first (then by id, descending), strictly
        between ``after`` and ``before``; none when ``visible`` does not admit the customer."""
        ...

    def count_of_customer(self, customer_id: str, *, visible: Visibility) -> int: ...

    def recent_sends(
        self, customer_ids: Collection[str], channel: Channel, since: datetime
    ) -> Mapping[str, list[datetime]]:
        """When each customer was sent marketing messages on ``channel`` since ``since``
        (what frequency caps count), in one read; a customer with none is left out."""
        ...
