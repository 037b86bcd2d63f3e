"""What the units of work share: repositories built on first use, and the aggregates seen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, Self, TypeVar, cast, overload, runtime_checkable

from application.audit.context import current_audit
from domain.audit import JsonValue, object_changes, snapshot
from domain.events import DomainEvent


@runtime_checkable
class Recorder(Protocol):
    """An aggregate, or a repository, holding the events recorded since the last commit."""

    @property
    def events(self) -> list[DomainEvent]: ...


SeenT = TypeVar("SeenT")


class Transaction:
    """One transaction's repositories, built on first use, and what they loaded or added."""

    def __init__(self) -> None:
        self.repositories: dict[str, object] = {}
        # By identity, in the order first seen: the order events go to the outbox in.
        self._seen: dict[int, object] = {}
        # In an audited operation, each aggregate's fields when first seen, by identity.
        self._before: dict[int, dict[str, JsonValue] | None] = {}

    def saw(self, aggregate: SeenT) -> SeenT:
        """Register what a repository handed out, if anything, or was given; the events it
        records go out on commit."""
        if aggregate is not None and id(aggregate) not in self._seen:
            self._seen[id(aggregate)] = aggregate
            if current_audit() is not None:
                self._before[id(aggregate)] = snapshot(aggregate)
        return aggregate

    def seen(self, kind: type[SeenT]) -> list[SeenT]:
        """The aggregates of one kind seen so far."""
        return [aggregate for aggregate in self._seen.values() if isinstance(aggregate, kind)]

    def take_events(self) -> list[DomainEvent]:
        """The events of everything seen, oldest first; the aggregates forget them."""
        self._audit()
        # ``isinstance`` against the Protocol costs tens of microseconds an aggregate, too
        # much for a batch of thousands; the attribute is what the Protocol asks for.
        seen = [
            cast(Recorder, aggregate)
            for aggregate in self._seen.values()
            if isinstance(getattr(aggregate, "events", None), list)
        ]
        events = [event for aggregate in seen for event in aggregate.events]
        for aggregate in seen:
            aggregate.events.clear()
        events.sort(key=lambda event: event.occurred_at)
        return events

    def _audit(self) -> None:
        """Hand what changed to the audited operation, to be written in this transaction;
        what is committed next is compared with what this commit writes."""
        audit = current_audit()
        if audit is None:
            return
        now = {key: snapshot(aggregate) for key, aggregate in self._seen.items()}
        seen = [(a, self._before.get(key), now[key]) for key, a in self._seen.items()]
        audit.committing(self, object_changes(seen))
        self._before = now

    def forget_seen(self) -> None:
        self._seen.clear()
        self._before.clear()


TransactionT = TypeVar("TransactionT", bound=Transaction)
TransactionT_co = TypeVar("TransactionT_co", bound=Transaction, covariant=True)
RepositoryT = TypeVar("RepositoryT")


class InTransaction(Protocol[TransactionT_co]):
    @property
    def transaction(self) -> TransactionT_co: ...


class repository(Generic[TransactionT, RepositoryT]):  # noqa: N801 - used like a property
    """A unit of work's repository, built from its current transaction when first used.

    Declared once on the unit of work's class: nothing else names it.
    """

    def __init__(self, build: Callable[[TransactionT], RepositoryT]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, unit: None, owner: type) -> Self: ...

    @overload
    def __get__(self, unit: InTransaction[TransactionT], owner: type) -> RepositoryT: ...

    def __get__(self, unit: InTransaction[TransactionT] | None, owner: type) -> Self | RepositoryT:
        if unit is None:
            return self
        built = unit.transaction.repositories
        if self._name not in built:
            built[self._name] = self._build(unit.transaction)
        return cast(RepositoryT, built[self._name])
