"""One in-memory transaction: the store, what its repositories saw, and what they stage."""

from __future__ import annotations

from collections.abc import Callable

from adapters.memory.store import InMemoryStore
from adapters.transaction import Transaction

Step = Callable[[], None]


class InMemoryTransaction(Transaction):
    """The store, and the checks, write-backs and clears the repositories registered."""

    def __init__(self, store: InMemoryStore) -> None:
        super().__init__()
        self.store = store
        self._checks: list[Step] = []
        self._write_backs: list[Step] = []
        self._clears: list[Step] = []

    def checks(self, check: Step) -> None:
        """Run ``check`` on commit, under the store's lock, before anything is written."""
        self._checks.append(check)

    def stages(self, *, write_back: Step, clear: Step) -> None:
        """Run ``write_back`` on commit, under the store's lock; ``clear`` after commit or
        on rollback."""
        self._write_backs.append(write_back)
        self._clears.append(clear)

    def check(self) -> None:
        for check in self._checks:
            check()

    def write_back(self) -> None:
        for write_back in self._write_backs:
            write_back()

    def clear(self) -> None:
        """Forget everything staged and seen; the repositories stay usable."""
        for clear in self._clears:
            clear()
        self.forget_seen()
