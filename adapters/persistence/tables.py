"""The relational schema. Alembic migrations are checked against it in the tests."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
    true,
)

from adapters.persistence.types import (
    AddressType,
    ChoicesType,
    EmailType,
    JsonDocument,
    PhoneType,
    RoleType,
    StrEnumType,
    UtcDateTime,
    sortable_text,
)
from domain.activities import ActivityKind, Direction
from domain.companies import CompanySize
from domain.custom_fields import FieldType, ObjectType
from domain.tags import TagCategory

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", EmailType(), nullable=False, unique=True),
    Column("role", RoleType(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("deactivated_at", UtcDateTime()),
    # No foreign keys: SQLite cannot add them to a table that exists, and the use cases
    # check that the team and the manager exist.
    Column("team_id", String(36), index=True),
    Column("manager_id", String(36), index=True),
)

teams = Table(
    "teams",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

roles = Table(
    "roles",
    metadata,
    Column("key", String(16), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("description", Text(), nullable=False),
    Column("permissions", JsonDocument, nullable=False),
    Column("record_access", JsonDocument, nullable=False),
    Column("field_rules", JsonDocument, nullable=False),
    Column("built_in", Boolean(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

record_shares = Table(
    "record_shares",
    metadata,
    Column("resource", String(20), primary_key=True),
    Column("record_id", String(36), primary_key=True),
    Column("grantee_kind", String(4), primary_key=True),
    Column("grantee_id", String(36), primary_key=True),
    Column("shared_by", String(36), nullable=False),
    Column("shared_at", UtcDateTime(), nullable=False),
    Index("ix_record_shares_grantee", "grantee_kind", "grantee_id", "resource"),
)

access_version = Table(
    "access_version",
    metadata,
    # One row; triggers (migration 0019) move it with every change to who reaches what.
    Column("id", Integer(), primary_key=True, autoincrement=False),
    Column("version", BigInteger(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("role", RoleType(), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("expires_at", UtcDateTime()),
    Column("last_used_at", UtcDateTime()),
)
Index("ix_api_keys_created_at", api_keys.c.created_at, api_keys.c.id)

customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("email", EmailType()),
    Column("phone", PhoneType()),
    Column("custom_fields", JsonDocument, nullable=False),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("archived_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
    # Derived from the columns above on every write, so that sorting and searching
    # agree exactly with the in-memory adapter and can use plain indexes.
    Column("sort_name", sortable_text(220), nullable=False),
    Column("search_text", Text, nullable=False),
    Column("email_key", String(254)),
    Column("merged_into", String(36)),
    # Like owner_id, checked by the use cases rather than by a foreign key.
    Column("company_id", String(36), index=True),
)
Index("ix_customers_created_at_id", customers.c.created_at, customers.c.id)
# Each owner's customers in list order: a rep's page walks only their own range.
Index(
    "ix_customers_owner_id_created_at_id",
    customers.c.owner_id,
    customers.c.created_at,
    customers.c.id,
)
Index("ix_customers_updated_at_id", customers.c.updated_at, customers.c.id)
Index("ix_customers_sort_name_id", customers.c.sort_name, customers.c.id)
Index("ix_customers_email_order", func.coalesce(customers.c.email, ""), customers.c.id)
Index("ix_customers_email_key", customers.c.email_key)
Index("ix_customers_phone", customers.c.phone)
Index(
    "uq_customers_active_email",
    customers.c.email,
    unique=True,
    sqlite_where=text("archived_at IS NULL AND email IS NOT NULL"),
    postgresql_where=text("archived_at IS NULL AND email IS NOT NULL"),
)

companies = Table(
    "companies",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("domain", String(253), index=True),
    Column("industry", String(100)),
    Column("size", StrEnumType(CompanySize, 16)),
    Column("address", AddressType()),
    Column("custom_fields", JsonDocument, nullable=False),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("archived_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
    Column("sort_name", sortable_text(200), nullable=False),
    Column("search_text", Text, nullable=False),
)
Index("ix_companies_created_at_id", companies.c.created_at, companies.c.id)
Index(
    "ix_companies_owner_id_created_at_id",
    companies.c.owner_id,
    companies.c.created_at,
    companies.c.id,
)
Index("ix_companies_updated_at_id", companies.c.updated_at, companies.c.id)
Index("ix_companies_sort_name_id", companies.c.sort_name, companies.c.id)

custom_field_definitions = Table(
    "custom_field_definitions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("object_type", StrEnumType(ObjectType, 20), nullable=False),
    Column("key", String(63), nullable=False),
    Column("label", String(100), nullable=False),
    Column("field_type", StrEnumType(FieldType, 20), nullable=False),
    Column("choices", ChoicesType(), nullable=False),
    Column("required", Boolean, nullable=False),
    Column("unique", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("object_type", "key"),
)

outbox = Table(
    "outbox",
    metadata,
    Column(
        "position",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(120), nullable=False),
    Column("aggregate_type", String(40), nullable=False),
    Column("aggregate_id", String(36), nullable=False),
    Column("actor_id", String(36), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("payload", JsonDocument, nullable=False),
    Column("published_at", UtcDateTime()),
)
Index(
    "ix_outbox_unpublished",
    outbox.c.position,
    sqlite_where=text("published_at IS NULL"),
    postgresql_where=text("published_at IS NULL"),
)
Index("ix_outbox_aggregate", outbox.c.aggregate_type, outbox.c.aggregate_id, outbox.c.position)

customer_external_ids = Table(
    "customer_external_ids",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("external_id", String(200), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False),
    Column("external_id", String(200), unique=True),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    # Money in the currency's minor units: exact, and summable by the database.
    Column("total_minor", BigInteger, nullable=False),
    Column("refunded_minor", BigInteger, nullable=False),
    Column("lines", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)
Index("ix_orders_customer_id_placed_at", orders.c.customer_id, orders.c.placed_at, orders.c.id)
activities = Table(
    "activities",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False),
    Column("kind", StrEnumType(ActivityKind, 16), nullable=False),
    Column("author_id", String(36), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("duration_seconds", Integer),
    Column("direction", StrEnumType(Direction, 16)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("deleted_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
)
Index("ix_activities_customer_id_occurred_at", activities.c.customer_id, activities.c.occurred_at)

# Append-only: rows are inserted in batches with INSERT ... ON CONFLICT DO NOTHING, never
# updated. event_id is the client's idempotency key.
tracked_events = Table(
    "tracked_events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(100), nullable=False, unique=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("properties", JsonDocument, nullable=False),
)
Index(
    "ix_tracked_events_customer_id_occurred_at",
    tracked_events.c.customer_id,
    tracked_events.c.occurred_at,
)

# Kept in the transaction that stores the events, for rules such as "did X at least N
# times in the last D days" that would otherwise scan every event.
event_daily_counts = Table(
    "event_daily_counts",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("occurrences", Integer, nullable=False),
)
Index("ix_event_daily_counts_name_day", event_daily_counts.c.name, event_daily_counts.c.day)

# Every module writes its own kinds of entries here, in its own transaction; the timeline
# reads one table, whatever the kinds.
timeline_entries = Table(
    "timeline_entries",
    metadata,
    Column("id", sortable_text(64), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("subject_type", String(40), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("actor_id", String(36)),
    Column("title", String(200), nullable=False),
    Column("summary", String(500)),
    Column("data", JsonDocument, nullable=False),
)
Index(
    "ix_timeline_entries_customer_id_occurred_at_id",
    timeline_entries.c.customer_id,
    timeline_entries.c.occurred_at,
    timeline_entries.c.id,
)

# The catalogue of tags; names are unique ignoring case, through name_key.
tags = Table(
    "tags",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("name_key", sortable_text(50), nullable=False, unique=True),
    Column("colour", String(7), nullable=False),
    Column("category", StrEnumType(TagCategory, 24), nullable=False),
    Column("description", String(500), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
)

# Who carries which tag now; rule_id names the auto-tag rule that put it on, if one did.
customer_tags = Table(
    "customer_tags",
    metadata,
    Column("customer_id", String(36), ForeignKey("customers.id"), primary_key=True),
    Column("tag_id", String(36), ForeignKey("tags.id"), primary_key=True),
    Column("tagged_at", UtcDateTime(), nullable=False),
    Column("tagged_by", String(36), nullable=False),
    Column("rule_id", String(36)),
)
Index("ix_customer_tags_tag_id", customer_tags.c.tag_id)

# Append-only: every tag put on or taken off a customer.
tag_history = Table(
    "tag_history",
    metadata,
    Column("id", sortable_text(64), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False),
    Column("tag_id", String(36), ForeignKey("tags.id"), nullable=False),
    Column("added", Boolean, nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(36), nullable=False),
    Column("rule_id", String(36)),
)
Index(
    "ix_tag_history_customer_id_occurred_at",
    tag_history.c.customer_id,
    tag_history.c.occurred_at,
)

# Rules are data: the condition is JSON that application.tags.conditions reads.
auto_tag_rules = Table(
    "auto_tag_rules",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tag_id", String(36), ForeignKey("tags.id"), nullable=False),
    Column("condition", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("version", Integer, nullable=False, server_default=text("1")),
)

# Tracks and rules are data: seeded by migration 0006, read whole by the lifecycle module.
lifecycle_tracks = Table(
    "lifecycle_tracks",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("label", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    # [{"key": ..., "label": ...}] in order, and [[from, to]] with "" for "no stage yet".
    Column("stages", JsonDocument, nullable=False),
    Column("transitions", JsonDocument, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
)

lifecycle_rules = Table(
    "lifecycle_rules",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("track", String(40), ForeignKey("lifecycle_tracks.key"), nullable=False),
    Column("trigger_type", String(40), nullable=False),
    Column("to_stage", String(40), nullable=False),
    # A JSON list of stage keys the rule applies from; null for any.
    Column("from_stages", JsonDocument),
    Column("days", Integer),
    Column("priority", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
)

customer_stages = Table(
    "customer_stages",
    metadata,
    Column("customer_id", String(36), ForeignKey("customers.id"), primary_key=True),
    Column("track", String(40), primary_key=True),
    Column("stage", String(40), nullable=False),
    Column("entered_at", UtcDateTime(), nullable=False),
)
Index("ix_customer_stages_track_stage", customer_stages.c.track, customer_stages.c.stage)

# Append-only history of every stage change; merges move rows to the survivor.
stage_changes = Table(
    "stage_changes",
    metadata,
    Column("id", sortable_text(64), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False),
    Column("track", String(40), nullable=False),
    Column("from_stage", String(40)),
    Column("to_stage", String(40), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(36), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("rule", String(40)),
    Column("override", Boolean, nullable=False),
    Column("previous_entered_at", UtcDateTime()),
)
Index(
    "ix_stage_changes_customer_id_changed_at_id",
    stage_changes.c.customer_id,
    stage_changes.c.changed_at,
    stage_changes.c.id,
)

# The sales pipeline. Pipelines keep their stages as one JSON list: read whole, never queried.
pipelines = Table(
    "pipelines",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("stale_after_days", Integer, nullable=False),
    Column("stages", JsonDocument, nullable=False),
)

opportunities = Table(
    "opportunities",
    metadata,
    Column("id", sortable_text(36), primary_key=True),
    Column("pipeline_id", String(36), ForeignKey("pipelines.id"), nullable=False),
    Column("stage_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("company_id", String(36)),
    Column("owner_id", String(36), nullable=False),
    Column("currency", String(3), nullable=False),
    # Money in minor units: exact, and summed by the database.
    Column("amount_minor", BigInteger),
    Column("expected_close_date", Date),
    # The first day of the expected close month, so the forecast groups on a plain column.
    Column("close_month", Date),
    Column("next_step", String(300), nullable=False),
    Column("line_items", JsonDocument, nullable=False),
    Column("status", String(8), nullable=False),
    Column("close_reason", String(500)),
    Column("closed_at", UtcDateTime()),
    Column("cycle_seconds", BigInteger),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("last_activity_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)
Index("ix_opportunities_created_at_id", opportunities.c.created_at, opportunities.c.id)
# What a rep or a team may see: their deals, read by owner.
Index(
    "ix_opportunities_owner_id_status",
    opportunities.c.owner_id,
    opportunities.c.status,
    opportunities.c.pipeline_id,
)
# Covering indexes: the board and the forecast read open deals, the funnel's outcomes read
# deals closed in a window, each without touching the table.
Index(
    "ix_opportunities_open_deals",
    opportunities.c.pipeline_id,
    opportunities.c.status,
    opportunities.c.stage_id,
    opportunities.c.currency,
    opportunities.c.close_month,
    opportunities.c.owner_id,
    opportunities.c.amount_minor,
)
Index(
    "ix_opportunities_closed_deals",
    opportunities.c.pipeline_id,
    opportunities.c.closed_at,
    opportunities.c.status,
    opportunities.c.currency,
    opportunities.c.amount_minor,
    opportunities.c.cycle_seconds,
)

# Every stay of a deal in a stage: what funnels count and time-in-stage medians read.
opportunity_stage_entries = Table(
    "opportunity_stage_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "opportunity_id", String(36), ForeignKey("opportunities.id"), nullable=False, index=True
    ),
    Column("pipeline_id", String(36), nullable=False),
    Column("stage_id", String(64), nullable=False),
    Column("entered_at", UtcDateTime(), nullable=False),
    Column("left_at", UtcDateTime()),
    Column("seconds", BigInteger),
    Column("first_entry", Boolean, nullable=False),
    Column("amount_minor", BigInteger),
    Column("currency", String(3), nullable=False),
    Column("actor_id", String(36), nullable=False),
)
# Covering the funnel's window: counts, values and times in stage without the table.
Index(
    "ix_opportunity_stage_entries_funnel",
    opportunity_stage_entries.c.pipeline_id,
    opportunity_stage_entries.c.entered_at,
    opportunity_stage_entries.c.stage_id,
    opportunity_stage_entries.c.first_entry,
    opportunity_stage_entries.c.currency,
    opportunity_stage_entries.c.amount_minor,
    opportunity_stage_entries.c.seconds,
)

leads = Table(
    "leads",
    metadata,
    Column("id", sortable_text(36), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("email", String(254), nullable=False),
    Column("profile", JsonDocument, nullable=False),
    Column("source", String(60), nullable=False),
    Column("utm", JsonDocument, nullable=False),
    Column("status", String(16), nullable=False),
    Column("owner_id", String(36)),
    Column("score", Integer, nullable=False),
    Column("grade", String(8), nullable=False),
    Column("score_history", JsonDocument, nullable=False),
    Column("first_touch_due_at", UtcDateTime(), index=True),
    Column("contacted_at", UtcDateTime()),
    Column("first_touch_reminded", Boolean, nullable=False),
    Column("opportunity_id", String(36)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)
Index("ix_leads_created_at_id", leads.c.created_at, leads.c.id)
Index("ix_leads_owner_id_status", leads.c.owner_id, leads.c.status)

sales_teams = Table(
    "sales_teams",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("strategy", String(20), nullable=False),
    Column("first_touch_hours", Float, nullable=False),
    # [{"userId", "away", "regions", "industries", "turns"}] in roster order.
    Column("members", JsonDocument, nullable=False),
    Column("version", Integer, nullable=False),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", sortable_text(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("assignee_id", String(36), nullable=False),
    Column("customer_id", String(36), ForeignKey("customers.id"), index=True),
    Column("opportunity_id", String(36), index=True),
    Column("status", String(8), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("rule_key", String(60)),
    # A rule's task per customer: the unique index makes a second run a no-op.
    Column("dedupe_key", String(140), unique=True),
    Column("reminded_at", UtcDateTime()),
    Column("completed_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
)
Index("ix_tasks_due_at_id", tasks.c.due_at, tasks.c.id)
Index("ix_tasks_assignee_id_status_due_at", tasks.c.assignee_id, tasks.c.status, tasks.c.due_at)

automation_rules = Table(
    "automation_rules",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("condition", JsonDocument, nullable=False),
    Column("action", JsonDocument, nullable=False),
    Column("enabled", Boolean, nullable=False),
)

lead_forms = Table(
    "lead_forms",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("source", String(60), nullable=False),
    Column("honeypot", String(60), nullable=False),
    Column("team_id", String(36)),
)

lead_scoring_models = Table(
    "lead_scoring_models",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("model", JsonDocument, nullable=False),
)

# Webhook endpoints; event_types empty means every type.
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("description", String(500), nullable=False),
    Column("event_types", JsonDocument, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("status", String(16), nullable=False),
    Column("disabled_reason", String(200)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("role", String(16), nullable=False, server_default=text("'admin'")),
)

# One row per event per subscription, written by the relay in the transaction that marks
# the outbox row published; the dispatcher's progress (attempts, next try) lives here too,
# so a killed worker resumes where it stopped.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column(
        "subscription_id",
        String(36),
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("aggregate_id", String(36), nullable=False),
    Column("position", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime()),
    Column("last_attempt_at", UtcDateTime()),
    Column("last_status_code", Integer),
    Column("last_latency_ms", Integer),
    Column("last_response", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
)
Index(
    "ix_webhook_deliveries_due",
    webhook_deliveries.c.position,
    webhook_deliveries.c.id,
    sqlite_where=text("status = 'pending'"),
    postgresql_where=text("status = 'pending'"),
)
Index(
    "ix_webhook_deliveries_order",
    webhook_deliveries.c.subscription_id,
    webhook_deliveries.c.aggregate_id,
    webhook_deliveries.c.position,
)

# Recurring jobs by name, as the runner registers them; a claim is a lease that lapses, so
# a worker that dies mid-run leaves the job to the next one.
scheduled_jobs = Table(
    "scheduled_jobs",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("every_seconds", Integer, nullable=False),
    Column("offset_seconds", Integer, nullable=False),
    Column("next_run_at", UtcDateTime(), nullable=False),
    Column("last_started_at", UtcDateTime()),
    Column("last_finished_at", UtcDateTime()),
    Column("last_error", Text),
    Column("claimed_until", UtcDateTime()),
)

# One timer per kind and subject: setting it again replaces it (a new id, so a firing of
# the old one in flight cannot mark the new one fired).
timers = Table(
    "timers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(80), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("payload", JsonDocument, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("claimed_until", UtcDateTime()),
    Column("last_attempt_at", UtcDateTime()),
    UniqueConstraint("kind", "subject_id", name="uq_timers_kind_subject"),
)
Index(
    "ix_timers_due",
    timers.c.due_at,
    sqlite_where=text("status = 'pending'"),
    postgresql_where=text("status = 'pending'"),
)
# Segments: rule is the canonical text of the rule (a static segment keeps the one it was
# taken by); name_key makes names unique whatever their case.
segments = Table(
    "segments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("name_key", sortable_text(100), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("rule", Text, nullable=False),
    Column("description", String(500), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("refreshed_at", UtcDateTime()),
    Column("version", Integer, nullable=False, server_default=text("1")),
)

segment_members = Table(
    "segment_members",
    metadata,
    Column("segment_id", String(36), ForeignKey("segments.id"), primary_key=True),
    Column("customer_id", sortable_text(36), primary_key=True),
)
Index("ix_segment_members_customer_id", segment_members.c.customer_id)

# One row per refresh: how many members the segment had then.
segment_sizes = Table(
    "segment_sizes",
    metadata,
    Column("segment_id", String(36), ForeignKey("segments.id"), primary_key=True),
    Column("at", UtcDateTime(), primary_key=True),
    Column("size", Integer, nullable=False),
)

# The latest RFM run: one row per customer who had orders in its window.
customer_rfm = Table(
    "customer_rfm",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("recency", Integer, nullable=False),
    Column("frequency", Integer, nullable=False),
    Column("monetary", Integer, nullable=False),
    Column("rfm_class", String(24), nullable=False),
    Column("computed_at", UtcDateTime(), nullable=False),
)
Index("ix_customer_rfm_rfm_class", customer_rfm.c.rfm_class)
# Order windows ("orders in the last 90 days") start from the most recent orders.
Index("ix_orders_placed_at", orders.c.placed_at)

# Modules that keep their tables in files of their own put them on this metadata there;
# importing them here is what lets the migrations be checked against every table.
from adapters.persistence import audit as _audit  # noqa: E402, F401
from adapters.persistence import campaign_tables as _campaign_tables  # noqa: E402, F401
from adapters.persistence import consent_tables as _consent_tables  # noqa: E402, F401
from adapters.persistence import journey_tables as _journey_tables  # noqa: E402, F401
from adapters.persistence import messages_tables as _messages_tables  # noqa: E402, F401
from adapters.persistence import template_tables as _template_tables  # noqa: E402, F401
