"""A role per webhook subscription, whose field rules its payloads obey.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Subscriptions made before roles had field rules keep receiving every field.
    op.add_column(
        "webhook_subscriptions",
        sa.Column("role", sa.String(16), nullable=False, server_default="admin"),
    )


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_column("role")
