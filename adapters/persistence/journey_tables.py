"""The journeys module's tables, on the shared metadata (``tables`` imports them)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, UniqueConstraint, text

from adapters.persistence.tables import metadata, timers
from adapters.persistence.types import JsonDocument, UtcDateTime
from domain.privacy import NOT_PERSONAL, PersonalData

# Journeys speak of segments, templates and steps, never of a customer.
journeys = Table(
    "journeys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("published_version", Integer),
    Column("revision", Integer, nullable=False),
    # The published version's trigger kind: what the triggers find their journeys by.
    Column("trigger_kind", String(32)),
    info={"personal": NOT_PERSONAL},
)
Index("ix_journeys_created_at_id", journeys.c.created_at, journeys.c.id)
Index("ix_journeys_trigger_kind_status", journeys.c.trigger_kind, journeys.c.status)

# Each published version as it was published: the steps by kind, as one JSON document.
journey_versions = Table(
    "journey_versions",
    metadata,
    Column("journey_id", String(36), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("published_at", UtcDateTime()),
    Column("definition", JsonDocument, nullable=False),
    info={"personal": NOT_PERSONAL},
)

# One row per customer's run. ``sequence`` counts the customer's earlier runs in the
# journey: two entries decided on the same history collide on it, so a re-entry policy
# holds under concurrent triggers. ``active_key`` is set while the run is active, and
# unique: one active run per journey and customer, whatever the code above does.
journey_enrolments = Table(
    "journey_enrolments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("journey_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("customer_id", String(36), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("active_key", String(80), unique=True),
    Column("status", String(16), nullable=False),
    Column("current_step_id", String(40)),
    Column("entered_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("left_at", UtcDateTime()),
    Column("exit_reason", String(16)),
    Column("waiting_since", UtcDateTime()),
    Column("wake_at", UtcDateTime()),
    Column("visits", JsonDocument, nullable=False),
    Column("revision", Integer, nullable=False),
    UniqueConstraint("journey_id", "customer_id", "sequence", name="uq_journey_enrolments_entry"),
    info={"personal": PersonalData(found_by=("customer_id",))},
)
Index("ix_journey_enrolments_customer_id", journey_enrolments.c.customer_id)
Index(
    "ix_journey_enrolments_journey_id_status",
    journey_enrolments.c.journey_id,
    journey_enrolments.c.status,
)

# How often each step was reached, kept by the step runner one statement per step and batch.
journey_step_counts = Table(
    "journey_step_counts",
    metadata,
    Column("journey_id", String(36), primary_key=True),
    Column("step_id", String(40), primary_key=True),
    Column("reached", Integer, nullable=False),
    info={"personal": NOT_PERSONAL},
)

# The step runner's timers are due by the thousand at one moment; the scheduler claims them
# in (due_at, id) order, which an index on due_at alone leaves to a sort of every one of them
# at each claim.
Index(
    "ix_timers_due_at_id",
    timers.c.due_at,
    timers.c.id,
    sqlite_where=text("status = 'pending'"),
    postgresql_where=text("status = 'pending'"),
)
