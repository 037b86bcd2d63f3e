"""The consent module's tables, on the shared metadata (imported by ``tables`` so the
migrations are checked against them; the repositories are in ``consent``)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

from adapters.persistence.tables import metadata
from adapters.persistence.types import UtcDateTime
from domain.privacy import NOT_PERSONAL, PersonalData

# The current consent per customer and channel: what sending reads, one row per pair.
consents = Table(
    "consents",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("lawful_basis", String(32)),
    Column("source", String(64)),
    Column("updated_at", UtcDateTime()),
    Column("pending_opt_in_since", UtcDateTime()),
    Column("changes", Integer, nullable=False),
    info={"personal": PersonalData(found_by=("customer_id",))},
)
Index("ix_consents_channel_status", consents.c.channel, consents.c.status)

# Every change, in order (``seq`` from 0): the proof of what the customer allowed and when.
consent_changes = Table(
    "consent_changes",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("lawful_basis", String(32)),
    Column("source", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("message_id", String(64)),
    info={"personal": PersonalData(found_by=("customer_id",))},
)
Index("ix_consent_changes_message_id", consent_changes.c.message_id)

# Only the SHA-256 of the normalised address is kept, never the address, and no customer
# id: the row must outlive the erasure of the person, or an erased customer's bounced or
# complaining address would get mail again once re-imported. A hash of an address is not
# readable contact data, so the table is declared as holding nothing about a customer.
suppressions = Table(
    "suppressions",
    metadata,
    Column("address_key", String(64), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("reason", String(16), nullable=False),
    Column("suppressed_at", UtcDateTime(), nullable=False),
    info={"personal": NOT_PERSONAL},
)

# The last confirmation mail per address (by its SHA-256): the 24-hour limit reads it.
opt_in_requests = Table(
    "opt_in_requests",
    metadata,
    Column("address_key", String(64), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    info={"personal": PersonalData(found_by=("customer_id",))},
)
Index("ix_opt_in_requests_customer_id", opt_in_requests.c.customer_id)

# Secrets the process made for itself on first start, such as the link signing key.
secrets = Table(
    "secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
    info={"personal": NOT_PERSONAL},
)
