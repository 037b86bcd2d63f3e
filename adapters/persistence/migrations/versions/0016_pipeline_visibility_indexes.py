"""An index on the owner of deals: a rep's or a team's deals are read by owner.

Leads and tasks have theirs (``ix_leads_owner_id_status``,
``ix_tasks_assignee_id_status_due_at``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_opportunities_owner_id_status",
        "opportunities",
        ["owner_id", "status", "pipeline_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_opportunities_owner_id_status", table_name="opportunities")
