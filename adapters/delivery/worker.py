"""Background loops: relay the outbox and send due webhooks; run due jobs and timers.

Each loop runs its step again at once while it finds work and sleeps only when idle. They
run in threads of their own, so a long job (a nightly sweep) never holds up event delivery.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from adapters.delivery.webhooks import WebhookDispatcher

log = logging.getLogger("rapport.delivery")


class PollingLoop:
    def __init__(self, step: Callable[[], int], *, name: str, idle_seconds: float = 0.2) -> None:
        self._step = step
        self._name = name
        self._idle = idle_seconds
        self._stop = threading.Event()
        self._wakeup = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> int:
        """One round; how much work it found."""
        return self._step()

    def run(self) -> None:
        """Loops until ``stop()``; an error is logged and retried after a pause."""
        while not self._stop.is_set():
            try:
                busy = self.step()
            except Exception:
                log.exception("%s failed; retrying", self._name)
                busy = 0
            if not busy:
                self._wakeup.wait(self._idle)
                self._wakeup.clear()

    def wake(self, *_event: object) -> None:
        """Look for work now rather than at the next poll (after a commit in process)."""
        self._wakeup.set()

    def start(self) -> None:
        """Runs the loop in a daemon thread."""
        self._thread = threading.Thread(target=self.run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


class Relay(Protocol):
    def run_once(self) -> int:
        """Relay one batch of committed events; how many (0 once there are none left)."""
        ...


class DeliveryWorker(PollingLoop):
    def __init__(
        self, relay: Relay, dispatcher: WebhookDispatcher, *, idle_seconds: float = 0.2
    ) -> None:
        super().__init__(self._deliver, name="rapport-delivery", idle_seconds=idle_seconds)
        self._relay = relay
        self._dispatcher = dispatcher

    def _deliver(self) -> int:
        return self._relay.run_once() + self._dispatcher.run_once()

    def stop(self) -> None:
        super().stop()
        self._dispatcher.close()
