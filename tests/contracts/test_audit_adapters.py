"""The audit log's adapters (in-memory, SQLite, PostgreSQL) against one contract."""

from tests.contracts.audit import AuditJournalContract, AuditLogContract, audit_backend

__all__ = ["audit_backend"]


class TestAuditAdapters(AuditLogContract, AuditJournalContract):
    """The ``audit_backend`` fixture runs each test on every adapter."""
