"""Ports shared by every module: time, identity and event delivery."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.events import DomainEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A new unique id; ids made later sort after ids made earlier."""
        ...


class EventPublisher(Protocol):
    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Hand committed events to in-process subscribers."""
        ...
