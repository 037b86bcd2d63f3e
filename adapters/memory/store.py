"""The committed state that in-memory units of work read from and write to."""

from __future__ import annotations

import threading
from datetime import date, datetime

from attrs import define, field

from application.tags.conditions import AutoTagRule
from domain.access.api_key import ApiKey
from domain.access.roles import Resource, RoleDefinition
from domain.access.sharing import RecordShare
from domain.access.team import Team
from domain.access.user import User
from domain.activities import Activity
from domain.behaviour import TrackedEvent
from domain.campaigns.campaign import Campaign
from domain.campaigns.channels import Channel
from domain.campaigns.consent import Consent, OptInRequest
from domain.campaigns.journeys import Enrolment, Journey
from domain.campaigns.messages import Message
from domain.campaigns.suppression import Suppression
from domain.companies import Company
from domain.custom_fields import CustomFieldDefinition
from domain.customers import Customer
from domain.events import DomainEvent
from domain.lifecycle import StageAssignment, StageChange, StageRule, Track
from domain.lifecycle.defaults import default_rules, default_tracks
from domain.orders import Order
from domain.pipeline import (
    AutomationRule,
    Lead,
    Opportunity,
    Pipeline,
    SalesTeam,
    ScoringModel,
    Task,
    default_pipeline,
    default_scoring_model,
)
from domain.pipeline.forms import LeadForm
from domain.scheduling import RecurringJob, Timer
from domain.segments.rfm import RfmScore
from domain.segments.segment import Segment
from domain.tags import Tag, TagChange
from domain.timeline import TimelineEntry

WEBSITE_FORM = LeadForm(key="website", source="website")
"""The form migration 0009 seeds: posts from the public site."""


@define
class StoredTimer:
    timer: Timer
    status: str = "pending"
    last_error: str | None = None
    claimed_until: datetime | None = None


@define
class InMemoryStore:
    customers: dict[str, Customer] = field(factory=dict)
    companies: dict[str, Company] = field(factory=dict)
    custom_field_definitions: dict[str, CustomFieldDefinition] = field(factory=dict)
    users: dict[str, User] = field(factory=dict)
    api_keys: dict[str, ApiKey] = field(factory=dict)
    teams: dict[str, Team] = field(factory=dict)
    roles: dict[str, RoleDefinition] = field(factory=dict)
    """Stored role definitions: custom roles and changed built-in ones."""
    record_shares: dict[tuple[Resource, str, str | None, str | None], RecordShare] = field(
        factory=dict
    )
    """By (resource, record id, user id, team id)."""
    orders: dict[str, Order] = field(factory=dict)
    outbox: list[DomainEvent] = field(factory=list)
    activities: dict[str, Activity] = field(factory=dict)
    tracked_events: dict[str, TrackedEvent] = field(factory=dict)
    """By event id, the client's idempotency key."""
    event_daily_counts: dict[tuple[str, str, date], int] = field(factory=dict)
    """By (customer id, event name, UTC day)."""
    timeline: dict[str, TimelineEntry] = field(factory=dict)
    external_ids: dict[tuple[str, str], str] = field(factory=dict)
    """Customer ids by (source, external id)."""
    tags: dict[str, Tag] = field(factory=dict)
    customer_tags: dict[tuple[str, str], str | None] = field(factory=dict)
    """The rule that tagged each (customer id, tag id), or None when a person did."""
    tag_history: dict[str, TagChange] = field(factory=dict)
    tag_rules: dict[str, AutoTagRule] = field(factory=dict)
    lifecycle_tracks: dict[str, Track] = field(
        factory=lambda: {track.key: track for track in default_tracks()}
    )
    """Seeded with the defaults, as migration 0006 seeds the SQL tables."""
    lifecycle_rules: dict[str, StageRule] = field(
        factory=lambda: {rule.key: rule for rule in default_rules()}
    )
    customer_stages: dict[str, dict[str, StageAssignment]] = field(factory=dict)
    """By customer id, then track."""
    stage_changes: dict[str, StageChange] = field(factory=dict)
    scheduled_jobs: dict[str, RecurringJob] = field(factory=dict)
    job_claims: dict[str, datetime] = field(factory=dict)
    """Lease ends of claimed jobs, by name."""
    timers: dict[tuple[str, str], StoredTimer] = field(factory=dict)
    """By (kind, subject id)."""
    segments: dict[str, Segment] = field(factory=dict)
    segment_members: dict[str, set[str]] = field(factory=dict)
    segment_sizes: dict[str, dict[datetime, int]] = field(factory=dict)
    """By segment id, then the time of each refresh."""
    rfm: dict[str, RfmScore] = field(factory=dict)
    pipelines: dict[str, Pipeline] = field(
        factory=lambda: {pipeline.id: pipeline for pipeline in [default_pipeline()]}
    )
    """Seeded with the default pipeline, as migration 0009 seeds the SQL tables."""
    opportunities: dict[str, Opportunity] = field(factory=dict)
    leads: dict[str, Lead] = field(factory=dict)
    sales_teams: dict[str, SalesTeam] = field(factory=dict)
    tasks: dict[str, Task] = field(factory=dict)
    automation_rules: dict[str, AutomationRule] = field(factory=dict)
    scoring_model: ScoringModel = field(factory=default_scoring_model)
    lead_forms: dict[str, LeadForm] = field(factory=lambda: {"website": WEBSITE_FORM})
    consents: dict[tuple[str, Channel], Consent] = field(factory=dict)
    """By (customer id, channel), each with its history."""
    suppressions: dict[tuple[str, Channel], Suppression] = field(factory=dict)
    """By (SHA-256 of the normalised address, channel)."""
    opt_in_requests: dict[str, OptInRequest] = field(factory=dict)
    """The last confirmation mail, by the SHA-256 of the address it went to."""
    access_version: int = 0
    """Moved by every committed change to who reaches what, as migration 0019's triggers
    move the SQL one."""
    journeys: dict[str, Journey] = field(factory=dict)
    """Each with every published version."""
    journey_enrolments: dict[str, Enrolment] = field(factory=dict)
    journey_step_counts: dict[tuple[str, str], int] = field(factory=dict)
    """How often each (journey id, step id) was reached."""
    messages: dict[str, Message] = field(factory=dict)
    """The outbox of messages, by id."""
    message_keys: dict[str, str] = field(factory=dict)
    """Message ids by dedupe key: what the SQL unique index keeps."""
    campaigns: dict[str, Campaign] = field(factory=dict)
    lock: threading.RLock = field(factory=threading.RLock)

    def access_changed(self) -> None:
        self.access_version += 1
