"""Journeys, their published versions, enrolments and how often each step was reached;
an index for claiming many timers due at one moment.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "journeys",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("trigger_kind", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_journeys"),
    )
    op.create_index("ix_journeys_created_at_id", "journeys", ["created_at", "id"])
    op.create_index("ix_journeys_trigger_kind_status", "journeys", ["trigger_kind", "status"])
    op.create_table(
        "journey_versions",
        sa.Column("journey_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("definition", JSON, nullable=False),
        sa.PrimaryKeyConstraint("journey_id", "number", name="pk_journey_versions"),
    )
    op.create_table(
        "journey_enrolments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("journey_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("active_key", sa.String(80), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("current_step_id", sa.String(40), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exit_reason", sa.String(16), nullable=True),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wake_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visits", JSON, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journey_enrolments"),
        sa.UniqueConstraint(
            "journey_id", "customer_id", "sequence", name="uq_journey_enrolments_entry"
        ),
        sa.UniqueConstraint("active_key", name="uq_journey_enrolments_active_key"),
    )
    op.create_index("ix_journey_enrolments_customer_id", "journey_enrolments", ["customer_id"])
    op.create_index(
        "ix_journey_enrolments_journey_id_status", "journey_enrolments", ["journey_id", "status"]
    )
    op.create_table(
        "journey_step_counts",
        sa.Column("journey_id", sa.String(36), nullable=False),
        sa.Column("step_id", sa.String(40), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("journey_id", "step_id", name="pk_journey_step_counts"),
    )
    op.create_index(
        "ix_timers_due_at_id",
        "timers",
        ["due_at", "id"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_timers_due_at_id", table_name="timers")
    op.drop_table("journey_step_counts")
    op.drop_index("ix_journey_enrolments_journey_id_status", table_name="journey_enrolments")
    op.drop_index("ix_journey_enrolments_customer_id", table_name="journey_enrolments")
    op.drop_table("journey_enrolments")
    op.drop_table("journey_versions")
    op.drop_index("ix_journeys_trigger_kind_status", table_name="journeys")
    op.drop_index("ix_journeys_created_at_id", table_name="journeys")
    op.drop_table("journeys")
