"""Consent per customer and channel with its changes, suppressions, opt-in requests, secrets.

Revision ID: 0020
Revises: 0019 (chained to 0018 until 0019 lands)
Create Date: 2027-01-10
"""

import sqlalchemy as sa
from alembic import op


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("customer_id", sa.String(36), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lawful_basis", sa.String(32)),
        sa.Column("source", sa.String(64)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("pending_opt_in_since", sa.DateTime(timezone=True)),
        sa.Column("changes", sa.Integer, nullable=False),
    )
    op.create_index("ix_consents_channel_status", "consents", ["channel", "status"])
    op.create_table(
        "consent_changes",
        sa.Column("customer_id", sa.String(36), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lawful_basis", sa.String(32)),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64)),
    )
    op.create_index("ix_consent_changes_message_id", "consent_changes", ["message_id"])
    op.create_table(
        "suppressions",
        sa.Column("address_key", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("suppressed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "opt_in_requests",
        sa.Column("address_key", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_opt_in_requests_customer_id", "opt_in_requests", ["customer_id"])
    op.create_table(
        "secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("secrets")
    op.drop_index("ix_opt_in_requests_customer_id", "opt_in_requests")
    op.drop_table("opt_in_requests")
    op.drop_table("suppressions")
    op.drop_index("ix_consent_changes_message_id", "consent_changes")
    op.drop_table("consent_changes")
    op.drop_index("ix_consents_channel_status", "consents")
    op.drop_table("consents")
