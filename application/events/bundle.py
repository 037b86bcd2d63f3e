"""The events module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.events.live import LiveEvents
from application.events.webhooks import ManageWebhooks


@frozen(kw_only=True)
class Events:
    webhooks: ManageWebhooks
    live: LiveEvents
