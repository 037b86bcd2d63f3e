"""Activities, tracked events with their daily counts, and the customers' timeline.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _sortable(length: int) -> sa.types.TypeEngine:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(16), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("deleted_at", TIMESTAMP, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_activities_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_activities"),
    )
    op.create_index(
        "ix_activities_customer_id_occurred_at", "activities", ["customer_id", "occurred_at"]
    )

    op.create_table(
        "tracked_events",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("properties", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_tracked_events_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tracked_events"),
        sa.UniqueConstraint("event_id", name="uq_tracked_events_event_id"),
    )
    op.create_index(
        "ix_tracked_events_customer_id_occurred_at",
        "tracked_events",
        ["customer_id", "occurred_at"],
    )

    op.create_table(
        "event_daily_counts",
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "name", "day", name="pk_event_daily_counts"),
    )
    op.create_index("ix_event_daily_counts_name_day", "event_daily_counts", ["name", "day"])

    op.create_table(
        "timeline_entries",
        sa.Column("id", _sortable(64), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(500), nullable=True),
        sa.Column("data", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_timeline_entries_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_timeline_entries"),
    )
    op.create_index(
        "ix_timeline_entries_customer_id_occurred_at_id",
        "timeline_entries",
        ["customer_id", "occurred_at", "id"],
    )


def downgrade() -> None:
    op.drop_table("timeline_entries")
    op.drop_table("event_daily_counts")
    op.drop_table("tracked_events")
    op.drop_table("activities")
