"""An access version that every change to who reaches what moves, in the same transaction.

The key lookup reads it with the key, so a process may keep each key's worked-out reach for
as long as the version stands still. Triggers move it, so no write path can forget to:
record shares, stored roles, and users' roles, teams, managers and activity.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The row may be missing (a table emptied by hand): the first change puts it back.
BUMP = (
    "INSERT INTO access_version (id, version) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET version = access_version.version + 1"
)
WATCHED = {
    "record_shares": "",
    "roles": "",
    # A user's name or email does not change what anyone reaches.
    "users": " OF role, team_id, manager_id, deactivated_at",
}
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _trigger(table: str, event: str) -> str:
    return f"access_version_{table}_{event.lower()}"


def upgrade() -> None:
    op.create_table(
        "access_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO access_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION access_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table, columns in WATCHED.items():
            for event in EVENTS:
                of = columns if event == "UPDATE" else ""
                op.execute(
                    f"CREATE TRIGGER {_trigger(table, event)} AFTER {event}{of} ON {table}"
                    " FOR EACH STATEMENT EXECUTE FUNCTION access_version_bump()"
                )
        return
    for table, columns in WATCHED.items():
        for event in EVENTS:
            of = columns if event == "UPDATE" else ""
            op.execute(
                f"CREATE TRIGGER {_trigger(table, event)} AFTER {event}{of} ON {table}"
                f" BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        for event in EVENTS:
            op.execute(
                f"DROP TRIGGER {_trigger(table, event)} ON {table}"
                if postgres
                else f"DROP TRIGGER {_trigger(table, event)}"
            )
    if postgres:
        op.execute("DROP FUNCTION access_version_bump()")
    op.drop_table("access_version")
