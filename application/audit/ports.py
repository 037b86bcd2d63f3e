"""What the audit log needs from storage: an append-only log, and a journal that writes
entries in the transaction of the change they describe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.pagination import Page, PageRequest
from domain.audit import AuditEntry


@frozen(kw_only=True)
class AuditFilter:
    """Conditions that must all hold; None leaves one out."""

    object_id: str | None = None
    object_type: str | None = None
    actor_id: str | None = None
    operation: str | None = None
    occurred_after: datetime | None = None
    """Strictly after."""
    occurred_before: datetime | None = None
    """Strictly before."""

    def holds_for(self, entry: AuditEntry) -> bool:
        return (
            (self.object_id is None or entry.object_id == self.object_id)
            and (self.object_type is None or entry.object_type == self.object_type)
            and (self.actor_id is None or entry.actor_id == self.actor_id)
            and (self.operation is None or entry.operation == self.operation)
            and (self.occurred_after is None or entry.occurred_at > self.occurred_after)
            and (self.occurred_before is None or entry.occurred_at < self.occurred_before)
        )


NEWEST_FIRST = "audit.newest"
"""The one order of the log, named in its cursors: newest first, then by id."""


class AuditLog(Protocol):
    """The log itself: appended to and read; never updated, except that the retention
    purge removes old entries and an erasure redacts a person's values."""

    def append(self, entries: Sequence[AuditEntry]) -> None:
        """Write ``entries`` in a transaction of their own (refusals, failed logins)."""
        ...

    def page(self, condition: AuditFilter, request: PageRequest) -> Page[AuditEntry]:
        """Entries that meet ``condition``, newest first."""
        ...

    def count(self, condition: AuditFilter) -> int: ...

    def entries_mentioning(self, object_id: str) -> list[AuditEntry]:
        """Every entry about ``object_id`` or naming it in a value, oldest first."""
        ...

    def redact_object(self, object_type: str, object_id: str) -> int:
        """Replace the before and after values of entries about the object with a marker,
        keeping who did what when; how many entries were redacted."""
        ...

    def purge_before(self, cutoff: datetime) -> int:
        """Remove entries older than ``cutoff``; how many went."""
        ...


class AuditJournal(Protocol):
    """Writes entries within the storage transaction that commits the change."""

    def write(self, transaction: object, entries: Sequence[AuditEntry]) -> None:
        """Have ``entries`` written when ``transaction`` commits, and only then."""
        ...
