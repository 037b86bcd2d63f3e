"""Lifecycle: tracks and rules as data (seeded with the defaults), stages and their history.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)

# The defaults as they stood when this migration was written (domain/lifecycle/defaults.py
# may change later; a migration must not). "" as a source means "no stage yet".
ACQUISITION_STAGES = [
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketing_qualified_lead", "Marketing qualified lead"),
    ("sales_qualified_lead", "Sales qualified lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
]
ACQUISITION_MOVES = [
    *(["", key] for key, _ in ACQUISITION_STAGES),
    ["subscriber", "lead"],
    ["lead", "marketing_qualified_lead"],
    ["marketing_qualified_lead", "sales_qualified_lead"],
    ["sales_qualified_lead", "opportunity"],
    ["opportunity", "customer"],
    ["customer", "evangelist"],
    *([key, "other"] for key, _ in ACQUISITION_STAGES if key != "other"),
]
ENGAGEMENT_STAGES = [
    ("new", "New"),
    ("active", "Active"),
    ("at_risk", "At risk"),
    ("dormant", "Dormant"),
    ("churned", "Churned"),
    ("won_back", "Won back"),
]
ENGAGEMENT_MOVES = [
    ["", "new"],
    ["", "active"],
    ["new", "active"],
    ["new", "at_risk"],
    ["active", "at_risk"],
    ["at_risk", "active"],
    ["at_risk", "dormant"],
    ["dormant", "churned"],
    ["dormant", "won_back"],
    ["churned", "won_back"],
    ["won_back", "active"],
    ["won_back", "at_risk"],
]
BEFORE_CUSTOMER = [
    "",
    "lead",
    "marketing_qualified_lead",
    "opportunity",
    "other",
    "sales_qualified_lead",
    "subscriber",
]
ENGAGED = ["", "active", "new", "won_back"]
RULES = [
    ("first_paid_order", "acquisition", "paid_order", "customer", BEFORE_CUSTOMER, None, 10),
    ("no_order_90_days", "engagement", "inactivity", "at_risk", ENGAGED, 90, 10),
    ("no_order_180_days", "engagement", "inactivity", "dormant", [*ENGAGED, "at_risk"], 180, 20),
    (
        "no_order_365_days",
        "engagement",
        "inactivity",
        "churned",
        [*ENGAGED, "at_risk", "dormant"],
        365,
        30,
    ),
    (
        "order_after_dormancy",
        "engagement",
        "order_after_stage",
        "won_back",
        ["churned", "dormant"],
        None,
        100,
    ),
]


def _sortable(length: int) -> sa.types.TypeEngine:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    tracks = op.create_table(
        "lifecycle_tracks",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stages", JSON_DOCUMENT, nullable=False),
        sa.Column("transitions", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_lifecycle_tracks"),
    )
    rules = op.create_table(
        "lifecycle_rules",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("track", sa.String(40), nullable=False),
        sa.Column("trigger_type", sa.String(40), nullable=False),
        sa.Column("to_stage", sa.String(40), nullable=False),
        sa.Column("from_stages", JSON_DOCUMENT, nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track"], ["lifecycle_tracks.key"], name="fk_lifecycle_rules_track_lifecycle_tracks"
        ),
        sa.PrimaryKeyConstraint("key", name="pk_lifecycle_rules"),
    )
    op.create_table(
        "customer_stages",
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("track", sa.String(40), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("entered_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_customer_stages_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("customer_id", "track", name="pk_customer_stages"),
    )
    op.create_index("ix_customer_stages_track_stage", "customer_stages", ["track", "stage"])
    op.create_table(
        "stage_changes",
        sa.Column("id", _sortable(64), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("track", sa.String(40), nullable=False),
        sa.Column("from_stage", sa.String(40), nullable=True),
        sa.Column("to_stage", sa.String(40), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("rule", sa.String(40), nullable=True),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("previous_entered_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_stage_changes_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stage_changes"),
    )
    op.create_index(
        "ix_stage_changes_customer_id_changed_at_id",
        "stage_changes",
        ["customer_id", "changed_at", "id"],
    )
    op.bulk_insert(
        tracks,
        [
            {
                "key": "acquisition",
                "label": "Acquisition",
                "position": 0,
                "stages": [{"key": k, "label": v} for k, v in ACQUISITION_STAGES],
                "transitions": ACQUISITION_MOVES,
            },
            {
                "key": "engagement",
                "label": "Engagement",
                "position": 1,
                "stages": [{"key": k, "label": v} for k, v in ENGAGEMENT_STAGES],
                "transitions": ENGAGEMENT_MOVES,
            },
        ],
    )
    op.bulk_insert(
        rules,
        [
            {
                "key": key,
                "track": track,
                "trigger_type": trigger,
                "to_stage": to_stage,
                "from_stages": from_stages,
                "days": days,
                "priority": priority,
                "enabled": True,
            }
            for key, track, trigger, to_stage, from_stages, days, priority in RULES
        ],
    )


def downgrade() -> None:
    op.drop_table("stage_changes")
    op.drop_table("customer_stages")
    op.drop_table("lifecycle_rules")
    op.drop_table("lifecycle_tracks")
