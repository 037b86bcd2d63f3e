"""Consent to marketing, per customer and channel, with every change kept."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, evolve, field, frozen

from domain.campaigns.channels import Channel
from domain.errors import ErrorCode, InvalidValue
from domain.events import DomainEvent


class ConsentStatus(StrEnum):
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"
    UNKNOWN = "unknown"

    @property
    def allows_marketing(self) -> bool:
        """Only an explicit opt-in lets a marketing message out."""
        return self is ConsentStatus.OPTED_IN


class LawfulBasis(StrEnum):
    """The GDPR article 6(1) bases a processing rests on."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


def merged_status(statuses: Iterable[ConsentStatus]) -> ConsentStatus:
    """The consent of customers merged into one: an opt-out on any of them wins, then an
    opt-in, so a merge never turns a refusal into permission."""
    seen = set(statuses)
    if ConsentStatus.OPTED_OUT in seen:
        return ConsentStatus.OPTED_OUT
    if ConsentStatus.OPTED_IN in seen:
        return ConsentStatus.OPTED_IN
    return ConsentStatus.UNKNOWN


SOURCE_MAX_LENGTH = 64
DEFAULT_SOURCE = "api"
MERGE_SOURCE = "merge"
DOUBLE_OPT_IN_SOURCE = "double_opt_in"
UNSUBSCRIBE_SOURCE = "unsubscribe_link"


def consent_source(raw: str | None, *, default: str = DEFAULT_SOURCE) -> str:
    """Where a change came from, as stored: free text, trimmed, never empty."""
    source = (raw or "").strip() or default
    if len(source) > SOURCE_MAX_LENGTH:
        raise InvalidValue("source", ErrorCode.TOO_LONG, f"at most {SOURCE_MAX_LENGTH} characters")
    return source


@frozen(kw_only=True)
class ConsentChange:
    """One change of a customer's consent on one channel, kept for good as proof."""

    status: ConsentStatus
    lawful_basis: LawfulBasis | None
    source: str
    at: datetime
    actor_id: str
    message_id: str | None = None
    """The message whose link caused the change (an unsubscribe from a campaign mail)."""


@define(kw_only=True)
class Consent:
    """What one customer allows on one channel, with every change that led there.

    ``status`` is always the status of the last change (``UNKNOWN`` before any), and the
    history is in the order of time.
    """

    customer_id: str
    channel: Channel
    history: list[ConsentChange] = field(factory=list)
    pending_opt_in_since: datetime | None = None
    """When the last double opt-in confirmation mail went out, until it is answered."""
    events: list[DomainEvent] = field(factory=list, eq=False, repr=False)

    @property
    def status(self) -> ConsentStatus:
        return self.history[-1].status if self.history else ConsentStatus.UNKNOWN

    @property
    def lawful_basis(self) -> LawfulBasis | None:
        return self.history[-1].lawful_basis if self.history else None

    @property
    def source(self) -> str | None:
        return self.history[-1].source if self.history else None

    @property
    def updated_at(self) -> datetime | None:
        return self.history[-1].at if self.history else None

    def change(
        self,
        status: ConsentStatus,
        *,
        source: str,
        at: datetime,
        actor_id: str,
        lawful_basis: LawfulBasis | None = None,
        message_id: str | None = None,
    ) -> bool:
        """Record a change; ``False`` (and nothing recorded) when status and basis stay."""
        if status is self.status and lawful_basis is self.lawful_basis:
            return False
        self._record(
            ConsentChange(
                status=status,
                lawful_basis=lawful_basis,
                source=source,
                at=at,
                actor_id=actor_id,
                message_id=message_id,
            )
        )
        return True

    def request_opt_in(self, at: datetime) -> None:
        """A confirmation mail went out at ``at``; the status stays until it is answered."""
        self.pending_opt_in_since = at

    def absorb(self, others: Sequence[Consent], *, at: datetime, actor_id: str) -> None:
        """Take in the consent of customers merged into this one: their changes join the
        history, and a last change sets the merged status (an opt-out anywhere wins)."""
        if not others:
            return
        before = self.status
        merged = merged_status([before, *(other.status for other in others)])
        basis = next(
            (c.lawful_basis for c in (self, *others) if c.status is merged),
            self.lawful_basis,
        )
        combined = [*self.history, *(change for other in others for change in other.history)]
        self.history = sorted(combined, key=lambda change: change.at)
        pending = [c.pending_opt_in_since for c in (self, *others) if c.pending_opt_in_since]
        still_pending = merged is ConsentStatus.UNKNOWN and pending
        self.pending_opt_in_since = max(pending) if still_pending else None
        self._record(
            ConsentChange(
                status=merged,
                lawful_basis=basis,
                source=MERGE_SOURCE,
                at=at,
                actor_id=actor_id,
            ),
            before=before,
        )

    def _record(self, change: ConsentChange, *, before: ConsentStatus | None = None) -> None:
        # The event module names ConsentStatus, so it is imported here, not at the top.
        from domain.campaigns.events import ConsentChanged

        previous = self.status if before is None else before
        # A clock that steps back never puts a change before the one it follows.
        if self.history and change.at < self.history[-1].at:
            change = evolve(change, at=self.history[-1].at)
        self.history.append(change)
        if change.status is not ConsentStatus.UNKNOWN:
            self.pending_opt_in_since = None
        self.events.append(
            ConsentChanged(
                aggregate_id=self.customer_id,
                occurred_at=change.at,
                actor_id=change.actor_id,
                channel=self.channel,
                from_status=previous,
                to_status=change.status,
                source=change.source,
            )
        )


OPT_IN_MAIL_INTERVAL = timedelta(hours=24)
"""At most one confirmation mail per address in this time, so a form cannot flood a box."""
OPT_IN_LINK_LIFETIME = timedelta(days=7)
"""A confirmation link older than this is refused: the wish it confirms may have changed."""


@frozen(kw_only=True)
class OptInRequest:
    """A double opt-in confirmation mail sent to an address (kept by its SHA-256)."""

    address_key: str
    customer_id: str
    channel: Channel
    requested_at: datetime
