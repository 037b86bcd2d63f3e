"""The port that streams relayed CloudEvents to connected front ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from typing import Any, Protocol


class LiveEvents(Protocol):
    def broadcast(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Hand events to every listener; callable from any thread, never blocks."""
        ...

    def listen(self, types: Collection[str] | None) -> AsyncIterator[Mapping[str, Any]]:
        """Events of ``types`` (all when None) from now on, until the caller stops."""
        ...
