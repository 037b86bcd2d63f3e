"""The lead aggregate: interest captured from a form or a person, scored and assigned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field, frozen

from domain.errors import ErrorCode, RuleViolated
from domain.events import DomainEvent
from domain.pipeline.events import (
    FirstTouchDue,
    LeadAssigned,
    LeadCaptured,
    LeadConverted,
    LeadQualified,
    LeadScoreChanged,
)
from domain.timeline import TimelineEntry

TIMELINE_KIND = "lead"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class LeadStatus(StrEnum):
    NEW = "new"
    QUALIFIED = "qualified"
    CONVERTED = "converted"


@frozen(kw_only=True)
class LeadProfile:
    """What the lead told us about itself; scoring reads these attributes."""

    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    title: str = ""
    industry: str = ""
    company_size: str = ""
    region: str = ""

    def attributes(self, source: str) -> Mapping[str, str]:
        return {
            "title": self.title,
            "industry": self.industry,
            "company_size": self.company_size,
            "region": self.region,
            "source": source,
        }


@frozen
class ScoreChange:
    at: datetime
    from_score: int
    to_score: int
    grade: str


@define(slots=False, eq=False)
class Lead:
    id: str
    customer_id: str
    email: str
    profile: LeadProfile
    source: str
    utm: dict[str, str]
    status: LeadStatus
    created_at: datetime
    updated_at: datetime
    owner_id: str | None = None
    score: int = 0
    grade: str = "C"
    score_history: list[ScoreChange] = field(factory=list)
    first_touch_due_at: datetime | None = None
    contacted_at: datetime | None = None
    first_touch_reminded: bool = False
    opportunity_id: str | None = None
    version: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def capture(
        cls,
        *,
        id: str,
        customer_id: str,
        email: str,
        profile: LeadProfile,
        source: str,
        utm: Mapping[str, str],
        at: datetime,
        by: str,
    ) -> Lead:
        lead = cls(
            id=id,
            customer_id=customer_id,
            email=email,
            profile=profile,
            source=source or "api",
            utm={key: value for key, value in utm.items() if key in UTM_KEYS and value},
            status=LeadStatus.NEW,
            created_at=at,
            updated_at=at,
        )
        lead.events.append(
            LeadCaptured(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                customer_id=customer_id,
                source=lead.source,
            )
        )
        return lead

    def assign(self, owner_id: str, *, due_at: datetime | None, at: datetime, by: str) -> None:
        self.owner_id = owner_id
        self.first_touch_due_at = due_at
        self.first_touch_reminded = False
        self._touch(at)
        self.events.append(
            LeadAssigned(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                owner_id=owner_id,
                first_touch_due_at=due_at,
            )
        )

    def rescore(
        self, score: int, grade: str, *, qualifying: frozenset[str], at: datetime, by: str
    ) -> bool:
        """Record a new score; True when this makes a new lead qualified."""
        if score == self.score and grade == self.grade:
            return False
        self.score_history.append(ScoreChange(at, self.score, score, grade))
        self.events.append(
            LeadScoreChanged(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                from_score=self.score,
                to_score=score,
                grade=grade,
            )
        )
        self.score, self.grade = score, grade
        self._touch(at)
        if self.status is LeadStatus.NEW and grade in qualifying:
            self.status = LeadStatus.QUALIFIED
            self.events.append(
                LeadQualified(
                    aggregate_id=self.id,
                    occurred_at=at,
                    actor_id=by,
                    customer_id=self.customer_id,
                    grade=grade,
                )
            )
            return True
        return False

    def revise(self, profile: LeadProfile, *, at: datetime) -> bool:
        """Correct what the lead told us; False when nothing changes. The score follows at
        the next rescoring."""
        if profile == self.profile:
            return False
        self.profile = profile
        self._touch(at)
        return True

    def mark_contacted(self, at: datetime) -> None:
        if self.contacted_at is None:
            self.contacted_at = at
            self._touch(at)

    def contacted_in(self, conversation_at: datetime) -> None:
        """A logged conversation with the customer; one from before the lead came does not
        keep its first-touch promise."""
        if conversation_at >= self.created_at:
            self.mark_contacted(conversation_at)

    def first_touch_lapsing(self, now: datetime, warning: timedelta) -> bool:
        """Assigned, not yet contacted, not yet reminded, and due within ``warning``."""
        return (
            self.first_touch_due_at is not None
            and self.contacted_at is None
            and not self.first_touch_reminded
            and self.status is not LeadStatus.CONVERTED
            and now >= self.first_touch_due_at - warning
        )

    def remind_first_touch(self, at: datetime, by: str) -> None:
        if self.owner_id is None or self.first_touch_due_at is None:
            return
        self.first_touch_reminded = True
        self._touch(at)
        self.events.append(
            FirstTouchDue(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                owner_id=self.owner_id,
                due_at=self.first_touch_due_at,
            )
        )

    def convert(self, opportunity_id: str, *, at: datetime, by: str) -> None:
        if self.status is LeadStatus.CONVERTED:
            raise RuleViolated("leadId", ErrorCode.CLOSED, "the lead is converted already")
        self.status = LeadStatus.CONVERTED
        self.opportunity_id = opportunity_id
        self.mark_contacted(at)
        self._touch(at)
        self.events.append(
            LeadConverted(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                customer_id=self.customer_id,
                opportunity_id=opportunity_id,
            )
        )

    def timeline_entry(self) -> TimelineEntry:
        """The lead's line on its customer's timeline, drawn when it is captured."""
        return TimelineEntry(
            id=self.id,
            customer_id=self.customer_id,
            kind=TIMELINE_KIND,
            occurred_at=self.created_at,
            subject_type="Lead",
            subject_id=self.id,
            title=f"Lead from {self.source}",
            summary=", ".join(f"{key}={value}" for key, value in sorted(self.utm.items())) or None,
            data={"source": self.source, "score": self.score, "grade": self.grade},
        )

    def _touch(self, at: datetime) -> None:
        self.updated_at = at
        self.version += 1
