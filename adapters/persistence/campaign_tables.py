"""The campaigns' table, on the shared metadata (``tables.py`` imports it so the migrations
are checked against it; the repository and reader are in ``campaigns``)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from adapters.persistence.tables import metadata
from adapters.persistence.types import JsonDocument, UtcDateTime
from domain.campaigns.campaign import NAME_MAX_LENGTH
from domain.privacy import NOT_PERSONAL

# A campaign names a segment and templates, never a customer: nothing here is personal.
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(NAME_MAX_LENGTH), nullable=False),
    Column("segment_id", String(36), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("template_id", String(36)),
    # An A/B test's variants, ``[{"key", "template_id", "weight_percent"}, …]``, else NULL.
    Column("ab_variants", JsonDocument),
    Column("ab_test_share_percent", Integer),
    Column("ab_metric", String(32)),
    Column("ab_confidence", Float),
    Column("ab_wait_seconds", Integer),
    Column("throttle_per_second", Integer),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("scheduled_at", UtcDateTime()),
    Column("started_at", UtcDateTime()),
    Column("test_sent_at", UtcDateTime()),
    Column("winner_variant", String(40)),
    Column("winner_chosen_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("cancelled_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
    info={"personal": NOT_PERSONAL},
)
Index("ix_campaigns_created_at_id", campaigns.c.created_at, campaigns.c.id)
