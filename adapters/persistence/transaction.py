"""One SQL transaction: its session, what its repositories saw, and who writes what."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from adapters.transaction import Transaction


class Writer(Protocol):
    def flush(self) -> None:
        """Write the changes the ORM does not track."""
        ...


class SqlTransaction(Transaction):
    """The session, and the repositories that write rows of their own on flush."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._writers: list[Writer] = []

    def writes(self, writer: Writer) -> None:
        """Have ``writer`` flushed with the session, after the aggregates the ORM maps."""
        self._writers.append(writer)

    def flush(self) -> None:
        # The mapped aggregates go first: the rows written by hand refer to them.
        self.session.flush()
        for writer in self._writers:
            writer.flush()
