"""The outbox of messages: one row per message to one customer, from queued to delivered.

A campaign or a journey step enqueues a ``Message`` under a dedupe key that storage keeps
unique, so running the same step twice (after a crash, say) cannot send twice. The worker
claims due messages, takes the delivery decision, sends, and records the channel's answer;
tracking (deliveries, bounces, opens, clicks) arrives later and only adds to what was sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypedDict

from attrs import define, field, frozen

from domain.campaigns.channels import Channel, SendOutcome, SendStatus
from domain.campaigns.policy import DeferReason, SkipReason
from domain.errors import ErrorCode, InvalidValue, RuleViolated
from domain.events import DomainEvent

SYSTEM_ACTOR_ID = "system"
MAX_SEND_ATTEMPTS = 8
"""A message the channel keeps answering RETRY is given up (FAILED) after this many tries."""
FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=5)
"""A message claimed longer ago than this is presumed lost with its worker and may be
claimed again; the channel's idempotency key (the message id) absorbs a double send."""
DETAIL_MAX_LENGTH = 500


class MessageStatus(StrEnum):
    QUEUED = "queued"
    """Waiting for ``due_at``."""
    DEFERRED = "deferred"
    """Held back by a frequency cap or quiet hours until ``due_at``."""
    SENDING = "sending"
    """Claimed by a worker."""
    SENT = "sent"
    """The channel accepted it."""
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    FAILED = "failed"
    """The channel kept failing and the retries ran out."""
    SKIPPED = "skipped"
    """Never sent: no consent, suppressed, or no address."""

    @property
    def is_terminal(self) -> bool:
        """A message in one of these states never changes state again."""
        return self in _TERMINAL

    @property
    def went_out(self) -> bool:
        """The channel accepted the message, whatever happened after."""
        return self in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.BOUNCED)


_TERMINAL = frozenset(
    {MessageStatus.DELIVERED, MessageStatus.BOUNCED, MessageStatus.FAILED, MessageStatus.SKIPPED}
)
_WAITING = frozenset({MessageStatus.QUEUED, MessageStatus.DEFERRED})


class MessageSourceKind(StrEnum):
    CAMPAIGN = "campaign"
    JOURNEY = "journey"
    TRANSACTIONAL = "transactional"
    """A message the customer asked for, such as an opt-in confirmation."""


@frozen(kw_only=True)
class MessageSource:
    """What made the message: a campaign (and its A/B variant), a journey step, or a
    transactional reason. Build it with the class methods, which check the ids."""

    kind: MessageSourceKind
    campaign_id: str | None = None
    variant: str | None = None
    journey_id: str | None = None
    journey_version: int | None = None
    step_id: str | None = None
    step_visit: int = 1
    """The how-many-th time the enrolment reached ``step_id``: a journey may loop back to a
    step after a wait, and each visit is a message of its own."""
    enrolment_id: str | None = None
    reference: str | None = None
    """For transactional messages: what they are about (a confirmation request's id)."""

    @classmethod
    def campaign(cls, campaign_id: str, variant: str | None = None) -> MessageSource:
        _require("source.campaignId", campaign_id)
        return cls(kind=MessageSourceKind.CAMPAIGN, campaign_id=campaign_id, variant=variant)

    @classmethod
    def journey(
        cls,
        *,
        journey_id: str,
        version: int,
        step_id: str,
        enrolment_id: str,
        visit: int = 1,
    ) -> MessageSource:
        for name, value in (
            ("source.journeyId", journey_id),
            ("source.stepId", step_id),
            ("source.enrolmentId", enrolment_id),
        ):
            _require(name, value)
        if version < 1 or visit < 1:
            raise InvalidValue("source", ErrorCode.INVALID, "versions and visits count from 1")
        return cls(
            kind=MessageSourceKind.JOURNEY,
            journey_id=journey_id,
            journey_version=version,
            step_id=step_id,
            step_visit=visit,
            enrolment_id=enrolment_id,
        )

    @classmethod
    def transactional(cls, reference: str) -> MessageSource:
        _require("source.reference", reference)
        return cls(kind=MessageSourceKind.TRANSACTIONAL, reference=reference)

    def dedupe_key(self, customer_id: str) -> str:
        """Unique per message in storage: one per campaign and customer, one per journey
        enrolment and step visit, one per transactional reference and customer."""
        if self.kind is MessageSourceKind.CAMPAIGN:
            return f"campaign:{self.campaign_id}:{customer_id}"
        if self.kind is MessageSourceKind.JOURNEY:
            key = f"journey:{self.enrolment_id}:{self.step_id}"
            return key if self.step_visit == 1 else f"{key}:{self.step_visit}"
        return f"transactional:{self.reference}:{customer_id}"


