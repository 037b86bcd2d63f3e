"""Wake a worker the moment another process commits events, by PostgreSQL's LISTEN/NOTIFY.

Every commit that writes to the outbox on PostgreSQL also runs ``NOTIFY rapport_outbox``
(see ``store_events``); the server delivers it when, and only if, the transaction commits.
A worker in another process listens on its own connection and looks at the outbox at once
instead of at its next poll. Polling stays as the fallback: a lost connection, or a
notification missed while reconnecting, costs at most one poll interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from adapters.persistence.outbox import OUTBOX_CHANNEL

log = logging.getLogger("rapport.delivery")


class PostgresWakeups:
    def __init__(
        self,
        engine: Engine,
        wake: Callable[[], None],
        *,
        channel: str = OUTBOX_CHANNEL,
        reconnect_seconds: float = 1.0,
    ) -> None:
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._wake = wake
        self._channel = channel
        self._reconnect = reconnect_seconds
        self._stop = threading.Event()
        self.listening = threading.Event()
        """Set while a connection is listening; for tests and health checks."""
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="rapport-wakeups", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f'LISTEN "{self._channel}"')
                    self.listening.set()
                    while not self._stop.is_set():
                        # Short waits, so that stop() is seen within half a second.
                        for _ in connection.notifies(timeout=0.5, stop_after=1):
                            self._wake()
            except psycopg.Error:
                log.warning("listening for %s failed; reconnecting", self._channel, exc_info=True)
            finally:
                self.listening.clear()
            self._stop.wait(self._reconnect)
