"""API keys that expire, and when each was last used.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Nullable columns: existing keys never expire and have not been used since.
    op.add_column("api_keys", sa.Column("expires_at", TIMESTAMP, nullable=True))
    op.add_column("api_keys", sa.Column("last_used_at", TIMESTAMP, nullable=True))
    # The admin list pages by creation time, newest first.
    op.create_index("ix_api_keys_created_at", "api_keys", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_api_keys_created_at", table_name="api_keys")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
