"""GraphQL operations on event loops of their own, in worker threads, with a time limit.

Resolvers call the use cases synchronously (see "Sync ports, async edge" in the README),
so an operation run on the server's loop would hold every other request, ``/health``
included, until it finished. Each operation runs instead on one of a few loops in worker
threads; the server's loop only waits for it, and cancels it when its time is up or its
client goes away. A cancelled operation stops at its next ``await`` (every DataLoader
batch is one); what one synchronous call may cost is bounded by the query cost limit.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _LoopThread:
    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.running = 0
        self.thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def stop(self) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)


def _stop_all(threads: list[_LoopThread]) -> None:
    for thread in threads:
        thread.stop()
    for thread in threads:
        if thread.thread is not threading.current_thread():
            thread.thread.join(timeout=5)


class ExecutionLoops:
    """``size`` worker loops, started on first use; each operation goes to the least busy."""

    def __init__(self, size: int = 4) -> None:
        if size < 1:
            raise ValueError("at least one execution loop is needed")
        self._size = size
        self._threads: list[_LoopThread] = []
        self._lock = threading.Lock()
        # Loops left running when the app is dropped without its shutdown would outlive it.
        self._finalizer = weakref.finalize(self, _stop_all, self._threads)

    async def run(self, operation: Coroutine[Any, Any, T], timeout: float | None) -> T:
        """The operation's result; ``TimeoutError`` once ``timeout`` seconds have passed."""
        worker = self._least_busy()
        worker.running += 1
        try:
            running = asyncio.run_coroutine_threadsafe(operation, worker.loop)
            # Cancelling the awaited future cancels the operation on its own loop.
            return await asyncio.wait_for(asyncio.wrap_future(running), timeout)
        finally:
            worker.running -= 1

    def close(self) -> None:
        """Stops the loops; the next operation starts new ones (an app may start again)."""
        with self._lock:
            threads = list(self._threads)
            self._threads.clear()
        _stop_all(threads)

    def _least_busy(self) -> _LoopThread:
        with self._lock:
            if not self._threads or (
                len(self._threads) < self._size and min(t.running for t in self._threads) > 0
            ):
                self._threads.append(_LoopThread(f"graphql-{len(self._threads) + 1}"))
            return min(self._threads, key=lambda thread: thread.running)
