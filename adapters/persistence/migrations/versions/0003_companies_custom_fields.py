"""Companies, custom field definitions; customers' attributes become custom fields.

The free-form attributes of customers become the values of custom fields. A definition is
made for each attribute key whose stored values all have one type (text, number or
boolean), so existing data stays valid; keys with mixed values keep their values and get
no definition until someone defines one.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22
"""

import json
import math
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
MAX_SAFE_INTEGER = 2**53 - 1


def _sortable(length: int) -> sa.types.TypeEngine:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(253), nullable=True),
        sa.Column("industry", sa.String(100), nullable=True),
        sa.Column("size", sa.String(16), nullable=True),
        sa.Column("address", JSON_DOCUMENT, nullable=True),
        sa.Column("custom_fields", JSON_DOCUMENT, nullable=False),
        sa.Column("owner_id", sa.String(36), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("archived_at", TIMESTAMP, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sort_name", _sortable(200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_companies"),
    )
    op.create_index("ix_companies_domain", "companies", ["domain"])
    op.create_index("ix_companies_owner_id", "companies", ["owner_id"])
    op.create_index("ix_companies_created_at_id", "companies", ["created_at", "id"])
    op.create_index("ix_companies_updated_at_id", "companies", ["updated_at", "id"])
    op.create_index("ix_companies_sort_name_id", "companies", ["sort_name", "id"])

    op.create_table(
        "custom_field_definitions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("object_type", sa.String(20), nullable=False),
        sa.Column("key", sa.String(63), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("field_type", sa.String(20), nullable=False),
        sa.Column("choices", JSON_DOCUMENT, nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("unique", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_custom_field_definitions"),
        sa.UniqueConstraint(
            "object_type", "key", name="uq_custom_field_definitions_object_type_key"
        ),
    )

    # Plain ALTER TABLE statements, which SQLite and PostgreSQL both run in place: a batch
    # copy of the table on SQLite would lose its expression index.
    op.execute("ALTER TABLE customers RENAME COLUMN attributes TO custom_fields")
    op.add_column("customers", sa.Column("company_id", sa.String(36), nullable=True))
    op.create_index("ix_customers_company_id", "customers", ["company_id"])
    _define_existing_attributes()


def _define_existing_attributes() -> None:
    connection = op.get_bind()
    kinds: dict[str, set[str]] = {}
    for (document,) in connection.execute(sa.text("SELECT custom_fields FROM customers")):
        values = json.loads(document) if isinstance(document, str) else document
        for key, value in (values or {}).items():
            kinds.setdefault(key, set()).add(_kind(value))
    now = datetime.now(UTC)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "object_type": "customer",
            "key": key,
            "label": key.replace("_", " ").capitalize()[:100],
            "field_type": found.pop(),
            "choices": [],
            "required": False,
            "unique": False,
            "created_at": now,
        }
        for key, found in sorted(kinds.items())
        if len(found) == 1 and "other" not in found
    ]
    if rows:
        table = sa.table(
            "custom_field_definitions",
            sa.column("id"),
            sa.column("object_type"),
            sa.column("key"),
            sa.column("label"),
            sa.column("field_type"),
            sa.column("choices", JSON_DOCUMENT),
            sa.column("required"),
            sa.column("unique"),
            sa.column("created_at", TIMESTAMP),
        )
        op.bulk_insert(table, rows)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) and abs(value) <= MAX_SAFE_INTEGER:
        return "number"
    if isinstance(value, float) and math.isfinite(value) and abs(value) <= 1e15:
        return "number"
    if isinstance(value, str) and len(value) <= 2000:
        return "text"
    return "other"


def downgrade() -> None:
    op.drop_index("ix_customers_company_id", table_name="customers")
    op.execute("ALTER TABLE customers DROP COLUMN company_id")
    op.execute("ALTER TABLE customers RENAME COLUMN custom_fields TO attributes")
    op.drop_table("custom_field_definitions")
    op.drop_table("companies")
