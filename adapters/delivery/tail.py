"""Feeds live listeners from the event stream, when the relay runs in another process."""

from __future__ import annotations

import logging
import threading
import uuid

from application.events.live import LiveEvents
from application.events.stream import EventStream

log = logging.getLogger("rapport.delivery")


class StreamTail:
    """Joins the stream as a group of its own, from now, and broadcasts what arrives."""

    def __init__(self, stream: EventStream, live: LiveEvents, *, wait_ms: int = 1000) -> None:
        self._stream = stream
        self._live = live
        self._wait_ms = wait_ms
        self._group = f"rapport-live-{uuid.uuid4().hex[:12]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        self._stream.join(self._group, from_now=True)
        while not self._stop.is_set():
            try:
                messages = self._stream.consume(self._group, "tail", wait_ms=self._wait_ms)
                if messages:
                    self._live.broadcast([message.event for message in messages])
                    self._stream.ack(self._group, [message.receipt for message in messages])
            except Exception:
                log.exception("tailing the event stream failed; retrying")
                self._stop.wait(1.0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="rapport-stream-tail", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            self._stream.leave(self._group)
        except Exception:
            log.warning("could not remove the live group %s", self._group, exc_info=True)
