"""The audit log: one append-only table of who changed what, and who was refused.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column(
            "id",
            sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("api_key_id", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error_codes", JSON_DOCUMENT, nullable=False),
        sa.Column("object_type", sa.String(64), nullable=True),
        sa.Column("object_id", sa.String(64), nullable=True),
        sa.Column("changes", JSON_DOCUMENT, nullable=False),
        sa.Column("events", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_occurred_at_id", "audit_entries", ["occurred_at", "id"])
    op.create_index("ix_audit_entries_object_id", "audit_entries", ["object_id"])
    op.create_index("ix_audit_entries_actor_id", "audit_entries", ["actor_id"])


def downgrade() -> None:
    op.drop_table("audit_entries")
