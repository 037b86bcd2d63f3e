"""Customers and companies by owner in list order, for pages of those who reach their own.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("customers", "companies"):
        op.create_index(
            f"ix_{table}_owner_id_created_at_id", table, ["owner_id", "created_at", "id"]
        )


def downgrade() -> None:
    for table in ("customers", "companies"):
        op.drop_index(f"ix_{table}_owner_id_created_at_id", table)
