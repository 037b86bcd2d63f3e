"""Getting committed events out: the outbox relay, webhooks and event streams."""
