"""A message as flat fields, named as its stored row names them: what storage writes and
what a customer's data export shows."""

from __future__ import annotations

from typing import Any

from domain.campaigns.messages import Message


def changing_fields(message: Message) -> dict[str, Any]:
    """The columns that change after a message is queued."""
    return {
        "address": message.to,
        "status": message.status.value,
        "due_at": message.due_at,
        "updated_at": message.updated_at,
        "attempts": message.attempts,
        "claimed_at": message.claimed_at,
        "provider_id": message.provider_id,
        "subject": message.subject,
        "parts": message.parts,
        "skip_reason": message.skip_reason.value if message.skip_reason else None,
        "defer_reason": message.defer_reason.value if message.defer_reason else None,
        "failure": message.failure,
        "sent_at": message.sent_at,
        "delivered_at": message.delivered_at,
        "opened_at": message.opened_at,
        "clicked_at": message.clicked_at,
        "bounced_at": message.bounced_at,
        "hard_bounce": message.hard_bounce,
        "unsubscribed_at": message.unsubscribed_at,
        "finished_at": message.finished_at,
        "open_count": message.open_count,
        "click_count": message.click_count,
        "version": message.version,
    }


def message_record(message: Message) -> dict[str, Any]:
    source = message.source
    return {
        "id": message.id,
        "customer_id": message.customer_id,
        "channel": message.channel.value,
        "source_kind": source.kind.value,
        "campaign_id": source.campaign_id,
        "variant": source.variant,
        "journey_id": source.journey_id,
        "journey_version": source.journey_version,
        "step_id": source.step_id,
        "step_visit": source.step_visit,
        "enrolment_id": source.enrolment_id,
        "reference": source.reference,
        "template_id": message.template_id,
        "template_version": message.template_version,
        "marketing": message.marketing,
        "dedupe_key": message.dedupe_key or None,
        "queued_at": message.queued_at,
        **changing_fields(message),
    }
