"""One line of the audit log, and what it says about the fields it changed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from attrs import evolve, frozen

JsonValue = Any
"""A value as JSON holds it: None, bool, int, float, str, lists and string-keyed dicts."""

REDACTED = "[redacted]"
"""What a redacted before or after value reads (an erased person's data)."""


class Outcome(StrEnum):
    """How the operation ended."""

    SUCCEEDED = "succeeded"
    REFUSED = "refused"
    """Bad input or a missing permission: nothing was changed."""
    FAILED = "failed"
    """An unexpected error: nothing was changed."""


@frozen
class FieldChange:
    """One field of one record, before and after the operation, as JSON."""

    field: str
    before: JsonValue
    after: JsonValue

    def redacted(self) -> FieldChange:
        return FieldChange(
            self.field,
            None if self.before is None else REDACTED,
            None if self.after is None else REDACTED,
        )


@frozen(kw_only=True)
class AuditEntry:
    """What one operation did to one record, or, with no record, what it attempted.

    Entries are only ever appended; the retention purge is the one way they go.
    """

    id: str
    occurred_at: datetime
    actor_id: str
    """The user's id, or ``"system"``; an unknown key's failed login has ``"anonymous"``."""
    operation: str
    """The GraphQL mutation (``updateCustomer``), or ``cli:import``, ``export``, ``merge``,
    ``erase``, ``login_failed``."""
    outcome: Outcome
    api_key_id: str | None = None
    request_id: str | None = None
    error_codes: tuple[str, ...] = ()
    """Why a refused or failed operation was: ``FORBIDDEN``, ``STALE_VERSION``, …"""
    object_type: str | None = None
    object_id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    events: tuple[str, ...] = ()
    """The domain events the record recorded in the operation (a creation has one)."""

    def __attrs_post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("an audit entry's time must be timezone-aware")

    def redacted(self) -> AuditEntry:
        """The entry with every before and after value replaced by ``REDACTED``."""
        return evolve(self, changes=tuple(change.redacted() for change in self.changes))

    def mentions(self, object_id: str) -> bool:
        """Whether the entry is about ``object_id``, or names it in a changed value."""
        if self.object_id == object_id:
            return True
        return any(
            _names(change.before, object_id) or _names(change.after, object_id)
            for change in self.changes
        )


def _names(value: JsonValue, object_id: str) -> bool:
    if isinstance(value, str):
        return value == object_id
    if isinstance(value, list):
        return any(_names(item, object_id) for item in value)
    if isinstance(value, dict):
        return any(_names(item, object_id) for item in value.values())
    return False
