"""Keeping the audit log: the retention purge, redaction on erasure, refused logins."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import frozen

from application.audit.context import current_request_id
from application.audit.ports import AuditLog
from application.audit.trail import AuditTrail
from application.errors import InvalidInput
from application.ports import Clock
from application.principal import Principal
from domain.access.roles import Permission
from domain.errors import ErrorCode


@frozen
class PurgeAuditLog:
    """Removes entries older than the retention policy; the one way entries go."""

    log: AuditLog
    clock: Clock
    retention_days: int

    def __attrs_post_init__(self) -> None:
        if self.retention_days < 1:
            raise InvalidInput(
                "RAPPORT_AUDIT_RETENTION_DAYS", ErrorCode.INVALID, "must be at least 1"
            )

    def __call__(self, actor: Principal) -> int:
        actor.require(Permission.MANAGE_ACCESS)
        return self.log.purge_before(self.cutoff)

    @property
    def cutoff(self) -> datetime:
        return self.clock.now() - timedelta(days=self.retention_days)


@frozen
class RedactAuditedObject:
    """Replaces an erased record's before and after values, keeping who did what when."""

    log: AuditLog

    def __call__(self, actor: Principal, object_type: str, object_id: str) -> int:
        actor.require(Permission.MANAGE_ACCESS)
        return self.log.redact_object(object_type, object_id)

    def person(self, actor: Principal, customer_id: str) -> int:
        """Redact the customer's entries and the whole history of every record whose values
        ever named them (an activity about them, a lead converted into them)."""
        actor.require(Permission.MANAGE_ACCESS)
        redacted = self.log.redact_object("Customer", customer_id)
        objects = {
            (entry.object_type, entry.object_id)
            for entry in self.log.entries_mentioning(customer_id)
            if entry.object_type is not None and entry.object_id is not None
        }
        for object_type, object_id in sorted(objects):
            redacted += self.log.redact_object(object_type, object_id)
        return redacted


@frozen
class AuditedAuthenticationFailures:
    """Refused credentials into the audit log, as the authentication reports them."""

    trail: AuditTrail

    def refused(self, reason: str, key_id: str | None, at: datetime | None = None) -> None:
        self.trail.login_failed(reason.upper(), key_id, current_request_id(), at)

    def record_login_failure(
        self, reason: str, key_id: str | None = None, request_id: str | None = None
    ) -> None:
        self.trail.login_failed(reason, key_id, request_id or current_request_id())
