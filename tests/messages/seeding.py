"""A queued message for a world of test data (the node registry refetches one)."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.graphql.relay import from_global_id
from domain.campaigns.channels import Channel
from domain.campaigns.messages import Message, MessageSource
from tests.graphql.conftest import Api


def seed_message(api: Api) -> str:
    """Queue one campaign message to the first customer; its id."""
    found = api.data("{ customers(first: 1) { edges { node { id email } } } }")
    node = found["customers"]["edges"][0]["node"]
    message = Message.queue(
        id="seeded-message",
        customer_id=from_global_id(node["id"])[1],
        channel=Channel.EMAIL,
        to=node["email"] or "",
        source=MessageSource.campaign("seeded-campaign"),
        template_id="seeded-template",
        template_version=1,
        marketing=True,
        at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    with api.container.module("messages").ports.unit_of_work() as uow:
        uow.messages.add(message)
        uow.commit()
    return message.id
