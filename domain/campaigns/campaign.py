"""The campaign aggregate: one message to a segment, now or at a time, maybe as an A/B test.

Status flow: DRAFT → SCHEDULED → SENDING → SENT. An A/B test with a holdout sends in two
rounds: SENDING (the test group) → TESTING (waiting for results) → SENDING (the winner, to
the rest) → SENT. Anything not yet sent may be CANCELLED.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import define, field, frozen

from domain.campaigns.ab_test import AbTest
from domain.campaigns.channels import Channel
from domain.errors import DomainError, ErrorCode, Problem, RuleViolated
from domain.events import DomainEvent
from domain.text import clean_line

NAME_MAX_LENGTH = 200
MAX_THROTTLE_PER_SECOND = 10_000


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    TESTING = "testing"
    """The test group was sent; waiting for the A/B test's results."""
    SENT = "sent"
    CANCELLED = "cancelled"


class AudiencePhase(StrEnum):
    """Who a sending campaign is sending to now."""

    EVERYONE = "everyone"
    TEST_GROUP = "test_group"
    HOLDOUT = "holdout"


@frozen
class Pick:
    """What one customer gets from the campaign now."""

    template_id: str
    variant: str | None = None


@frozen(kw_only=True)
class CampaignScheduled(DomainEvent):
    """A campaign was scheduled to send at a time (now, when none was given)."""

    event_type = "rapport.campaign.scheduled.v1"
    aggregate_type = "campaign"

    segment_id: str
    channel: Channel
    scheduled_at: datetime


@frozen(kw_only=True)
class CampaignStarted(DomainEvent):
    """A campaign began sending to its segment."""

    event_type = "rapport.campaign.started.v1"
    aggregate_type = "campaign"

    segment_id: str
    channel: Channel


@frozen(kw_only=True)
class CampaignFinished(DomainEvent):
    """A campaign sent to its whole audience (with an A/B test: the winner to the rest)."""

    event_type = "rapport.campaign.finished.v1"
    aggregate_type = "campaign"

    segment_id: str
    channel: Channel
    winner_variant: str | None


def campaign_name(raw: str) -> str:
    name = clean_line(raw, field="name", max_length=NAME_MAX_LENGTH)
    if not name:
        raise DomainError([Problem("name", ErrorCode.REQUIRED, "name the campaign")])
    return name