def _require(name: str, value: str) -> None:
    if not value:
        raise InvalidValue(name, ErrorCode.REQUIRED, "must not be empty")


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, capped."""
    doublings: int = 2 ** min(max(attempts - 1, 0), 16)
    return min(FIRST_RETRY_DELAY * doublings, MAX_RETRY_DELAY)


class _EventFields(TypedDict):
    aggregate_id: str
    occurred_at: datetime
    actor_id: str
    customer_id: str
    channel: Channel
    source: MessageSourceKind
    campaign_id: str | None
    variant: str | None
    journey_id: str | None
    step_id: str | None


@frozen(kw_only=True)
class _MessageEvent(DomainEvent):
    aggregate_type = "message"

    customer_id: str
    channel: Channel
    source: MessageSourceKind
    campaign_id: str | None
    variant: str | None
    journey_id: str | None
    step_id: str | None


@frozen(kw_only=True)
class MessageSent(_MessageEvent):
    """A message was accepted by its channel."""

    event_type = "rapport.message.sent.v1"

    parts: int


@frozen(kw_only=True)
class MessageDelivered(_MessageEvent):
    """The channel reported the message delivered."""

    event_type = "rapport.message.delivered.v1"


@frozen(kw_only=True)
class MessageBounced(_MessageEvent):
    """The message bounced: refused outright (hard) or reported undeliverable later."""

    event_type = "rapport.message.bounced.v1"

    hard: bool


@frozen(kw_only=True)
class MessageOpened(_MessageEvent):
    """The recipient opened the message (each open; ``first`` marks the first)."""

    event_type = "rapport.message.opened.v1"

    first: bool


@frozen(kw_only=True)
class MessageClicked(_MessageEvent):
    """The recipient followed a link in the message (each click; ``first`` marks the first)."""

    event_type = "rapport.message.clicked.v1"

    first: bool


def _not_transition(field_name: str, status: MessageStatus, wanted: str) -> RuleViolated:
    return RuleViolated(
        field_name,
        ErrorCode.TRANSITION_NOT_ALLOWED,
        f"a {status.value} message cannot be {wanted}",
    )


@define(slots=False, eq=False)
class Message:
    """One message to one customer on one channel, and everything that happened to it."""

    id: str
    customer_id: str
    channel: Channel
    to: str
    """The address it goes to (empty when the customer has none: it will be skipped)."""
    source: MessageSource
    template_id: str
    template_version: int
    marketing: bool
    dedupe_key: str
    status: MessageStatus
    due_at: datetime
    queued_at: datetime
    updated_at: datetime
    attempts: int = 0
    """Tries the channel answered; deferrals do not count."""
    claimed_at: datetime | None = None
    provider_id: str = ""
    subject: str = ""
    """The subject as rendered when it went out (empty until then, and for SMS)."""
    parts: int = 1
    skip_reason: SkipReason | None = None
    defer_reason: DeferReason | None = None
    """Why the message was last held back, kept after it goes out, for the record."""
    failure: str = ""
    """The channel's last answer when it failed (retried, refused or given up)."""
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    opened_at: datetime | None = None
    """The first open; ``open_count`` counts them all."""
    clicked_at: datetime | None = None
    """The first click; ``click_count`` counts them all."""
    bounced_at: datetime | None = None
    hard_bounce: bool = False
    unsubscribed_at: datetime | None = None
    finished_at: datetime | None = None
    """When it failed or was skipped."""
    open_count: int = 0
    click_count: int = 0
    version: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def queue(
        cls,
        *,
        id: str,
        customer_id: str,
        channel: Channel,
        to: str,
        source: MessageSource,
        template_id: str,
        template_version: int,
        marketing: bool,
        at: datetime,
        due_at: datetime | None = None,
    ) -> Message:
        """A new message, due at ``due_at`` (now when not given)."""
        _require("customerId", customer_id)
        _require("templateId", template_id)
        if template_version < 1:
            raise InvalidValue("templateVersion", ErrorCode.INVALID, "versions count from 1")
        if source.kind is MessageSourceKind.TRANSACTIONAL and marketing:
            raise InvalidValue("marketing", ErrorCode.INVALID, "transactional is not marketing")
        return cls(
            id=id,
            customer_id=customer_id,
            channel=channel,
            to=to,
            source=source,
            template_id=template_id,
            template_version=template_version,
            marketing=marketing,
            dedupe_key=source.dedupe_key(customer_id),
            status=MessageStatus.QUEUED,
            due_at=max(due_at or at, at),
            queued_at=at,
            updated_at=at,
        )

    def is_due(self, now: datetime) -> bool:
        """Whether a worker may claim it now, including one orphaned by a dead worker."""
        if self.status in _WAITING:
            return self.due_at <= now
        return (
            self.status is MessageStatus.SENDING
            and self.claimed_at is not None
            and now >= self.claimed_at + CLAIM_LEASE
        )

    def claim(self, at: datetime) -> None:
        """A worker takes the message to decide and send it."""
        if not self.is_due(at):
            if self.status in _WAITING or self.status is MessageStatus.SENDING:
                raise RuleViolated("dueAt", ErrorCode.INVALID, "the message is not due yet")
            raise _not_transition("status", self.status, "claimed")
        self.status = MessageStatus.SENDING
        self.claimed_at = at
        self._touch(at)

    def defer(self, until: datetime, reason: DeferReason, at: datetime) -> None:
        """Hold the claimed message back until ``until`` (a cap or quiet hours)."""
        self._expect_sending("deferred")
        if until <= at:
            raise InvalidValue("until", ErrorCode.INVALID, "must be later than now")
        self.status = MessageStatus.DEFERRED
        self.defer_reason = reason
        self.due_at = until
        self.claimed_at = None
        self._touch(at)

    def skip(self, reason: SkipReason, at: datetime) -> None:
        """Drop the message for good (no consent, suppressed, no address)."""
        if self.status not in _WAITING and self.status is not MessageStatus.SENDING:
            raise _not_transition("status", self.status, "skipped")
        self.status = MessageStatus.SKIPPED
        self.skip_reason = reason
        self.claimed_at = None
        self.finished_at = at
        self._touch(at)

    def record(self, outcome: SendOutcome, at: datetime, by: str = SYSTEM_ACTOR_ID) -> None:
        """What the channel answered: sent, retried later with backoff, or bounced (hard)."""
        if outcome.message_id != self.id:
            raise InvalidValue("messageId", ErrorCode.INVALID, "the outcome is another message's")
        self._expect_sending("sent")
        self.attempts += 1
        self.claimed_at = None
        if outcome.status is SendStatus.ACCEPTED:
            self.status = MessageStatus.SENT
            self.sent_at = at
            self.provider_id = outcome.provider_id
            self.parts = outcome.parts
            self.failure = ""
            self.events.append(MessageSent(**self._event_fields(at, by), parts=outcome.parts))
        elif outcome.status is SendStatus.REJECTED:
            self.status = MessageStatus.BOUNCED
            self.bounced_at = at
            self.hard_bounce = True
            self.failure = outcome.detail[:DETAIL_MAX_LENGTH]
            self.events.append(MessageBounced(**self._event_fields(at, by), hard=True))
        elif self.attempts >= MAX_SEND_ATTEMPTS:
            self.status = MessageStatus.FAILED
            self.failure = outcome.detail[:DETAIL_MAX_LENGTH]
            self.finished_at = at
        else:
            self.status = MessageStatus.QUEUED
            self.due_at = at + retry_delay(self.attempts)
            self.failure = outcome.detail[:DETAIL_MAX_LENGTH]
        self._touch(at)

    def delivered(self, at: datetime, by: str = SYSTEM_ACTOR_ID) -> bool:
        """The channel reported delivery. False: nothing changed (already settled)."""
        if not self._tracked("delivered") or self.status is not MessageStatus.SENT:
            return False
        self.status = MessageStatus.DELIVERED
        self.delivered_at = at
        self.events.append(MessageDelivered(**self._event_fields(at, by)))
        self._touch(at)
        return True

    def bounced(
        self, at: datetime, *, hard: bool, detail: str = "", by: str = SYSTEM_ACTOR_ID
    ) -> bool:
        """A bounce report after the channel accepted the message. False: already settled
        (a report for a delivered or already bounced message is ignored)."""
        if not self._tracked("bounced") or self.status is not MessageStatus.SENT:
            return False
        self.status = MessageStatus.BOUNCED
        self.bounced_at = at
        self.hard_bounce = hard
        self.failure = detail[:DETAIL_MAX_LENGTH]
        self.events.append(MessageBounced(**self._event_fields(at, by), hard=hard))
        self._touch(at)
        return True

    def opened(self, at: datetime, by: str = SYSTEM_ACTOR_ID) -> bool:
        """The open pixel was loaded; every open counts, the first is kept."""
        if not self._tracked("opened"):
            return False
        first = self.opened_at is None
        self.opened_at = self.opened_at or at
        self.open_count += 1
        self.events.append(MessageOpened(**self._event_fields(at, by), first=first))
        self._touch(at)
        return True

    def clicked(self, at: datetime, by: str = SYSTEM_ACTOR_ID) -> bool:
        """A tracked link was followed; a click also proves an open (images may be off)."""
        if not self._tracked("clicked"):
            return False
        if self.opened_at is None:
            self.opened(at, by)
        first = self.clicked_at is None
        self.clicked_at = self.clicked_at or at
        self.click_count += 1
        self.events.append(MessageClicked(**self._event_fields(at, by), first=first))
        self._touch(at)
        return True

    def unsubscribed(self, at: datetime) -> bool:
        """The recipient unsubscribed through this message (the consent change is its own
        event); the first time is kept."""
        if not self._tracked("unsubscribed") or self.unsubscribed_at is not None:
            return False
        self.unsubscribed_at = at
        self._touch(at)
        return True

    def _tracked(self, wanted: str) -> bool:
        if not self.status.went_out:
            raise _not_transition("status", self.status, wanted)
        return True

    def _expect_sending(self, wanted: str) -> None:
        if self.status is not MessageStatus.SENDING:
            raise _not_transition("status", self.status, wanted)

    def _touch(self, at: datetime) -> None:
        self.updated_at = at
        self.version += 1

    def _event_fields(self, at: datetime, by: str) -> _EventFields:
        return {
            "aggregate_id": self.id,
            "occurred_at": at,
            "actor_id": by,
            "customer_id": self.customer_id,
            "channel": self.channel,
            "source": self.source.kind,
            "campaign_id": self.source.campaign_id,
            "variant": self.source.variant,
            "journey_id": self.source.journey_id,
            "step_id": self.source.step_id,
        }
