"""The audit module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.audit.commands import (
    AuditedAuthenticationFailures,
    PurgeAuditLog,
    RedactAuditedObject,
)
from application.audit.queries import ReadAuditLog
from application.audit.trail import AuditTrail


@frozen(kw_only=True)
class Audit:
    trail: AuditTrail
    """Records operations; the API and the command line hand it to ``AuditContext``."""
    read: ReadAuditLog
    purge: PurgeAuditLog
    redact: RedactAuditedObject
    login_failures: AuditedAuthenticationFailures
