"""Tags: the catalogue, who carries which tag, tag history and auto-tag rules.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _sortable(length: int) -> sa.types.TypeEngine:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("name_key", _sortable(50), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("name_key", name="uq_tags_name_key"),
    )
    op.create_table(
        "customer_tags",
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("tag_id", sa.String(36), nullable=False),
        sa.Column("tagged_at", TIMESTAMP, nullable=False),
        sa.Column("tagged_by", sa.String(36), nullable=False),
        sa.Column("rule_id", sa.String(36), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_customer_tags_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name="fk_customer_tags_tag_id_tags"),
        sa.PrimaryKeyConstraint("customer_id", "tag_id", name="pk_customer_tags"),
    )
    op.create_index("ix_customer_tags_tag_id", "customer_tags", ["tag_id"])
    op.create_table(
        "tag_history",
        sa.Column("id", _sortable(64), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("tag_id", sa.String(36), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=False),
        sa.Column("rule_id", sa.String(36), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_tag_history_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name="fk_tag_history_tag_id_tags"),
        sa.PrimaryKeyConstraint("id", name="pk_tag_history"),
    )
    op.create_index(
        "ix_tag_history_customer_id_occurred_at", "tag_history", ["customer_id", "occurred_at"]
    )
    op.create_table(
        "auto_tag_rules",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tag_id", sa.String(36), nullable=False),
        sa.Column("condition", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name="fk_auto_tag_rules_tag_id_tags"),
        sa.PrimaryKeyConstraint("id", name="pk_auto_tag_rules"),
    )


def downgrade() -> None:
    op.drop_table("auto_tag_rules")
    op.drop_table("tag_history")
    op.drop_table("customer_tags")
    op.drop_table("tags")
