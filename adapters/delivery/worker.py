"""The delivery loop: relay the outbox, then send due webhooks; sleeps only when idle."""

from __future__ import annotations

import logging
import threading

from adapters.delivery.relay import OutboxRelay
from adapters.delivery.webhooks import WebhookDispatcher

log = logging.getLogger("rapport.delivery")


class DeliveryWorker:
    def __init__(
        self, relay: OutboxRelay, dispatcher: WebhookDispatcher, *, idle_seconds: float = 0.2
    ) -> None:
        self._relay = relay
        self._dispatcher = dispatcher
        self._idle = idle_seconds
        self._stop = threading.Event()
        self._wakeup = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> int:
        """One round of both; how much work it found."""
        return self._relay.run_once() + self._dispatcher.run_once()

    def run(self) -> None:
        """Loops until ``stop()``; an error is logged and retried after a pause."""
        while not self._stop.is_set():
            try:
                busy = self.step()
            except Exception:
                log.exception("event delivery failed; retrying")
                busy = 0
            if not busy:
                self._wakeup.wait(self._idle)
                self._wakeup.clear()

    def wake(self, *_event: object) -> None:
        """Look at the outbox now rather than at the next poll (after a commit in process)."""
        self._wakeup.set()

    def start(self) -> None:
        """Runs the loop in a daemon thread (the embedded profile's ``rapport serve``)."""
        self._thread = threading.Thread(target=self.run, name="rapport-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._dispatcher.close()
