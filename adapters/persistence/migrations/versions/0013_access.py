"""Roles as data, teams, managers and record shares; the four old role keys renamed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)

RENAMED = {"manager": "sales_manager", "agent": "sales_rep", "viewer": "analyst"}


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "roles",
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("permissions", JSON_DOCUMENT, nullable=False),
        sa.Column("record_access", JSON_DOCUMENT, nullable=False),
        sa.Column("field_rules", JSON_DOCUMENT, nullable=False),
        sa.Column("built_in", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_roles"),
    )
    op.create_table(
        "record_shares",
        sa.Column("resource", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("grantee_kind", sa.String(4), nullable=False),
        sa.Column("grantee_id", sa.String(36), nullable=False),
        sa.Column("shared_by", sa.String(36), nullable=False),
        sa.Column("shared_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint(
            "resource", "record_id", "grantee_kind", "grantee_id", name="pk_record_shares"
        ),
    )
    op.create_index(
        "ix_record_shares_grantee", "record_shares", ["grantee_kind", "grantee_id", "resource"]
    )
    # Plain ADD COLUMN without references: SQLite cannot add a constraint to a table, and
    # copying users, which api_keys references, is not possible there.
    op.add_column("users", sa.Column("team_id", sa.String(36)))
    op.add_column("users", sa.Column("manager_id", sa.String(36)))
    op.create_index("ix_users_team_id", "users", ["team_id"])
    op.create_index("ix_users_manager_id", "users", ["manager_id"])
    for table in ("users", "api_keys"):
        for old, new in RENAMED.items():
            op.execute(
                sa.text(f"UPDATE {table} SET role = :new WHERE role = :old").bindparams(
                    new=new, old=old
                )
            )


def downgrade() -> None:
    for table in ("users", "api_keys"):
        for old, new in RENAMED.items():
            op.execute(
                sa.text(f"UPDATE {table} SET role = :old WHERE role = :new").bindparams(
                    new=new, old=old
                )
            )
        # Roles that did not exist before cannot be kept: they read as the nearest old one.
        op.execute(
            sa.text(
                f"UPDATE {table} SET role = 'viewer' "
                "WHERE role NOT IN ('admin', 'manager', 'agent', 'viewer')"
            )
        )
    op.drop_index("ix_users_manager_id", "users")
    op.drop_index("ix_users_team_id", "users")
    op.drop_column("users", "manager_id")
    op.drop_column("users", "team_id")
    op.drop_index("ix_record_shares_grantee", "record_shares")
    op.drop_table("record_shares")
    op.drop_table("roles")
    op.drop_table("teams")
