"""External ids of customers, match keys and merges, and orders.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ALTER TABLE: batch mode would copy the table on SQLite and lose its expression index.
    op.add_column("customers", sa.Column("email_key", sa.String(254), nullable=True))
    op.add_column("customers", sa.Column("merged_into", sa.String(36), nullable=True))
    op.create_index("ix_customers_email_key", "customers", ["email_key"])
    op.create_index("ix_customers_phone", "customers", ["phone"])
    op.create_table(
        "customer_external_ids",
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_customer_external_ids_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("source", "external_id", name="pk_customer_external_ids"),
    )
    op.create_index(
        "ix_customer_external_ids_customer_id", "customer_external_ids", ["customer_id"]
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("placed_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("lines", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_orders_customer_id_customers"),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("external_id", name="uq_orders_external_id"),
    )
    op.create_index(
        "ix_orders_customer_id_placed_at", "orders", ["customer_id", "placed_at", "id"]
    )


def downgrade() -> None:
    op.drop_table("orders")
    op.drop_table("customer_external_ids")
    op.drop_index("ix_customers_phone", "customers")
    op.drop_index("ix_customers_email_key", "customers")
    op.drop_column("customers", "merged_into")
    op.drop_column("customers", "email_key")
