"""The tables of message templates, on the shared metadata (``tables.py`` imports them)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from adapters.persistence.tables import metadata
from adapters.persistence.types import UtcDateTime, sortable_text
from domain.campaigns.templates import MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH
from domain.privacy import NOT_PERSONAL

# Templates speak of variables, never of a customer: nothing here is personal data.
message_templates = Table(
    "message_templates",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(MAX_NAME_LENGTH), nullable=False),
    Column("name_key", sortable_text(4 * MAX_NAME_LENGTH), nullable=False, unique=True),
    Column("channel", String(16), nullable=False),
    Column("subject", String(MAX_SUBJECT_LENGTH), nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("archived_at", UtcDateTime()),
    info={"personal": NOT_PERSONAL},
)

# Every version as it was saved: a message names the version it renders.
message_template_versions = Table(
    "message_template_versions",
    metadata,
    Column("template_id", String(36), ForeignKey("message_templates.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("subject", String(MAX_SUBJECT_LENGTH), nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("saved_at", UtcDateTime(), nullable=False),
    info={"personal": NOT_PERSONAL},
)
Index("ix_message_templates_archived_at", message_templates.c.archived_at)
