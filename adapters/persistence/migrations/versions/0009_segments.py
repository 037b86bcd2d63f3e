"""Segments, their members and size history, RFM scores, and an index for order windows.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def _sortable(length: int) -> sa.types.TypeEngine:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", _sortable(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("refreshed_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_segments"),
        sa.UniqueConstraint("name_key", name="uq_segments_name_key"),
    )
    op.create_table(
        "segment_members",
        sa.Column("segment_id", sa.String(36), nullable=False),
        sa.Column("customer_id", _sortable(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name="fk_segment_members_segment_id_segments"
        ),
        sa.PrimaryKeyConstraint("segment_id", "customer_id", name="pk_segment_members"),
    )
    op.create_index("ix_segment_members_customer_id", "segment_members", ["customer_id"])
    op.create_table(
        "segment_sizes",
        sa.Column("segment_id", sa.String(36), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name="fk_segment_sizes_segment_id_segments"
        ),
        sa.PrimaryKeyConstraint("segment_id", "at", name="pk_segment_sizes"),
    )
    op.create_table(
        "customer_rfm",
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("recency", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.Integer(), nullable=False),
        sa.Column("rfm_class", sa.String(24), nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customer_rfm"),
    )
    op.create_index("ix_customer_rfm_rfm_class", "customer_rfm", ["rfm_class"])
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_placed_at", table_name="orders")
    op.drop_index("ix_customer_rfm_rfm_class", table_name="customer_rfm")
    op.drop_table("customer_rfm")
    op.drop_table("segment_sizes")
    op.drop_index("ix_segment_members_customer_id", table_name="segment_members")
    op.drop_table("segment_members")
    op.drop_table("segments")
