"""Versions for optimistic concurrency on tags, auto-tag rules and segments; rules that can
be switched off.

Revision ID: 0011_marketing
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_marketing"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = {"nullable": False, "server_default": sa.text("1")}
    with op.batch_alter_table("tags") as table:
        table.add_column(sa.Column("version", sa.Integer(), **version))
    with op.batch_alter_table("auto_tag_rules") as table:
        table.add_column(
            sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        table.add_column(sa.Column("version", sa.Integer(), **version))
    with op.batch_alter_table("segments") as table:
        table.add_column(sa.Column("version", sa.Integer(), **version))


def downgrade() -> None:
    with op.batch_alter_table("segments") as table:
        table.drop_column("version")
    with op.batch_alter_table("auto_tag_rules") as table:
        table.drop_column("version")
        table.drop_column("enabled")
    with op.batch_alter_table("tags") as table:
        table.drop_column("version")
