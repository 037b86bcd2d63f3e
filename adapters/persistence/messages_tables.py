"""The outbox of messages, on the shared metadata (imported by ``tables`` so the migrations
are checked against it; the repository and readers are in ``messages``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table

from adapters.persistence.tables import metadata
from adapters.persistence.types import UtcDateTime
from domain.privacy import ERASED_CUSTOMER_ID, PersonalData, blank, emptied, pseudonym

# One row per message to one customer. Erasure keeps the rows, so a campaign's and a
# journey's counts stay true, but takes from them everything about the person: the row
# goes to the erased stand-in, the address, the rendered subject and the channel's answer
# (which may quote the address) are blanked, and the dedupe key, which names the
# customer's id, is emptied (a unique index admits any number of empty keys).
messages = Table(
    "messages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("address", String(320), nullable=False),
    Column("source_kind", String(16), nullable=False),
    Column("campaign_id", String(36)),
    Column("variant", String(64)),
    Column("journey_id", String(36)),
    Column("journey_version", Integer),
    Column("step_id", String(64)),
    Column("step_visit", Integer, nullable=False),
    Column("enrolment_id", String(36)),
    Column("reference", String(128)),
    Column("template_id", String(36), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("marketing", Boolean, nullable=False),
    Column("dedupe_key", String(200)),
    Column("status", String(16), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("queued_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_at", UtcDateTime()),
    Column("provider_id", String(255), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("parts", Integer, nullable=False),
    Column("skip_reason", String(16)),
    Column("defer_reason", String(16)),
    Column("failure", String(500), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("delivered_at", UtcDateTime()),
    Column("opened_at", UtcDateTime()),
    Column("clicked_at", UtcDateTime()),
    Column("bounced_at", UtcDateTime()),
    Column("hard_bounce", Boolean, nullable=False),
    Column("unsubscribed_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("open_count", Integer, nullable=False),
    Column("click_count", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    info={
        "personal": PersonalData(
            found_by=("customer_id",),
            delete_rows=False,
            columns={
                "customer_id": pseudonym(ERASED_CUSTOMER_ID),
                "address": blank,
                "subject": blank,
                "failure": blank,
                "dedupe_key": emptied,
            },
            not_personal=(
                "id",
                "channel",
                "source_kind",
                "campaign_id",
                "variant",
                "journey_id",
                "step_id",
                "enrolment_id",
                "reference",
                "template_id",
                "status",
                "provider_id",
                "skip_reason",
                "defer_reason",
            ),
        )
    },
)
Index("ix_messages_dedupe_key", messages.c.dedupe_key, unique=True)
# What the dispatcher claims by: due messages in a waiting or sending state.
Index("ix_messages_status_due_at", messages.c.status, messages.c.due_at)
# A customer's messages, newest first, and their recent sends for frequency caps.
Index("ix_messages_customer_id_queued_at", messages.c.customer_id, messages.c.queued_at)
Index("ix_messages_customer_id_sent_at", messages.c.customer_id, messages.c.sent_at)
Index("ix_messages_campaign_id", messages.c.campaign_id)
Index("ix_messages_journey_id", messages.c.journey_id)
