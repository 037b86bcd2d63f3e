"""The sales pipeline: pipelines (one seeded), opportunities and their stage history, leads,
sales teams, tasks, automation rules, lead forms (one seeded) and the lead scoring model.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
# Ids compared by code point, as keyset pages compare them.
SORTABLE_ID = sa.String(36).with_variant(sa.String(36, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "automation_rules",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("condition", JSON_DOCUMENT, nullable=False),
        sa.Column("action", JSON_DOCUMENT, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_automation_rules")),
    )
    op.create_table(
        "lead_forms",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("honeypot", sa.String(length=60), nullable=False),
        sa.Column("team_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lead_forms")),
    )
    op.create_table(
        "lead_scoring_models",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("model", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lead_scoring_models")),
    )
    op.create_table(
        "pipelines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("stale_after_days", sa.Integer(), nullable=False),
        sa.Column("stages", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipelines")),
    )
    op.create_table(
        "sales_teams",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("strategy", sa.String(length=20), nullable=False),
        sa.Column("first_touch_hours", sa.Float(), nullable=False),
        sa.Column("members", JSON_DOCUMENT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_teams")),
    )
    op.create_table(
        "leads",
        sa.Column("id", SORTABLE_ID, nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("profile", JSON_DOCUMENT, nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("utm", JSON_DOCUMENT, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("score_history", JSON_DOCUMENT, nullable=False),
        sa.Column("first_touch_due_at", TIMESTAMP, nullable=True),
        sa.Column("contacted_at", TIMESTAMP, nullable=True),
        sa.Column("first_touch_reminded", sa.Boolean(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_leads_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
    )
    op.create_index("ix_leads_created_at_id", "leads", ["created_at", "id"], unique=False)
    op.create_index(op.f("ix_leads_customer_id"), "leads", ["customer_id"], unique=False)
    op.create_index(
        op.f("ix_leads_first_touch_due_at"), "leads", ["first_touch_due_at"], unique=False
    )
    op.create_index("ix_leads_owner_id_status", "leads", ["owner_id", "status"], unique=False)

    op.create_table(
        "opportunities",
        sa.Column("id", SORTABLE_ID, nullable=False),
        sa.Column("pipeline_id", sa.String(length=36), nullable=False),
        sa.Column("stage_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=True),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("close_month", sa.Date(), nullable=True),
        sa.Column("next_step", sa.String(length=300), nullable=False),
        sa.Column("line_items", JSON_DOCUMENT, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("close_reason", sa.String(length=500), nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("cycle_seconds", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("last_activity_at", TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_opportunities_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"], ["pipelines.id"], name=op.f("fk_opportunities_pipeline_id_pipelines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
    )
    op.create_index(
        "ix_opportunities_created_at_id", "opportunities", ["created_at", "id"], unique=False
    )
    op.create_index(
        op.f("ix_opportunities_customer_id"), "opportunities", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_opportunities_closed_deals",
        "opportunities",
        ["pipeline_id", "closed_at", "status", "currency", "amount_minor", "cycle_seconds"],
        unique=False,
    )
    op.create_index(
        "ix_opportunities_open_deals",
        "opportunities",
        [
            "pipeline_id",
            "status",
            "stage_id",
            "currency",
            "close_month",
            "owner_id",
            "amount_minor",
        ],
        unique=False,
    )

    op.create_table(
        "tasks",
        sa.Column("id", SORTABLE_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("assignee_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("opportunity_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("rule_key", sa.String(length=60), nullable=True),
        sa.Column("dedupe_key", sa.String(length=140), nullable=True),
        sa.Column("reminded_at", TIMESTAMP, nullable=True),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tasks_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_tasks_dedupe_key")),
    )
    op.create_index(
        "ix_tasks_assignee_id_status_due_at",
        "tasks",
        ["assignee_id", "status", "due_at"],
        unique=False,
    )
    op.create_index(op.f("ix_tasks_customer_id"), "tasks", ["customer_id"], unique=False)
    op.create_index("ix_tasks_due_at_id", "tasks", ["due_at", "id"], unique=False)
    op.create_index(op.f("ix_tasks_opportunity_id"), "tasks", ["opportunity_id"], unique=False)

    op.create_table(
        "opportunity_stage_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("pipeline_id", sa.String(length=36), nullable=False),
        sa.Column("stage_id", sa.String(length=64), nullable=False),
        sa.Column("entered_at", TIMESTAMP, nullable=False),
        sa.Column("left_at", TIMESTAMP, nullable=True),
        sa.Column("seconds", sa.BigInteger(), nullable=True),
        sa.Column("first_entry", sa.Boolean(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_stage_entries_opportunity_id_opportunities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_stage_entries")),
    )
    op.create_index(
        op.f("ix_opportunity_stage_entries_opportunity_id"),
        "opportunity_stage_entries",
        ["opportunity_id"],
        unique=False,
    )
    op.create_index(
        "ix_opportunity_stage_entries_funnel",
        "opportunity_stage_entries",
        [
            "pipeline_id",
            "entered_at",
            "stage_id",
            "first_entry",
            "currency",
            "amount_minor",
            "seconds",
        ],
        unique=False,
    )

    _seed()


# The defaults as they stood when this migration was written (domain/pipeline may change
# later; a migration must not).
DEFAULT_STAGES = [
    {
        "id": "sales-qualification",
        "key": "qualification",
        "label": "Qualification",
        "probability": 10,
        "required": [],
        "position": 0,
    },
    {
        "id": "sales-discovery",
        "key": "discovery",
        "label": "Discovery",
        "probability": 25,
        "required": [],
        "position": 1,
    },
    {
        "id": "sales-proposal",
        "key": "proposal",
        "label": "Proposal",
        "probability": 50,
        "required": ["amount", "expected_close_date"],
        "position": 2,
    },
    {
        "id": "sales-negotiation",
        "key": "negotiation",
        "label": "Negotiation",
        "probability": 75,
        "required": ["amount", "expected_close_date", "next_step"],
        "position": 3,
    },
]
DEFAULT_SCORING_MODEL = {
    "attributes": [
        ["title", "director", 20],
        ["title", "head", 20],
        ["title", "vp", 25],
        ["company_size", "201", 15],
        ["company_size", "1000", 25],
        ["industry", "software", 10],
    ],
    "behaviour": [
        ["Visited Pricing", 10, 14],
        ["Clicked Email", 5, 30],
        ["Requested Demo", 40, 30],
    ],
    "grades": [["A", 80], ["B", 50], ["C", 0]],
    "qualifyingGrades": ["A"],
}


def _seed() -> None:
    pipelines = sa.table(
        "pipelines",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("is_default", sa.Boolean),
        sa.column("stale_after_days", sa.Integer),
        sa.column("stages", JSON_DOCUMENT),
    )
    op.bulk_insert(
        pipelines,
        [
            {
                "id": "sales",
                "name": "Sales",
                "is_default": True,
                "stale_after_days": 30,
                "stages": DEFAULT_STAGES,
            }
        ],
    )
    forms = sa.table(
        "lead_forms",
        sa.column("key", sa.String),
        sa.column("source", sa.String),
        sa.column("honeypot", sa.String),
        sa.column("team_id", sa.String),
    )
    op.bulk_insert(
        forms, [{"key": "website", "source": "website", "honeypot": "website", "team_id": None}]
    )
    models = sa.table(
        "lead_scoring_models", sa.column("key", sa.String), sa.column("model", JSON_DOCUMENT)
    )
    op.bulk_insert(models, [{"key": "default", "model": DEFAULT_SCORING_MODEL}])


def downgrade() -> None:
    for table in (
        "opportunity_stage_entries",
        "tasks",
        "opportunities",
        "leads",
        "sales_teams",
        "pipelines",
        "lead_scoring_models",
        "lead_forms",
        "automation_rules",
    ):
        op.drop_table(table)
