"""A customer's messages are part of their data export, and erasure takes the person out of
them while the counts of campaigns stay."""

from __future__ import annotations

from application.messages.ports import MessageCounts
from application.privacy.bundle import Privacy
from domain.campaigns.messages import MessageStatus
from domain.privacy import ERASED_CUSTOMER_ID
from tests.messages.conftest import SYSTEM, MessagesApp


def test_messages_are_exported_and_erasure_keeps_only_the_counts(app: MessagesApp) -> None:
    customer = app.customer("ann@example.org")
    message_id = app.enqueue(customer, app.template(), campaign="camp-1")
    app.dispatch()
    privacy = app.container.use(Privacy)

    exported = privacy.export(SYSTEM, customer)
    (row,) = exported.data["messages"]
    assert (row["id"], row["address"], row["subject"]) == (
        message_id,
        "ann@example.org",
        "Hello Ann",
    )

    privacy.erase(SYSTEM, customer)

    kept = app.message(message_id)
    assert (kept.customer_id, kept.to, kept.subject, kept.dedupe_key) == (
        ERASED_CUSTOMER_ID,
        "",
        "",
        "",
    )
    assert kept.status is MessageStatus.SENT
    counts = app.messages.stats.by_campaign(["camp-1"])
    assert counts[("camp-1", None)] == MessageCounts(sent=1)
    assert app.messages.read.count_of_customer(SYSTEM, customer) == 0
