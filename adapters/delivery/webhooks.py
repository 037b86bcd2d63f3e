"""Sends due webhook deliveries, signed per Standard Webhooks, and schedules retries."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from standardwebhooks import Webhook

from adapters.delivery.http import HttpOutcome, KeepAliveSender
from application.events.deliveries import (
    AttemptOutcome,
    DeliveryStatus,
    DueDelivery,
    WebhookDeliveries,
)
from application.ports import Clock

# After the first attempt fails: waits before each retry, about 27.5 hours in all.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
JITTER = 0.1
"""Each wait is stretched or shrunk by up to this fraction, so retries do not stampede."""

DISABLED_REASON_CHARS = 200

log = logging.getLogger("rapport.delivery")

Sender = Callable[[str, bytes, Mapping[str, str]], HttpOutcome]


def signed_headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    return {
        "content-type": "application/cloudevents+json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "user-agent": "Rapport-Webhooks/1",
    }


class WebhookDispatcher:
    def __init__(
        self,
        deliveries: WebhookDeliveries,
        clock: Clock,
        *,
        wall_clock: Clock,
        send: Sender | None = None,
        jitter: Callable[[], float] = random.random,
        batch_size: int = 200,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=60),
        allow_private_targets: bool = True,
        redact: Callable[[str, str], str] | None = None,
    ) -> None:
        self._deliveries = deliveries
        self._clock = clock
        self._sender = (
            KeepAliveSender(allow_private=allow_private_targets) if send is None else None
        )
        self._send: Sender = send or self._sender  # type: ignore[assignment]
        self._jitter = jitter
        self._batch_size = batch_size
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook")
        self._lease = lease
        # Receivers check webhook-timestamp against their own clock, so signatures carry
        # real time even when the schedule runs on a clock that tests move by hand.
        self._wall_clock = wall_clock
        self._redact = redact
        """The body as a role may read it, by role key; signed and sent as redacted."""

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._sender is not None:
            self._sender.close()

    def run_once(self) -> int:
        """Attempt every due delivery that heads its aggregate's queue; how many were tried."""
        due = self._deliveries.claim_due(self._clock.now(), self._batch_size, self._lease)
        if not due:
            return 0
        sent = list(self._pool.map(self._attempt, due))
        now = self._clock.now()
        self._deliveries.record(
            [self._outcome(one, http, now) for one, http in zip(due, sent, strict=True)], now
        )
        return len(due)

    def drain(self, limit: int = 1_000_000) -> int:
        total = 0
        while total < limit and (tried := self.run_once()):
            total += tried
        return total

    def _attempt(self, due: DueDelivery) -> HttpOutcome:
        """One delivery's outcome; an error here is its failure, never the batch's."""
        try:
            body = self._redact(due.role, due.body) if self._redact else due.body
            headers = signed_headers(due.secret, due.event_id, self._wall_clock.now(), body)
            return self._send(due.url, body.encode(), headers)
        except Exception as error:
            # Raising would leave every outcome of the batch unrecorded, and the endpoints
            # that did receive their events would get them again at the next claim.
            log.exception("webhook delivery %s to %s failed", due.id, due.subscription_id)
            return HttpOutcome.of_error(error, latency_ms=0)

    def _outcome(self, due: DueDelivery, http: HttpOutcome, now: datetime) -> AttemptOutcome:
        """What the attempt means: delivered, retried later, or failed for good (and whether
        the subscription is disabled with it)."""
        attempts = due.attempts + 1
        status: DeliveryStatus = "failed"
        next_attempt_at: datetime | None = None
        disable: str | None = None
        if http.status is not None and 200 <= http.status < 300:
            status = "delivered"
        elif http.status == 410:
            disable = "the endpoint answered 410 Gone"
        elif http.unusable_url:
            # A URL Rapport will never send to; retrying for a day changes nothing.
            disable = http.excerpt[:DISABLED_REASON_CHARS]
        elif attempts > len(RETRY_DELAYS):
            disable = f"failed {attempts} times over more than 24 hours"
        else:
            status = "pending"
            next_attempt_at = now + self._delay(attempts)
        return AttemptOutcome(
            delivery_id=due.id,
            subscription_id=due.subscription_id,
            attempts=attempts,
            status_code=http.status,
            latency_ms=http.latency_ms,
            response=http.excerpt,
            status=status,
            next_attempt_at=next_attempt_at,
            disable_reason=disable,
        )

    def _delay(self, attempts: int) -> timedelta:
        base = RETRY_DELAYS[attempts - 1]
        return base * (1 + JITTER * (2 * self._jitter() - 1))
