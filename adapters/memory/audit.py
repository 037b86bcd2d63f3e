"""The audit log over a list, with the transaction semantics of the SQL one."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from adapters.memory.transaction import InMemoryTransaction
from application.audit.ports import NEWEST_FIRST, AuditFilter
from application.pagination import MemoryOrder, Page, PageRequest, page_in_memory, read_time
from domain.audit import AuditEntry

_NEWEST_FIRST: MemoryOrder[AuditEntry] = MemoryOrder(
    name=NEWEST_FIRST,
    value_of=lambda entry: entry.occurred_at,
    id_of=lambda entry: entry.id,
    read=read_time,
    descending=True,
)


class InMemoryAuditLog:
    """The entries, in the order written."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.lock = threading.Lock()

    def append(self, entries: Sequence[AuditEntry]) -> None:
        with self.lock:
            self.entries.extend(entries)

    def _matching(self, condition: AuditFilter) -> list[AuditEntry]:
        with self.lock:
            return [entry for entry in self.entries if condition.holds_for(entry)]

    def page(self, condition: AuditFilter, request: PageRequest) -> Page[AuditEntry]:
        return page_in_memory(request, self._matching(condition), _NEWEST_FIRST)

    def count(self, condition: AuditFilter) -> int:
        return len(self._matching(condition))

    def entries_mentioning(self, object_id: str) -> list[AuditEntry]:
        with self.lock:
            found = [entry for entry in self.entries if entry.mentions(object_id)]
        return sorted(found, key=lambda entry: (entry.occurred_at, entry.id))

    def redact_object(self, object_type: str, object_id: str) -> int:
        redacted = 0
        with self.lock:
            for position, entry in enumerate(self.entries):
                if entry.object_type == object_type and entry.object_id == object_id:
                    self.entries[position] = entry.redacted()
                    redacted += 1
        return redacted

    def purge_before(self, cutoff: datetime) -> int:
        with self.lock:
            kept = [entry for entry in self.entries if entry.occurred_at >= cutoff]
            purged = len(self.entries) - len(kept)
            self.entries[:] = kept
        return purged


class InMemoryAuditJournal:
    """Stages entries with the in-memory transaction: written back on commit only."""

    def __init__(self, log: InMemoryAuditLog) -> None:
        self._log = log

    def write(self, transaction: object, entries: Sequence[AuditEntry]) -> None:
        if not isinstance(transaction, InMemoryTransaction):
            raise TypeError(f"not an in-memory transaction: {type(transaction).__name__}")
        pending = list(entries)

        def write_back() -> None:
            # Under the store's lock, after every check passed.
            self._log.append(pending)
            pending.clear()

        transaction.stages(write_back=write_back, clear=pending.clear)
