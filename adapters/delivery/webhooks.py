"""Sends due webhook deliveries, signed per Standard Webhooks, and schedules retries."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, or_, select, update
from standardwebhooks import Webhook

from adapters.clock import SystemClock
from adapters.delivery.http import HttpOutcome, KeepAliveSender
from adapters.persistence.tables import webhook_deliveries, webhook_subscriptions
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
        engine: Engine,
        clock: Clock,
        *,
        send: Sender | None = None,
        jitter: Callable[[], float] = random.random,
        batch_size: int = 200,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=60),
        wall_clock: Clock | None = None,
        allow_private_targets: bool = True,
    ) -> None:
        self._engine = engine
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
        self._wall_clock = wall_clock or SystemClock()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._sender is not None:
            self._sender.close()

    def run_once(self) -> int:
        """Attempt every due delivery that heads its aggregate's queue; how many were tried."""
        due = self._claim()
        if not due:
            return 0
        outcomes = list(self._pool.map(self._attempt, due))
        self._record(due, outcomes)
        return len(due)

    def drain(self, limit: int = 1_000_000) -> int:
        total = 0
        while total < limit and (tried := self.run_once()):
            total += tried
        return total

    def _claim(self) -> list[Any]:
        now = self._clock.now()
        d, s = webhook_deliveries, webhook_subscriptions
        earlier = d.alias("earlier")
        blocked = exists().where(
            earlier.c.subscription_id == d.c.subscription_id,
            earlier.c.aggregate_id == d.c.aggregate_id,
            earlier.c.status == "pending",
            or_(
                earlier.c.position < d.c.position,
                and_(earlier.c.position == d.c.position, earlier.c.id < d.c.id),
            ),
        )
        query = (
            select(d.c.id, d.c.event_id, d.c.body, d.c.attempts, s.c.id.label("sub"), s.c.url)
            .add_columns(s.c.secret)
            .join(s, s.c.id == d.c.subscription_id)
            .where(d.c.status == "pending", d.c.next_attempt_at <= now, s.c.status == "active")
            .where(~blocked)
            .order_by(d.c.position, d.c.id)
            .limit(self._batch_size)
        )
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                query = query.with_for_update(of=d, skip_locked=True)
            rows = list(connection.execute(query))
            if rows and connection.dialect.name == "postgresql":
                # Leased, so another worker leaves them alone while they are in flight.
                connection.execute(
                    update(d)
                    .where(d.c.id.in_([row.id for row in rows]))
                    .values(next_attempt_at=now + self._lease)
                )
        return rows

    def _attempt(self, row: Any) -> HttpOutcome:
        """One delivery's outcome; an error here is its failure, never the batch's."""
        try:
            headers = signed_headers(row.secret, row.event_id, self._wall_clock.now(), row.body)
            return self._send(row.url, row.body.encode(), headers)
        except Exception as error:
            # Raising would leave every outcome of the batch unrecorded, and the endpoints
            # that did receive their events would get them again at the next claim.
            log.exception("webhook delivery %s to %s failed", row.id, row.sub)
            return HttpOutcome.of_error(error, latency_ms=0)

    def _record(self, rows: Sequence[Any], outcomes: Sequence[HttpOutcome]) -> None:
        now = self._clock.now()
        d, s = webhook_deliveries, webhook_subscriptions
        with self._engine.begin() as connection:
            for row, outcome in zip(rows, outcomes, strict=True):
                attempts = row.attempts + 1
                values: dict[str, Any] = {
                    "attempts": attempts,
                    "last_attempt_at": now,
                    "last_status_code": outcome.status,
                    "last_latency_ms": outcome.latency_ms,
                    "last_response": outcome.excerpt,
                }
                disable: str | None = None
                if outcome.status is not None and 200 <= outcome.status < 300:
                    values |= {"status": "delivered", "delivered_at": now, "next_attempt_at": None}
                elif outcome.status == 410:
                    values |= {"status": "failed", "next_attempt_at": None}
                    disable = "the endpoint answered 410 Gone"
                elif outcome.unusable_url:
                    # A URL Rapport will never send to; retrying for a day changes nothing.
                    values |= {"status": "failed", "next_attempt_at": None}
                    disable = outcome.excerpt[:DISABLED_REASON_CHARS]
                elif attempts > len(RETRY_DELAYS):
                    values |= {"status": "failed", "next_attempt_at": None}
                    disable = f"failed {attempts} times over more than 24 hours"
                else:
                    values["next_attempt_at"] = now + self._delay(attempts)
                connection.execute(update(d).where(d.c.id == row.id).values(**values))
                if disable is not None:
                    connection.execute(
                        update(s)
                        .where(s.c.id == row.sub)
                        .values(status="disabled", disabled_reason=disable, updated_at=now)
                    )

    def _delay(self, attempts: int) -> timedelta:
        base = RETRY_DELAYS[attempts - 1]
        return base * (1 + JITTER * (2 * self._jitter() - 1))
