"""The outbox of messages: one row per message to one customer, from queued to delivered.

Revision ID: 0022
Revises: 0021
Create Date: 2027-01-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("campaign_id", sa.String(36)),
        sa.Column("variant", sa.String(64)),
        sa.Column("journey_id", sa.String(36)),
        sa.Column("journey_version", sa.Integer()),
        sa.Column("step_id", sa.String(64)),
        sa.Column("step_visit", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.String(36)),
        sa.Column("reference", sa.String(128)),
        sa.Column("template_id", sa.String(36), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("marketing", sa.Boolean(), nullable=False),
        sa.Column("dedupe_key", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("provider_id", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("skip_reason", sa.String(16)),
        sa.Column("defer_reason", sa.String(16)),
        sa.Column("failure", sa.String(500), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("opened_at", sa.DateTime(timezone=True)),
        sa.Column("clicked_at", sa.DateTime(timezone=True)),
        sa.Column("bounced_at", sa.DateTime(timezone=True)),
        sa.Column("hard_bounce", sa.Boolean(), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("click_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
    )
    op.create_index("ix_messages_dedupe_key", "messages", ["dedupe_key"], unique=True)
    op.create_index("ix_messages_status_due_at", "messages", ["status", "due_at"])
    op.create_index(
        "ix_messages_customer_id_queued_at", "messages", ["customer_id", "queued_at"]
    )
    op.create_index("ix_messages_customer_id_sent_at", "messages", ["customer_id", "sent_at"])
    op.create_index("ix_messages_campaign_id", "messages", ["campaign_id"])
    op.create_index("ix_messages_journey_id", "messages", ["journey_id"])


def downgrade() -> None:
    for name in (
        "ix_messages_journey_id",
        "ix_messages_campaign_id",
        "ix_messages_customer_id_sent_at",
        "ix_messages_customer_id_queued_at",
        "ix_messages_status_due_at",
        "ix_messages_dedupe_key",
    ):
        op.drop_index(name, "messages")
    op.drop_table("messages")
