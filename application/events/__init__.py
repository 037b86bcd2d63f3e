"""Delivering the outbox: the event catalogue, CloudEvents envelopes and webhooks."""