@define(slots=False, eq=False)
class Campaign:
    id: str
    name: str
    segment_id: str
    channel: Channel
    template_id: str | None
    """The one template, or ``None`` when ``ab_test`` names one per variant."""
    ab_test: AbTest | None
    throttle_per_second: int | None
    """At most this many messages a second (``None``: as fast as the channel takes them)."""
    status: CampaignStatus
    created_at: datetime
    created_by: str
    updated_at: datetime
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    test_sent_at: datetime | None = None
    winner_variant: str | None = None
    winner_chosen_at: datetime | None = None
    finished_at: datetime | None = None
    cancelled_at: datetime | None = None
    version: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def create(
        cls,
        *,
        id: str,
        name: str,
        segment_id: str,
        channel: Channel,
        template_id: str | None = None,
        ab_test: AbTest | None = None,
        throttle_per_second: int | None = None,
        at: datetime,
        by: str,
    ) -> Campaign:
        """A draft; exactly one of ``template_id`` and ``ab_test`` says what it sends."""
        problems: list[Problem] = []
        clean = ""
        try:
            clean = campaign_name(name)
        except DomainError as error:
            problems.extend(error.problems)
        if not segment_id:
            problems.append(Problem("segmentId", ErrorCode.REQUIRED, "name a segment"))
        if (template_id is None) == (ab_test is None):
            problems.append(
                Problem("templateId", ErrorCode.REQUIRED, "a template or an A/B test, not both")
            )
        elif template_id is not None and not template_id:
            problems.append(Problem("templateId", ErrorCode.REQUIRED, "name a template"))
        if throttle_per_second is not None and not (
            1 <= throttle_per_second <= MAX_THROTTLE_PER_SECOND
        ):
            problems.append(
                Problem(
                    "throttlePerSecond",
                    ErrorCode.INVALID,
                    f"between 1 and {MAX_THROTTLE_PER_SECOND} messages a second",
                )
            )
        if problems:
            raise DomainError(problems)
        return cls(
            id=id,
            name=clean,
            segment_id=segment_id,
            channel=channel,
            template_id=template_id,
            ab_test=ab_test,
            throttle_per_second=throttle_per_second,
            status=CampaignStatus.DRAFT,
            created_at=at,
            created_by=by,
            updated_at=at,
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (CampaignStatus.SENT, CampaignStatus.CANCELLED)

    def schedule(self, at: datetime | None, now: datetime, by: str) -> None:
        """Send at ``at``; ``None`` or a moment past means now. A scheduled campaign may be
        moved to another time until it starts."""
        self._expect({CampaignStatus.DRAFT, CampaignStatus.SCHEDULED}, "scheduled")
        self.status = CampaignStatus.SCHEDULED
        self.scheduled_at = now if at is None or at < now else at
        self._touch(now)
        self.events.append(
            CampaignScheduled(
                aggregate_id=self.id,
                occurred_at=now,
                actor_id=by,
                segment_id=self.segment_id,
                channel=self.channel,
                scheduled_at=self.scheduled_at,
            )
        )

    def is_due(self, now: datetime) -> bool:
        return (
            self.status is CampaignStatus.SCHEDULED
            and self.scheduled_at is not None
            and self.scheduled_at <= now
        )

    def start(self, at: datetime, by: str) -> None:
        """Begin sending: to everyone, or with an A/B test to the test group first."""
        self._expect({CampaignStatus.SCHEDULED}, "started")
        if not self.is_due(at):
            raise RuleViolated("scheduledAt", ErrorCode.INVALID, "the campaign is not due yet")
        self.status = CampaignStatus.SENDING
        self.started_at = at
        self._touch(at)
        self.events.append(
            CampaignStarted(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                segment_id=self.segment_id,
                channel=self.channel,
            )
        )

    @property
    def phase(self) -> AudiencePhase:
        if self.ab_test is None or not self.ab_test.has_holdout:
            return AudiencePhase.EVERYONE
        if self.winner_variant is None:
            return AudiencePhase.TEST_GROUP
        return AudiencePhase.HOLDOUT

    def pick(self, customer_id: str) -> Pick | None:
        """What the customer gets in the current phase, or ``None``: nothing now (a holdout
        customer during the test, or a test customer once the winner goes to the rest)."""
        if self.ab_test is None:
            assert self.template_id is not None
            return Pick(self.template_id)
        variant = self.ab_test.assign(self.id, customer_id)
        phase = self.phase
        if phase is AudiencePhase.HOLDOUT:
            if variant is not None or self.winner_variant is None:
                return None
            winner = self.ab_test.variant(self.winner_variant)
            return Pick(winner.template_id, winner.key)
        if variant is None:
            return None
        return Pick(variant.template_id, variant.key)

    def test_sent(self, at: datetime) -> None:
        """The test group has been sent; the wait for results begins."""
        self._expect({CampaignStatus.SENDING}, "waiting for test results")
        if self.phase is not AudiencePhase.TEST_GROUP:
            raise RuleViolated("status", ErrorCode.TRANSITION_NOT_ALLOWED, "no test to wait for")
        self.status = CampaignStatus.TESTING
        self.test_sent_at = at
        self._touch(at)

    @property
    def winner_due_at(self) -> datetime | None:
        """When the A/B test's results are read and the winner chosen."""
        if self.ab_test is None or self.test_sent_at is None:
            return None
        return self.test_sent_at + self.ab_test.wait

    def winner_chosen(self, variant_key: str, at: datetime) -> None:
        """The winner goes to the rest of the audience."""
        self._expect({CampaignStatus.TESTING}, "given a winner")
        due = self.winner_due_at
        if due is not None and at < due:
            raise RuleViolated("winner", ErrorCode.INVALID, "the test's wait is not over yet")
        assert self.ab_test is not None
        self.ab_test.variant(variant_key)
        self.status = CampaignStatus.SENDING
        self.winner_variant = variant_key
        self.winner_chosen_at = at
        self._touch(at)

    def finish(self, at: datetime, by: str) -> None:
        """Everyone in the audience has been sent to."""
        self._expect({CampaignStatus.SENDING}, "finished")
        if self.phase is AudiencePhase.TEST_GROUP:
            raise RuleViolated(
                "status", ErrorCode.TRANSITION_NOT_ALLOWED, "the holdout still awaits a winner"
            )
        self.status = CampaignStatus.SENT
        self.finished_at = at
        self._touch(at)
        self.events.append(
            CampaignFinished(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                segment_id=self.segment_id,
                channel=self.channel,
                winner_variant=self.winner_variant,
            )
        )

    def cancel(self, at: datetime) -> bool:
        """Stop whatever has not gone out. False: it was already cancelled."""
        if self.status is CampaignStatus.CANCELLED:
            return False
        self._expect(
            {
                CampaignStatus.DRAFT,
                CampaignStatus.SCHEDULED,
                CampaignStatus.SENDING,
                CampaignStatus.TESTING,
            },
            "cancelled",
        )
        self.status = CampaignStatus.CANCELLED
        self.cancelled_at = at
        self._touch(at)
        return True

    def _expect(self, allowed: set[CampaignStatus], wanted: str) -> None:
        if self.status not in allowed:
            raise RuleViolated(
                "status",
                ErrorCode.TRANSITION_NOT_ALLOWED,
                f"a {self.status.value} campaign cannot be {wanted}",
            )

    def _touch(self, at: datetime) -> None:
        self.updated_at = at
        self.version += 1
