"""Campaigns: a message to a segment, maybe as an A/B test.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-11
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("segment_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("template_id", sa.String(36), nullable=True),
        sa.Column("ab_variants", JSON_DOCUMENT, nullable=True),
        sa.Column("ab_test_share_percent", sa.Integer(), nullable=True),
        sa.Column("ab_metric", sa.String(32), nullable=True),
        sa.Column("ab_confidence", sa.Float(), nullable=True),
        sa.Column("ab_wait_seconds", sa.Integer(), nullable=True),
        sa.Column("throttle_per_second", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("test_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("winner_variant", sa.String(40), nullable=True),
        sa.Column("winner_chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
    )
    op.create_index("ix_campaigns_created_at_id", "campaigns", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_campaigns_created_at_id", "campaigns")
    op.drop_table("campaigns")
