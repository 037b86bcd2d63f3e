"""Versions for optimistic concurrency on tags, auto-tag rules, segments and lifecycle tracks
and rules; auto-tag rules that can be switched off.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite adds a NOT NULL column with a default without copying the
    # table, which a referenced table (lifecycle_tracks) could not survive.
    def version() -> sa.Column[int]:
        return sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))

    op.add_column("tags", version())
    op.add_column(
        "auto_tag_rules",
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("auto_tag_rules", version())
    op.add_column("segments", version())
    op.add_column("lifecycle_tracks", version())
    op.add_column("lifecycle_rules", version())


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35 and later, PostgreSQL): copying lifecycle_tracks,
    # which lifecycle_rules references, is not possible.
    for table, column in (
        ("lifecycle_rules", "version"),
        ("lifecycle_tracks", "version"),
        ("segments", "version"),
        ("auto_tag_rules", "version"),
        ("auto_tag_rules", "enabled"),
        ("tags", "version"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
