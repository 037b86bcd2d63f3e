"""Message templates, and every version of each as it was saved.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
# Chained to 0018 until 0019 and 0020 are in: then this reads "0020".
down_revision = "0020"
branch_labels = None
depends_on = None

SORTABLE = sa.String(400).with_variant(sa.String(400, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "message_templates",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", SORTABLE, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_message_templates"),
        sa.UniqueConstraint("name_key", name="uq_message_templates_name_key"),
    )
    op.create_index("ix_message_templates_archived_at", "message_templates", ["archived_at"])
    op.create_table(
        "message_template_versions",
        sa.Column("template_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["message_templates.id"],
            name="fk_message_template_versions_template_id_message_templates",
        ),
        sa.PrimaryKeyConstraint("template_id", "version", name="pk_message_template_versions"),
    )


def downgrade() -> None:
    op.drop_table("message_template_versions")
    op.drop_index("ix_message_templates_archived_at", "message_templates")
    op.drop_table("message_templates")
