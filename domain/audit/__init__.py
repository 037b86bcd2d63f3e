"""The audit log: who changed, exported, merged or erased what, and who was refused."""

from domain.audit.changes import ObjectChange, diff, object_changes, snapshot
from domain.audit.entry import REDACTED, AuditEntry, FieldChange, JsonValue, Outcome

__all__ = [
    "REDACTED",
    "AuditEntry",
    "FieldChange",
    "JsonValue",
    "ObjectChange",
    "Outcome",
    "diff",
    "object_changes",
    "snapshot",
]
